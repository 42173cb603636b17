using CustomerAdmin.Data;
using Microsoft.EntityFrameworkCore.ChangeTracking;

namespace CustomerAdmin.Features.Dashboard;

/// <summary>
/// Keeps the dashboard summary (<see cref="DashboardTotal"/> rows) and each customer's ticket count on every save
/// that touches what they count: the affected customers' contributions are read before the change and after it, and
/// the summary moves by the difference, in the same transaction.
/// </summary>
public sealed class DashboardSummaryKeeper : DerivedDataKeeper
{
    public override string Name => "dashboard summary";

    public override KeeperWork? Inspect(AppDbContext db, ChangeTracker tracker, SaveInfo save) =>
        DashboardSummary.Pending(tracker) is { } pending ? new Move(pending) : null;

    /// <summary>
    /// The bulk path for rows added without change tracking (the legacy import's new customers and tickets): locks and
    /// reads the existing customers among them now; <see cref="Addition.Start"/> computes what the additions move on
    /// another thread while the rows are written; <see cref="Addition.ApplyAsync"/> applies it, in the same transaction.
    /// </summary>
    public static async Task<Addition> BeginAddingAsync(AppDbContext db, IEnumerable<int> existingCustomerIds, CancellationToken ct) =>
        new(await DashboardSummary.LockAndReadAsync(db, existingCustomerIds, ct), db.Venue.Zone);

    /// <summary>
    /// The bulk path for rows changed or deleted without change tracking (an import's undo; a merge): the customers'
    /// contributions before, then <see cref="CompleteChangeAsync"/> after, as a save does.
    /// </summary>
    public static Task<DashboardSummary.Tracked> BeginChangeAsync(AppDbContext db, IEnumerable<int> customerIds, CancellationToken ct) =>
        DashboardSummary.BeginAsync(db, customerIds, ct);

    public static Task CompleteChangeAsync(AppDbContext db, DashboardSummary.Tracked before, CancellationToken ct) =>
        DashboardSummary.CompleteAsync(db, before, ct: ct);

    /// <summary>An addition in progress; see <see cref="BeginAddingAsync"/>.</summary>
    public sealed class Addition(DashboardContributions.Facts before, TimeZoneInfo zone)
    {
        private Task<DashboardContributions.Added>? _added;

        /// <summary>
        /// Starts computing what the new customers and tickets add (pure computation on facts). Customers not written yet
        /// carry stand-in ids (negative: never a database id), mapped to their real ids by <see cref="ApplyAsync"/>.
        /// </summary>
        public void Start(IReadOnlyCollection<DashboardContributions.CustomerFacts> newCustomers,
            IReadOnlyCollection<DashboardContributions.TicketFacts> newTickets, CancellationToken ct) =>
            _added = Task.Run(() => DashboardContributions.AddedTo(before, newCustomers, newTickets, zone), ct);

        /// <param name="realIds">Stand-in id to the id the database gave the customer.</param>
        public async Task ApplyAsync(AppDbContext db, IReadOnlyDictionary<int, int> realIds, CancellationToken ct)
        {
            var added = await (_added ?? throw new InvalidOperationException("Start the addition first."));
            foreach (var (id, count) in added.TicketCounts.Where(c => c.Key < 0).ToList())
            {
                added.TicketCounts.Remove(id);
                added.TicketCounts[realIds[id]] = count;
            }
            await DashboardSummary.ApplyAddedAsync(db, added, ct);
        }
    }

    private sealed class Move(DashboardSummary.PendingSave pending) : KeeperWork
    {
        private DashboardSummary.Tracked? _before;
        private DashboardContributions.Facts? _facts;

        public override async Task BeforeWriteAsync(AppDbContext db, CancellationToken ct)
        {
            if (pending.OnlyAddsTickets) _facts = await DashboardSummary.LockAndReadAsync(db, pending.Before, ct);
            else _before = await DashboardSummary.BeginAsync(db, pending.Before, ct);
        }

        public override Task AfterWriteAsync(AppDbContext db, CancellationToken ct)
        {
            if (_facts is null) return DashboardSummary.CompleteAsync(db, _before!, pending.After.Select(id => id()), ct);
            // Tickets added to existing customers: the move is computed from the facts read before (the customers are
            // locked since) and the new rows, as for the legacy import's batches, instead of reading them all again and
            // recounting the ticket counts.
            var added = pending.AddedTickets.Select(t => new DashboardContributions.TicketFacts(t.CustomerId, t.Status, t.OpenedAt, t.ClosedAt, t.FinalAmount)).ToList();
            return DashboardSummary.ApplyAddedAsync(db, DashboardContributions.AddedTo(_facts, [], added, db.Venue.Zone), ct);
        }
    }
}
