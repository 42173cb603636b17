using CustomerAdmin.Data;
using CustomerAdmin.Features.Duplicates.Matching;
using Microsoft.EntityFrameworkCore;

namespace CustomerAdmin.Features.Duplicates.Scanning;

/// <summary>A pair as the matcher scores it now (<see cref="AId"/> &lt; <see cref="BId"/>).</summary>
public readonly record struct ScoredPair(int AId, int BId, double Score, DuplicateLevel Level, string Reasons, string Signature);

/// <summary>What reconciling the stored pairs with the found ones changed.</summary>
public sealed record PairChanges(int Added, int Updated, int Reopened, int Removed)
{
    public static PairChanges None { get; } = new(0, 0, 0, 0);
    public PairChanges Plus(PairChanges o) => new(Added + o.Added, Updated + o.Updated, Reopened + o.Reopened, Removed + o.Removed);
}

/// <summary>
/// Brings the stored <see cref="DuplicatePair"/> rows of one scope (the pairs of the customers a check looked at, or a
/// range of the full scan) in line with what the matcher found there: a new pair is added open; a found pair gets its
/// new score, level, reasons and signature; a "not the same" decision holds while the pair's signature agrees and is
/// reopened when it does not (one of the two changed a matching field); an open or skipped pair that is no longer found
/// is removed; merged pairs are left as they are. The caller holds the transaction and <see cref="DuplicateChecks.LockAsync"/>.
/// </summary>
public static class DuplicatePairWriter
{
    /// <summary>Scores below this difference are the same score (no row rewritten for float noise).</summary>
    private const double ScoreTolerance = 1e-6;

    /// <summary>The pair's signature (both profiles' signatures, order-free), as stored with a decision.</summary>
    public static string Signature(MatchProfile a, MatchProfile b) => MatchProfile.PairSignature(a, b)[..DuplicatePair.SignatureMax];

    public static string Reasons(IReadOnlyList<string> reasons)
    {
        var text = string.Join("; ", reasons);
        return text.Length <= DuplicatePair.ReasonsMax ? text : text[..DuplicatePair.ReasonsMax];
    }

    /// <summary>The scored pair of two profiles, or null when the score is below "possible".</summary>
    public static ScoredPair? Pair(MatchProfile a, MatchProfile b, PairScore score) =>
        score.Level is { } level
            ? new ScoredPair(Math.Min(a.Id, b.Id), Math.Max(a.Id, b.Id), score.Score, level, Reasons(score.Reasons), Signature(a, b))
            : null;

    /// <param name="scope">The stored pairs the found ones replace; every found pair must lie inside it.</param>
    public static async Task<PairChanges> ApplyAsync(AppDbContext db, IQueryable<DuplicatePair> scope, IEnumerable<ScoredPair> found,
        DateTime now, CancellationToken ct)
    {
        var existing = await scope.AsNoTracking()
            .Select(p => new Existing(p.Id, p.CustomerAId, p.CustomerBId, p.State, p.Signature, p.Score, p.Level, p.Reasons, p.Version))
            .ToDictionaryAsync(p => (p.A, p.B), ct);
        var (added, updated, reopened) = (0, 0, 0);
        var seen = new HashSet<(int, int)>();
        await using var open = await db.Database.KeepConnectionOpenAsync(ct);
        await using (var inserter = new RowInserter<DuplicatePair>(db))
        {
            foreach (var f in found)
            {
                if (!seen.Add((f.AId, f.BId))) continue;
                if (!existing.TryGetValue((f.AId, f.BId), out var e))
                {
                    await inserter.AddAsync(new DuplicatePair
                    {
                        CustomerAId = f.AId, CustomerBId = f.BId, Score = f.Score, Level = f.Level, Reasons = f.Reasons,
                        Signature = f.Signature, State = DuplicatePairState.Open, FoundAt = now, UpdatedAt = now, Version = 1,
                    }, ct);
                    added++;
                    continue;
                }
                if (e.State == DuplicatePairState.Merged) continue;
                var reopen = (e.State is DuplicatePairState.NotSame or DuplicatePairState.Skipped) && e.Signature != f.Signature;
                if (!reopen && Math.Abs(e.Score - f.Score) < ScoreTolerance && e.Level == f.Level && e.Reasons == f.Reasons && e.Signature == f.Signature)
                    continue;
                var state = reopen ? DuplicatePairState.Open : e.State;
                // Only over the version read: a reviewer's decision made meanwhile wins, and the next check sees it.
                var changed = await db.DuplicatePairs.Where(p => p.Id == e.Id && p.Version == e.Version).ExecuteUpdateAsync(s => s
                    .SetProperty(p => p.Score, f.Score).SetProperty(p => p.Level, f.Level).SetProperty(p => p.Reasons, f.Reasons)
                    .SetProperty(p => p.Signature, f.Signature).SetProperty(p => p.State, state).SetProperty(p => p.UpdatedAt, now)
                    .SetProperty(p => p.DecidedAt, p => reopen ? null : p.DecidedAt).SetProperty(p => p.DecidedBy, p => reopen ? null : p.DecidedBy)
                    .SetProperty(p => p.Version, e.Version + 1), ct);
                if (changed == 0) continue;
                if (reopen) reopened++;
                else updated++;
            }
            await inserter.FlushAsync(ct);
        }

        var gone = existing.Values
            .Where(e => (e.State is DuplicatePairState.Open or DuplicatePairState.Skipped) && !seen.Contains((e.A, e.B)))
            .Select(e => e.Id).ToList();
        var removed = 0;
        foreach (var chunk in gone.Chunk(1000))
        {
            var ids = chunk.ToList();
            // Decided meanwhile: kept.
            removed += await db.DuplicatePairs
                .Where(p => ids.Contains(p.Id) && (p.State == DuplicatePairState.Open || p.State == DuplicatePairState.Skipped))
                .ExecuteDeleteAsync(ct);
        }
        return new PairChanges(added, updated, reopened, removed);
    }

    private sealed record Existing(long Id, int A, int B, DuplicatePairState State, string Signature, double Score,
        DuplicateLevel Level, string Reasons, int Version);
}
