using CustomerAdmin.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;

namespace CustomerAdmin.Features.Duplicates.Scanning;

/// <summary>
/// Keeps a customer's blocking keys (<see cref="CustomerMatchKey"/>) and duplicate pairs right on every save that adds
/// a customer or changes a field the matcher reads (or its status: a deleted customer leaves the queue): after the
/// rows are written, <see cref="DuplicateChecks.CheckAsync"/> runs for those customers in the save's transaction.
/// Bulk paths queue their customers instead (<see cref="DuplicateChecks.QueueAsync"/>).
/// </summary>
public sealed class DuplicateMatchKeeper : DerivedDataKeeper
{
    public override string Name => "duplicate matching";

    public override KeeperWork? Inspect(AppDbContext db, ChangeTracker tracker, SaveInfo save)
    {
        List<Customer>? changed = null;
        foreach (var entry in tracker.Entries<Customer>())
        {
            if (entry.State == EntityState.Added
                || (entry.State == EntityState.Modified && entry.Properties.Any(p => MatchRecords.Fields.Contains(p.Metadata.Name) && Changed(p))))
                (changed ??= []).Add(entry.Entity);
        }
        return changed is null ? null : new Check(changed, save.Now);
    }

    private static bool Changed(PropertyEntry p) => p.IsModified && !Equals(Blank(p.OriginalValue), Blank(p.CurrentValue));

    private static object? Blank(object? value) => value is string { Length: 0 } ? null : value;

    private sealed class Check(List<Customer> customers, DateTime now) : KeeperWork
    {
        public override Task AfterWriteAsync(AppDbContext db, CancellationToken ct) =>
            DuplicateChecks.CheckAsync(db, customers.Select(c => c.Id).ToList(), now, ct);
    }
}
