using CustomerAdmin.Features.Customers;
using CustomerAdmin.Features.Events;
using CustomerAdmin.Data;
using CustomerAdmin.Data.Sql;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using static CustomerAdmin.Features.Dashboard.DashboardContributions;

namespace CustomerAdmin.Features.Dashboard;

/// <summary>
/// The dashboard's summary table (<see cref="DashboardTotal"/>): per venue day, the customers created, tickets closed,
/// turnaround and revenue, and the counts the dashboard would otherwise compute over every ticket or customer.
/// <para>
/// Every row is the sum of each customer's <em>contribution</em> (<see cref="DashboardContributions"/>), a pure function of the
/// customer and their tickets and sales. A change is applied as "the affected customers' contributions after, minus
/// before", read inside the transaction that makes the change (<see cref="AppDbContext"/> does it on every save through
/// <see cref="DashboardSummaryKeeper"/>; the bulk paths apply what they add with <see cref="ApplyAddedAsync"/>), so the summary moves with the data or not at all, and a rebuild from the
/// data (<see cref="RebuildAsync"/>) gives the same rows.
/// </para>
/// </summary>
public static class DashboardSummary
{
    /// <summary>The contributions of these customers as the database holds them now (in the caller's transaction).</summary>
    public static async Task<Dictionary<Key, long>> ContributionsAsync(AppDbContext db, IReadOnlyCollection<int> customerIds,
        CancellationToken ct = default)
    {
        var into = new Dictionary<Key, long>();
        (await FactsAsync(db, customerIds, ct)).ContributeTo(into, db.Venue.Zone);
        return into;
    }

    private static async Task<Facts> FactsAsync(AppDbContext db, IReadOnlyCollection<int> customerIds, CancellationToken ct)
    {
        if (customerIds.Count == 0) return new([], [], []);
        var ids = customerIds.ToArray();
        var customers = await db.Customers.Where(c => EF.Parameter(ids).Contains(c.Id))
            .Select(c => new CustomerFacts(c.Id, c.FirstSeenAt, c.Type, c.Status, c.City)).ToListAsync(ct);
        var tickets = await db.Tickets.Where(t => EF.Parameter(ids).Contains(t.CustomerId))
            .Select(t => new TicketFacts(t.CustomerId, t.Status, t.OpenedAt, t.ClosedAt, t.FinalAmount)).ToListAsync(ct);
        var sales = await db.Sales.Where(s => EF.Parameter(ids).Contains(s.CustomerId))
            .Select(s => new SaleFacts(s.CustomerId, s.SoldAt, s.Total)).ToListAsync(ct);
        return new(customers, tickets, sales);
    }

    /// <summary>What the affected customers contributed before a change; see <see cref="CompleteAsync"/>.</summary>
    public sealed class Tracked
    {
        internal Tracked(int[] customerIds, Dictionary<Key, long> before) => (CustomerIds, Before) = (customerIds, before);
        internal int[] CustomerIds { get; }
        internal Dictionary<Key, long> Before { get; }
    }

    /// <summary>
    /// First half of a change to these customers (or their tickets or sales), inside the transaction that makes it: reads
    /// what they contribute now. On PostgreSQL their rows are locked first, so two changes to one customer cannot both
    /// count from the same "before".
    /// </summary>
    public static async Task<Tracked> BeginAsync(AppDbContext db, IEnumerable<int> customerIds, CancellationToken ct = default)
    {
        var existing = Existing(customerIds);
        var facts = await LockAndReadExistingAsync(db, existing, ct);
        var before = new Dictionary<Key, long>();
        facts.ContributeTo(before, db.Venue.Zone);
        return new Tracked(existing, before);
    }

    /// <summary>
    /// The facts of these customers (ids of customers not yet written, zero or less, are left out) inside the
    /// transaction that will change them; on PostgreSQL their rows are locked first.
    /// </summary>
    public static Task<Facts> LockAndReadAsync(AppDbContext db, IEnumerable<int> customerIds, CancellationToken ct = default) =>
        LockAndReadExistingAsync(db, Existing(customerIds), ct);

    private static int[] Existing(IEnumerable<int> customerIds) => customerIds.Where(id => id > 0).Distinct().Order().ToArray();

    private static async Task<Facts> LockAndReadExistingAsync(AppDbContext db, int[] existing, CancellationToken ct)
    {
        if (db.Database.CurrentTransaction is null)
            throw new InvalidOperationException("Track dashboard changes inside the transaction that makes them.");
        await db.Sql().LockRowsAsync<Customer>(db, existing, RowLock.Values, ct);
        return await FactsAsync(db, existing, ct);
    }

    /// <summary>
    /// Second half, before the commit: moves the summary by what the customers contribute now minus before, and sets
    /// their ticket counts.
    /// </summary>
    /// <param name="customersAfter">Customers the change created (their ids only known now).</param>
    public static async Task CompleteAsync(AppDbContext db, Tracked tracked, IEnumerable<int>? customersAfter = null, CancellationToken ct = default)
    {
        var after = tracked.CustomerIds.Concat(customersAfter ?? []).Where(id => id > 0).Distinct().ToArray();
        await MoveAsync(db, tracked, await ContributionsAsync(db, after, ct), after, ct);
    }

    /// <summary>Second half for <see cref="AddedTo"/>, before the commit: moves the summary and sets the ticket counts.</summary>
    public static async Task ApplyAddedAsync(AppDbContext db, Added added, CancellationToken ct = default)
    {
        await ApplyAsync(db, added.Delta, ct);
        // Set, not recounted.
        await db.Sql().SetByIdAsync<Customer, int>(db, nameof(Customer.TicketCount), added.TicketCounts, ct: ct);
    }

    private static async Task MoveAsync(AppDbContext db, Tracked tracked, Dictionary<Key, long> after, int[] customerIds, CancellationToken ct)
    {
        foreach (var (key, value) in tracked.Before) after[key] = after.GetValueOrDefault(key) - value;
        await ApplyAsync(db, after, ct);
        if (customerIds.Length > 0)
        {
            // One statement for the lot.
            await db.Customers.Where(c => EF.Parameter(customerIds).Contains(c.Id))
                .Where(c => c.TicketCount != db.Tickets.Count(t => t.CustomerId == c.Id))
                .ExecuteUpdateAsync(s => s.SetProperty(c => c.TicketCount, c => db.Tickets.Count(t => t.CustomerId == c.Id)), ct);
        }
    }

    /// <summary>Adds each value to its row (creating it at zero).</summary>
    public static async Task ApplyAsync(AppDbContext db, IReadOnlyDictionary<Key, long> delta, CancellationToken ct = default)
    {
        // In key order: a rebuild's rows then lie in the table as its reads walk the key.
        var rows = delta.Where(d => d.Value != 0).OrderBy(d => d.Key.Series).ThenBy(d => d.Key.Day).ThenBy(d => d.Key.Other)
            .ThenBy(d => d.Key.Text, StringComparer.Ordinal)
            .Select(d => new DashboardTotal { Series = d.Key.Series, Day = d.Key.Day, Other = d.Key.Other, Text = d.Key.Text, Value = d.Value })
            .ToList();
        await db.Sql().AddToRowsAsync(db, rows, nameof(DashboardTotal.Value), ct);
    }

    /// <summary>True when the summary was counted in this venue's time zone and the current scheme.</summary>
    public static Task<bool> IsCurrentAsync(AppDbContext db, CancellationToken ct = default)
    {
        var zone = db.Venue.Zone.Id;
        return db.DashboardTotals.AnyAsync(t => t.Series == DashboardSeries.Meta && t.Other == Scheme && t.Text == zone, ct);
    }

    /// <summary>Rebuilds the summary when it is missing or was counted in another time zone or scheme (at start-up).</summary>
    public static async Task<bool> EnsureAsync(AppDbContext db, IProgress<string>? progress = null, CancellationToken ct = default)
    {
        if (await IsCurrentAsync(db, ct)) return false;
        await RebuildAsync(db, progress, ct);
        return true;
    }

    private const int RebuildCustomers = 20_000;

    /// <summary>
    /// Counts the whole summary again from the customers, tickets and sales, in the context's venue time zone, and
    /// sets every customer's ticket count; in one transaction. Reads the customers in ranges of ids with their
    /// tickets and sales (index range reads) and adds up in memory what the table will hold (its size does not grow
    /// with the customers: at most a row per pair of days, about 1.3 million rows at 5 million tickets over three
    /// years), then writes each row once, in key order, so the table starts compact and without dead row versions
    /// (on PostgreSQL it is vacuumed after the commit, which lets the dashboard read it from the index alone).
    /// </summary>
    public static async Task RebuildAsync(AppDbContext db, IProgress<string>? progress = null, CancellationToken ct = default)
    {
        var own = db.Database.CurrentTransaction is null ? await db.Database.BeginTransactionAsync(ct) : null;
        try
        {
            var timeout = db.Database.GetCommandTimeout();
            db.Database.SetCommandTimeout(TimeSpan.FromMinutes(30));
            await db.DashboardTotals.ExecuteDeleteAsync(ct);
            var zone = db.Venue.Zone;
            var into = new Dictionary<Key, long>();
            var maxId = await db.Customers.MaxAsync(c => (int?)c.Id, ct) ?? 0;
            for (var from = 0; from < maxId; from += RebuildCustomers)
            {
                var (lo, hi) = (from, from + RebuildCustomers);
                var customers = await db.Customers.Where(c => c.Id > lo && c.Id <= hi)
                    .Select(c => new CustomerFacts(c.Id, c.FirstSeenAt, c.Type, c.Status, c.City)).ToListAsync(ct);
                var tickets = await db.Tickets.Where(t => t.CustomerId > lo && t.CustomerId <= hi)
                    .Select(t => new TicketFacts(t.CustomerId, t.Status, t.OpenedAt, t.ClosedAt, t.FinalAmount)).ToListAsync(ct);
                var sales = await db.Sales.Where(s => s.CustomerId > lo && s.CustomerId <= hi)
                    .Select(s => new SaleFacts(s.CustomerId, s.SoldAt, s.Total)).ToListAsync(ct);
                ContributeAll(into, customers, tickets, sales, zone);
                progress?.Report($"Dashboard summary: customers up to id {Math.Min(hi, maxId):N0} of {maxId:N0}");
            }
            into[new(DashboardSeries.Meta, 0, Scheme, zone.Id)] = 1;
            await ApplyAsync(db, into, ct);
            await db.Customers.Where(c => c.TicketCount != db.Tickets.Count(t => t.CustomerId == c.Id))
                .ExecuteUpdateAsync(s => s.SetProperty(c => c.TicketCount, c => db.Tickets.Count(t => t.CustomerId == c.Id)), ct);
            // The table's statistics were those of an empty or very different table: without fresh ones a planner may
            // read all of it instead of the key range.
            await db.Sql().AnalyzeAsync<DashboardTotal>(db, ct);
            db.Database.SetCommandTimeout(timeout);
            if (own is null) return;
            await own.CommitAsync(ct);
        }
        finally
        {
            if (own is not null) await own.DisposeAsync();
        }
        await db.Sql().VacuumAsync<DashboardTotal>(db, ct);
    }

    /// <summary>The customer properties the summary counts by: a change to one moves the customer's contribution.</summary>
    public static readonly IReadOnlySet<string> CustomerFields = new HashSet<string>(StringComparer.Ordinal)
    {
        nameof(Customer.FirstSeenAt), nameof(Customer.Type), nameof(Customer.Status), nameof(Customer.City),
    };

    /// <summary>
    /// What a save is about to change in the summary: the customers whose contribution may move. Null when the save
    /// touches nothing the summary counts (most saves).
    /// </summary>
    internal static PendingSave? Pending(ChangeTracker tracker)
    {
        PendingSave? pending = null;
        PendingSave Get() => pending ??= new PendingSave();
        foreach (var e in tracker.Entries())
        {
            switch (e.Entity)
            {
                case Customer c when Relevant(e, [.. CustomerFields]):
                    if (e.State != EntityState.Added) Get().Before.Add(c.Id);
                    Get().After.Add(() => c.Id);
                    Get().OnlyAddsTickets = false;
                    break;
                case Ticket t when Relevant(e, nameof(Ticket.CustomerId), nameof(Ticket.Status), nameof(Ticket.OpenedAt), nameof(Ticket.ClosedAt), nameof(Ticket.FinalAmount)):
                    Owner(e, t.CustomerId, () => t.CustomerId);
                    if (e.State == EntityState.Added && t.CustomerId > 0) Get().AddedTickets.Add(t);
                    else Get().OnlyAddsTickets = false;
                    break;
                case Sale s when Relevant(e, nameof(Sale.CustomerId), nameof(Sale.SoldAt), nameof(Sale.Total)):
                    Owner(e, s.CustomerId, () => s.CustomerId);
                    Get().OnlyAddsTickets = false;
                    break;
            }
        }
        return pending;

        void Owner(EntityEntry e, int current, Func<int> after)
        {
            var p = Get();
            if (e.State != EntityState.Added && e.Property(nameof(Ticket.CustomerId)).OriginalValue is int original) p.Before.Add(original);
            if (current > 0) p.Before.Add(current);
            p.After.Add(after);
        }
    }

    private static bool Relevant(EntityEntry e, params string[] properties) => e.State switch
    {
        EntityState.Added or EntityState.Deleted => true,
        EntityState.Modified => properties.Any(p => e.Property(p).IsModified),
        _ => false,
    };

    internal sealed class PendingSave
    {
        public HashSet<int> Before { get; } = [];
        public List<Func<int>> After { get; } = [];

        /// <summary>
        /// True when all the save does to the summary is add tickets to existing customers (a ticket opened): what it
        /// moves then follows from the customers' facts before and the new tickets (<see cref="AddedTo"/>), with no
        /// second read after the write.
        /// </summary>
        public bool OnlyAddsTickets { get; set; } = true;

        public List<Ticket> AddedTickets { get; } = [];
    }
}
