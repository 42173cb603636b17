using CustomerAdmin.Common;
using CustomerAdmin.Data;
using Microsoft.EntityFrameworkCore;

namespace CustomerAdmin.Features.Duplicates.Review;

/// <summary>
/// The queue's decisions short of a merge: <see cref="DuplicatePairState.NotSame"/> (remembered: the pair comes back
/// only when a matching field of either customer changes, which the scan sees by the pair's signature) and
/// <see cref="DuplicatePairState.Skipped"/> (out of the default view, still open to a filter). Two reviewers deciding
/// one pair at once: the second gets a clear message.
/// </summary>
public sealed class ReviewOperations(IDbContextFactory<AppDbContext> dbFactory, TimeProvider time)
{
    public async Task<DuplicatePair> DecideAsync(long pairId, int expectedVersion, DuplicatePairState state, string? actor = null,
        CancellationToken ct = default)
    {
        if (state is not (DuplicatePairState.NotSame or DuplicatePairState.Skipped or DuplicatePairState.Open))
            throw new RuleViolationException("Use Merge… to merge the two customers.");
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        if (actor is not null) db.Actor = actor;
        var pair = await db.DuplicatePairs.FirstOrDefaultAsync(p => p.Id == pairId, ct)
            ?? throw new RuleViolationException("This pair is no longer in the queue (the records were rescored or merged meanwhile).");
        if (pair.State == DuplicatePairState.Merged)
            throw new RuleViolationException("These two customers have already been merged.");
        var now = time.GetUtcNow().UtcDateTime;
        db.Entry(pair).Property(p => p.Version).OriginalValue = expectedVersion;
        pair.State = state;
        pair.DecidedAt = state == DuplicatePairState.Open ? null : now;
        pair.DecidedBy = state == DuplicatePairState.Open ? null : db.Actor;
        pair.UpdatedAt = now;
        pair.Version = expectedVersion + 1;
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            throw new RuleViolationException("Someone decided this pair meanwhile; it has been reloaded.");
        }
        return pair;
    }
}
