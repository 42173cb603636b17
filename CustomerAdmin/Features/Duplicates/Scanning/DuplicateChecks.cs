using CustomerAdmin.Data;
using CustomerAdmin.Data.Sql;
using CustomerAdmin.Features.Duplicates.Matching;
using Microsoft.EntityFrameworkCore;

namespace CustomerAdmin.Features.Duplicates.Scanning;

/// <summary>
/// The check after a create, edit or import, for the changed customers only: their blocking keys are rewritten, their
/// candidates are the customers sharing a key (a key shared by more than <see cref="MaxBlockSize"/> is skipped, as the
/// full scan skips it), scored with the last scan's model, and their pairs reconciled (<see cref="DuplicatePairWriter"/>).
/// Runs in the caller's transaction: the save's own (<see cref="DuplicateMatchKeeper"/>), the queue worker's, the
/// scan's catch-up.
/// </summary>
public static class DuplicateChecks
{
    /// <summary>Customers sharing one key beyond which the key finds no candidates (the full scan's cap).</summary>
    public const int MaxBlockSize = PairFinder.MaxBlockSize;

    /// <summary>Pairs kept per checked customer, surest first.</summary>
    public const int MaxCandidates = 50;

    /// <summary>Writers of pairs and keys queue on this lock (PostgreSQL; SQLite has one writer anyway).</summary>
    private const long PairsLockKey = 0x4475704B657973; // "DupKeys"

    /// <summary>Takes the pairs' lock until the transaction ends, so two checks never insert one pair twice.</summary>
    public static Task LockAsync(AppDbContext db, CancellationToken ct) => db.Sql().AdvisoryLockAsync(db, PairsLockKey, ct);

    /// <summary>Checks these customers (any status: a deleted one loses its keys and its open pairs). In a transaction.</summary>
    public static async Task<PairChanges> CheckAsync(AppDbContext db, IReadOnlyCollection<int> customerIds, DateTime now, CancellationToken ct)
    {
        if (customerIds.Count == 0) return PairChanges.None;
        await LockAsync(db, ct);
        var model = await MatchModels.CurrentAsync(db, ct);
        var ids = customerIds.Distinct().ToList();
        var subjects = new List<MatchProfile>(ids.Count);
        foreach (var record in await db.Customers.AsNoTracking().Where(c => ids.Contains(c.Id)).Matchable().ToMatchRecords().ToListAsync(ct))
            subjects.Add(MatchProfile.For(record));
        var keysOf = subjects.ToDictionary(p => p.Id, MatchKeys.For);

        await db.CustomerMatchKeys.Where(k => ids.Contains(k.CustomerId)).ExecuteDeleteAsync(ct);
        await WriteKeysAsync(db, keysOf, ct);

        var found = await ScoreAsync(db, subjects, keysOf, model, MaxCandidates, ct);
        return await DuplicatePairWriter.ApplyAsync(db,
            db.DuplicatePairs.Where(p => ids.Contains(p.CustomerAId) || ids.Contains(p.CustomerBId)), found, now, ct);
    }

    /// <summary>Writes keys (key order: each index page is filled once).</summary>
    public static async Task WriteKeysAsync(AppDbContext db, IReadOnlyDictionary<int, long[]> keysOf, CancellationToken ct)
    {
        var rows = new List<CustomerMatchKey>();
        foreach (var (id, hashes) in keysOf)
            foreach (var hash in hashes)
                rows.Add(new CustomerMatchKey { KeyHash = hash, CustomerId = id });
        rows.Sort((x, y) => x.KeyHash != y.KeyHash ? x.KeyHash.CompareTo(y.KeyHash) : x.CustomerId.CompareTo(y.CustomerId));
        await using var open = await db.Database.KeepConnectionOpenAsync(ct);
        await using var inserter = new RowInserter<CustomerMatchKey>(db);
        foreach (var row in rows) await inserter.AddAsync(row, ct);
        await inserter.FlushAsync(ct);
    }

    /// <summary>
    /// The pairs of each subject with the stored customers sharing one of its keys (each key's block capped), scored;
    /// also the pairs among the subjects themselves when they share a key.
    /// </summary>
    public static async Task<List<ScoredPair>> ScoreAsync(AppDbContext db, IReadOnlyList<MatchProfile> subjects,
        IReadOnlyDictionary<int, long[]> keysOf, MatchModel model, int maxPerSubject, CancellationToken ct)
    {
        var blocks = await BlocksAsync(db, keysOf.Values.SelectMany(k => k).Distinct().ToList(), ct);
        var others = await ProfilesAsync(db, blocks.Values.SelectMany(b => b), subjects, ct);
        var found = new List<ScoredPair>();
        foreach (var subject in subjects)
        {
            var sharing = new HashSet<int>();
            foreach (var hash in keysOf[subject.Id])
                if (blocks.TryGetValue(hash, out var members))
                    sharing.UnionWith(members);
            sharing.Remove(subject.Id);
            if (sharing.Count == 0) continue;
            var candidates = PairFinder.Candidates(subject, sharing.Where(others.ContainsKey).Select(id => others[id]), model, maxPerSubject);
            foreach (var (other, score) in candidates)
                if (DuplicatePairWriter.Pair(subject, other, score) is { } pair) found.Add(pair);
        }
        return found;
    }

    /// <summary>The customers holding each key, for the keys held by at most <see cref="MaxBlockSize"/> customers (<see cref="MatchKeySql"/>).</summary>
    public static Task<Dictionary<long, List<int>>> BlocksAsync(AppDbContext db, IReadOnlyList<long> hashes, CancellationToken ct) =>
        MatchKeySql.HoldersAsync(db, hashes, MaxBlockSize, ct);

    /// <summary>Profiles of these customers (the matchable ones), reusing those already computed.</summary>
    private static async Task<Dictionary<int, MatchProfile>> ProfilesAsync(AppDbContext db, IEnumerable<int> ids,
        IReadOnlyList<MatchProfile> known, CancellationToken ct)
    {
        var profiles = known.ToDictionary(p => p.Id);
        var missing = ids.Where(id => !profiles.ContainsKey(id)).Distinct().ToList();
        foreach (var chunk in missing.Chunk(2000))
        {
            var list = chunk.ToList();
            // One array parameter (json_each / ANY): one query plan whatever the count, and quicker than 300 parameters.
            foreach (var record in await db.Customers.AsNoTracking().Where(c => EF.Parameter(list).Contains(c.Id)).Matchable().ToMatchRecords().ToListAsync(ct))
                profiles[record.Id] = MatchProfile.For(record);
        }
        return profiles;
    }

    /// <summary>Queues customers written by a bulk path for the background check, in the caller's transaction.</summary>
    public static async Task QueueAsync(AppDbContext db, IEnumerable<int> customerIds, DateTime now, CancellationToken ct)
    {
        var ids = customerIds.Distinct().Order().ToList();
        if (ids.Count == 0) return;
        await using var open = await db.Database.KeepConnectionOpenAsync(ct);
        // A customer still waiting (an import's new customer its later rows updated) is checked once, as it is then.
        var waiting = new HashSet<int>();
        foreach (var chunk in ids.Chunk(10_000))
        {
            var list = chunk.ToList();
            waiting.UnionWith(await db.DuplicateCheckRequests.AsNoTracking().Where(r => EF.Parameter(list).Contains(r.CustomerId))
                .Select(r => r.CustomerId).ToListAsync(ct));
        }
        await using var inserter = new RowInserter<DuplicateCheckRequest>(db);
        foreach (var id in ids.Where(id => !waiting.Contains(id)))
            await inserter.AddAsync(new DuplicateCheckRequest { CustomerId = id, QueuedAt = now }, ct);
        await inserter.FlushAsync(ct);
    }
}
