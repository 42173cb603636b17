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

    private sealed class Move(DashboardSummary.PendingSave pending) : KeeperWork
    {
        private DashboardSummary.Tracked? _before;

        public override async Task BeforeWriteAsync(AppDbContext db, CancellationToken ct) =>
            _before = await DashboardSummary.BeginAsync(db, pending.Before, ct);

        public override Task AfterWriteAsync(AppDbContext db, CancellationToken ct) =>
            DashboardSummary.CompleteAsync(db, _before!, pending.After.Select(id => id()), ct);
    }
}
