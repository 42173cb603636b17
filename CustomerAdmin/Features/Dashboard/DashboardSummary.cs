using CustomerAdmin.Features.Customers;
using CustomerAdmin.Features.Events;
using CustomerAdmin.Data;
using CustomerAdmin.Data.Sql;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;

namespace CustomerAdmin.Features.Dashboard;

/// <summary>
/// The dashboard's summary table (<see cref="DashboardTotal"/>): per venue day, the customers created, tickets closed,
/// turnaround and revenue, and the counts the dashboard would otherwise compute over every ticket or customer.
/// <para>
/// Every row is the sum of each customer's <em>contribution</em> (<see cref="Contribute"/>), a pure function of the
/// customer and their tickets and sales. A change is applied as "the affected customers' contributions after, minus
/// before", read inside the transaction that makes the change (<see cref="AppDbContext"/> does it on every save; bulk
/// writers call <see cref="TrackAsync"/>), so the summary moves with the data or not at all, and a rebuild from the
/// data (<see cref="RebuildAsync"/>) gives the same rows.
/// </para>
/// <para>
/// Distinct customers (active, buyers, returning buyers) in any range of days: each of a customer's distinct
/// purchase days is counted once with the day before it on which they bought (or -1). The customers who bought in
/// [first, last] are exactly those with a purchase day in that range whose previous purchase day is before
/// <c>first</c>: each counted once, at their first purchase day in the range. The same rows keyed by month let a
/// period made of whole months read twelve rows per earlier day instead of 365.
/// </para>
/// </summary>
public static class DashboardSummary
{
    /// <summary>Bumped when what a contribution counts changes: a database built with another scheme is rebuilt.</summary>
    public const int Scheme = 2;

    /// <summary>"No earlier day" in the day-pair series.</summary>
    public const int NoDay = -1;

    public readonly record struct Key(DashboardSeries Series, int Day, int Other, string Text = "");

    public sealed record CustomerFacts(int Id, DateTime CreatedAt, CustomerType Type, CustomerStatus Status, string? City);
    public sealed record TicketFacts(int CustomerId, TicketStatus Status, DateTime OpenedAt, DateTime? ClosedAt, decimal? FinalAmount);
    public sealed record SaleFacts(int CustomerId, DateTime SoldAt, decimal Total);

    public static int DayOf(DateTime utc, TimeZoneInfo zone) => zone.BaseUtcOffset == TimeSpan.Zero && !zone.SupportsDaylightSavingTime
        ? DateOnly.FromDateTime(utc).DayNumber
        : DateOnly.FromDateTime(TimeZoneInfo.ConvertTimeFromUtc(DateTime.SpecifyKind(utc, DateTimeKind.Utc), zone)).DayNumber;

    public static int MonthOf(int day)
    {
        var d = DateOnly.FromDayNumber(day);
        return new DateOnly(d.Year, d.Month, 1).DayNumber;
    }

    public static long Cents(decimal amount) => (long)decimal.Round(amount * 100m, MidpointRounding.AwayFromZero);

    /// <summary>Adds one customer's contribution (times <paramref name="sign"/>) to <paramref name="into"/>.</summary>
    public static void Contribute(Dictionary<Key, long> into, CustomerFacts customer, IReadOnlyCollection<TicketFacts> tickets,
        IReadOnlyCollection<SaleFacts> sales, TimeZoneInfo zone, int sign = 1)
    {
        void Add(Key key, long value)
        {
            if (value == 0) return;
            into[key] = into.GetValueOrDefault(key) + sign * value;
        }

        // Ticket figures count every ticket, as the ticket list does.
        foreach (var t in tickets)
        {
            if (t.Status == TicketStatus.Closed && t.ClosedAt is { } closed)
            {
                var day = DayOf(closed, zone);
                Add(new(DashboardSeries.ClosedTickets, day, 0), 1);
                Add(new(DashboardSeries.TurnaroundMs, day, 0), (closed - t.OpenedAt).Ticks / TimeSpan.TicksPerMillisecond);
            }
            else if (t.Status is not (TicketStatus.Closed or TicketStatus.Cancelled))
            {
                Add(new(DashboardSeries.OpenTickets, 0, (int)t.Status), 1);
            }
        }

        // Customer figures leave deleted customers out, as the customer list does.
        if (customer.Status == CustomerStatus.Deleted) return;
        Add(new(DashboardSeries.Customers, DayOf(customer.CreatedAt, zone), (int)customer.Type), 1);
        if (customer.City is { } city)
        {
            Add(new(DashboardSeries.CityCustomers, 0, tickets.Count, city), 1);
            Add(new(DashboardSeries.CityTotals, 0, 0, city), 1);
        }

        var purchases = new List<int>(tickets.Count + sales.Count);
        var activity = new List<int>(tickets.Count + sales.Count);
        foreach (var t in tickets)
        {
            activity.Add(DayOf(t.OpenedAt, zone));
            if (t.Status == TicketStatus.Closed && t.ClosedAt is { } closed)
            {
                var day = DayOf(closed, zone);
                purchases.Add(day);
                Add(new(DashboardSeries.Revenue, day, 0), Cents(t.FinalAmount ?? 0m));
            }
        }
        foreach (var s in sales)
        {
            var day = DayOf(s.SoldAt, zone);
            purchases.Add(day);
            activity.Add(day);
            Add(new(DashboardSeries.Revenue, day, 0), Cents(s.Total));
        }
        Pairs(purchases, DashboardSeries.PurchaseDays, DashboardSeries.PurchaseMonths);
        Pairs(activity, DashboardSeries.ActivityDays, DashboardSeries.ActivityMonths);

        void Pairs(List<int> days, DashboardSeries bySeriesDay, DashboardSeries byMonth)
        {
            days.Sort();
            var previous = NoDay;
            foreach (var day in days)
            {
                if (day == previous) continue; // distinct days
                Add(new(bySeriesDay, day, previous), 1);
                Add(new(byMonth, MonthOf(day), previous), 1);
                previous = day;
            }
        }
    }

    /// <summary>The contributions of these customers as the database holds them now (in the caller's transaction).</summary>
    public static async Task<Dictionary<Key, long>> ContributionsAsync(AppDbContext db, IReadOnlyCollection<int> customerIds,
        CancellationToken ct = default)
    {
        var into = new Dictionary<Key, long>();
        (await FactsAsync(db, customerIds, ct)).ContributeTo(into, db.Venue.Zone);
        return into;
    }

    /// <summary>These customers with their tickets and sales, as the database holds them now.</summary>
    public sealed record Facts(List<CustomerFacts> Customers, List<TicketFacts> Tickets, List<SaleFacts> Sales)
    {
        public void ContributeTo(Dictionary<Key, long> into, TimeZoneInfo zone) => ContributeAll(into, Customers, Tickets, Sales, zone);
    }

    private static async Task<Facts> FactsAsync(AppDbContext db, IReadOnlyCollection<int> customerIds, CancellationToken ct)
    {
        if (customerIds.Count == 0) return new([], [], []);
        var ids = customerIds.ToArray();
        var customers = await db.Customers.Where(c => EF.Parameter(ids).Contains(c.Id))
            .Select(c => new CustomerFacts(c.Id, c.CreatedAt, c.Type, c.Status, c.City)).ToListAsync(ct);
        var tickets = await db.Tickets.Where(t => EF.Parameter(ids).Contains(t.CustomerId))
            .Select(t => new TicketFacts(t.CustomerId, t.Status, t.OpenedAt, t.ClosedAt, t.FinalAmount)).ToListAsync(ct);
        var sales = await db.Sales.Where(s => EF.Parameter(ids).Contains(s.CustomerId))
            .Select(s => new SaleFacts(s.CustomerId, s.SoldAt, s.Total)).ToListAsync(ct);
        return new(customers, tickets, sales);
    }

    private static void ContributeAll(Dictionary<Key, long> into, List<CustomerFacts> customers, List<TicketFacts> tickets,
        List<SaleFacts> sales, TimeZoneInfo zone)
    {
        var ticketsOf = tickets.ToLookup(t => t.CustomerId);
        var salesOf = sales.ToLookup(s => s.CustomerId);
        foreach (var c in customers)
            Contribute(into, c, ticketsOf[c.Id].ToList(), salesOf[c.Id].ToList(), zone);
    }

    /// <summary>
    /// Runs <paramref name="change"/> (which must not commit) between <see cref="BeginAsync"/> and
    /// <see cref="CompleteAsync"/>.
    /// </summary>
    public static async Task<T> TrackAsync<T>(AppDbContext db, IReadOnlyCollection<int> customerIds, Func<Task<T>> change,
        Func<IEnumerable<int>>? customersAfter = null, CancellationToken ct = default)
    {
        var tracked = await BeginAsync(db, customerIds, ct);
        var result = await change();
        await CompleteAsync(db, tracked, customersAfter?.Invoke(), ct);
        return result;
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
        await db.Sql().LockRowsAsync<Customer>(db, existing, ct);
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

    /// <summary>What adding customers and tickets moves, for a change that only adds them (the legacy import).</summary>
    /// <param name="Delta">The summary rows' changes.</param>
    /// <param name="TicketCounts">The new ticket count of every customer that got a ticket.</param>
    public sealed record Added(Dictionary<Key, long> Delta, Dictionary<int, int> TicketCounts);

    /// <summary>
    /// What adding <paramref name="newCustomers"/> and <paramref name="newTickets"/> to the customers of
    /// <paramref name="before"/> (read by <see cref="LockAndReadAsync"/>) moves: their contributions with the additions
    /// minus without, computed from facts alone (nothing is read, so the legacy import runs it on another thread while it
    /// writes its rows). Customers not yet written can carry any id that is unique and not a database id (the import uses
    /// negative ones) and be mapped to their real ids in <see cref="Added.TicketCounts"/> afterwards. (No other writer
    /// can add to the same customers meanwhile: SQLite has one writer, and on PostgreSQL their rows are locked.)
    /// </summary>
    public static Added AddedTo(Facts before, IReadOnlyCollection<CustomerFacts> newCustomers, IReadOnlyCollection<TicketFacts> newTickets,
        TimeZoneInfo zone)
    {
        var delta = new Dictionary<Key, long>();
        ContributeAll(delta, [.. before.Customers, .. newCustomers], [.. before.Tickets, .. newTickets], before.Sales, zone);
        var without = new Dictionary<Key, long>();
        before.ContributeTo(without, zone);
        foreach (var (key, value) in without) delta[key] = delta.GetValueOrDefault(key) - value;
        var changed = newTickets.Select(t => t.CustomerId).ToHashSet();
        var counts = changed.ToDictionary(id => id, _ => 0);
        foreach (var t in before.Tickets.Concat(newTickets))
        {
            if (changed.Contains(t.CustomerId)) counts[t.CustomerId]++;
        }
        return new(delta, counts);
    }

    /// <summary>Second half for <see cref="AddedTo"/>, before the commit: moves the summary and sets the ticket counts.</summary>
    public static async Task ApplyAddedAsync(AppDbContext db, Added added, CancellationToken ct = default)
    {
        await ApplyAsync(db, added.Delta, ct);
        // Set, not recounted.
        await db.Sql().SetByIdAsync<Customer>(db, nameof(Customer.TicketCount), added.TicketCounts, ct);
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
                    .Select(c => new CustomerFacts(c.Id, c.CreatedAt, c.Type, c.Status, c.City)).ToListAsync(ct);
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
                case Customer c when Relevant(e, nameof(Customer.CreatedAt), nameof(Customer.Type), nameof(Customer.Status), nameof(Customer.City)):
                    if (e.State != EntityState.Added) Get().Before.Add(c.Id);
                    Get().After.Add(() => c.Id);
                    break;
                case Ticket t when Relevant(e, nameof(Ticket.CustomerId), nameof(Ticket.Status), nameof(Ticket.OpenedAt), nameof(Ticket.ClosedAt), nameof(Ticket.FinalAmount)):
                    Owner(e, t.CustomerId, () => t.CustomerId);
                    break;
                case Sale s when Relevant(e, nameof(Sale.CustomerId), nameof(Sale.SoldAt), nameof(Sale.Total)):
                    Owner(e, s.CustomerId, () => s.CustomerId);
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
    }
}
