using CustomerAdmin.Data;
using CustomerAdmin.Data.Sql;
using CustomerAdmin.Features.Duplicates.Matching;
using Microsoft.EntityFrameworkCore;

namespace CustomerAdmin.Features.Duplicates.Scanning;

public sealed partial class DuplicateScanner
{
    public const string ReadingStage = "reading customers";
    public const string KeysStage = "writing blocking keys";
    public const string PairsStage = "writing pairs";
    public const string CatchUpStage = "checking customers changed meanwhile";

    private static readonly TimeSpan CatchUpMargin = TimeSpan.FromMinutes(1);

    private sealed record Outcome(int Customers, PairFinderResult Result, PairChanges Changes);

    private async Task<Outcome> ScanAsync(DuplicateScanProgress progress, CancellationToken ct)
    {
        var startedAt = Now;
        var (ids, keys, found, result) = await FindAsync(progress, ct);
        await WriteKeysAsync(ids, keys, progress, ct);
        var changes = await WritePairsAsync(ids, found, progress, ct);
        changes = changes.Plus(await CatchUpAsync(ids, startedAt, progress, ct));
        return new Outcome(ids.Length, result, changes);
    }

    /// <summary>
    /// Reads every profile, finds the pairs, and keeps of the profiles only what the writes need: the ids, the keys and
    /// the found pairs with their signatures. The profiles (most of the scan's memory) are given back before the writes
    /// fill the database's page cache, so the two never add up.
    /// </summary>
    private async Task<(int[] Ids, long[][] Keys, List<ScoredPair> Found, PairFinderResult Result)> FindAsync(
        DuplicateScanProgress progress, CancellationToken ct)
    {
        var profiles = await LoadProfilesAsync(progress, ct);
        var result = await Task.Run(() => PairFinder.FindPairs(profiles, new PairFinderOptions(), progress, ct), ct);
        var ids = new int[profiles.Count];
        var keys = new long[profiles.Count][];
        await Task.Run(() => Parallel.For(0, profiles.Count, new ParallelOptions { CancellationToken = ct }, i =>
        {
            ids[i] = profiles[i].Id;
            keys[i] = MatchKeys.For(profiles[i]);
        }), ct);
        MatchProfile ProfileOf(int id) => profiles[Array.BinarySearch(ids, id)];
        var found = new List<ScoredPair>(result.Pairs.Count);
        foreach (var p in result.Pairs)
        {
            var (a, b) = (ProfileOf(Math.Min(p.AId, p.BId)), ProfileOf(Math.Max(p.AId, p.BId)));
            if (DuplicatePairWriter.Pair(a, b, p.Score) is { } pair) found.Add(pair);
        }
        found.Sort((x, y) => x.AId != y.AId ? x.AId.CompareTo(y.AId) : x.BId.CompareTo(y.BId));
        profiles.Clear();
        profiles.TrimExcess();
        // A scan is rare and large: hand the profiles' memory back now rather than when the heap next grows.
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        return (ids, keys, found, result);
    }

    /// <summary>
    /// Every matchable customer's profile, in id order. The database is read on this thread while the previous batch's
    /// profiles are computed on the other core.
    /// </summary>
    private async Task<List<MatchProfile>> LoadProfilesAsync(DuplicateScanProgress progress, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        db.Database.SetCommandTimeout(TimeSpan.FromMinutes(30));
        var total = await db.Customers.Matchable().CountAsync(ct);
        progress.Report(ReadingStage, 0, total);
        var profiles = new List<MatchProfile>(total);
        var batch = new List<MatchRecord>(ReadBatch);
        Task<MatchProfile[]>? pending = null;
        await foreach (var record in db.Customers.AsNoTracking().Matchable().OrderBy(c => c.Id).ToMatchRecords().AsAsyncEnumerable().WithCancellation(ct))
        {
            batch.Add(record);
            if (batch.Count < ReadBatch) continue;
            if (pending is not null) profiles.AddRange(await pending);
            var records = batch;
            batch = new List<MatchRecord>(ReadBatch);
            pending = Task.Run(() => Profile(records), ct);
            progress.Report(ReadingStage, profiles.Count, total);
        }
        if (pending is not null) profiles.AddRange(await pending);
        profiles.AddRange(Profile(batch));
        progress.Report(ReadingStage, profiles.Count, Math.Max(total, profiles.Count));
        return profiles;
    }

    private static MatchProfile[] Profile(List<MatchRecord> records)
    {
        var profiles = new MatchProfile[records.Count];
        Parallel.For(0, records.Count, i => profiles[i] = MatchProfile.For(records[i]));
        return profiles;
    }

    /// <summary>
    /// Brings the blocking keys of the loaded customers' id range in line with their profiles, a slice per transaction:
    /// only customers whose keys differ are rewritten (a rescan of unchanged data reads and writes nothing else), and
    /// keys of customers in the range that are no longer matchable go. Customers created since the read, above the
    /// range, keep the keys their save wrote.
    /// </summary>
    private async Task WriteKeysAsync(int[] ids, long[][] keysOf, DuplicateScanProgress progress, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        db.Database.SetCommandTimeout(TimeSpan.FromMinutes(10));
        await db.Sql().BeginBulkWritesAsync(db, ct);
        try
        {
            var after = int.MinValue;
            for (var start = 0; start < ids.Length; start += KeysPerTransaction)
            {
                progress.Report(KeysStage, start, ids.Length);
                var end = Math.Min(start + KeysPerTransaction, ids.Length);
                var (from, upTo) = (after, ids[end - 1]);
                await using var tx = await db.Database.BeginTransactionAsync(ct);
                await DuplicateChecks.LockAsync(db, ct);
                var stored = new Dictionary<int, List<long>>();
                await foreach (var k in db.CustomerMatchKeys.AsNoTracking().Where(k => k.CustomerId > from && k.CustomerId <= upTo)
                    .Select(k => new { k.CustomerId, k.KeyHash }).AsAsyncEnumerable().WithCancellation(ct))
                {
                    if (!stored.TryGetValue(k.CustomerId, out var list)) stored[k.CustomerId] = list = new List<long>(8);
                    list.Add(k.KeyHash);
                }
                var write = new Dictionary<int, long[]>();
                var replace = new List<int>();
                for (var i = start; i < end; i++)
                {
                    var (id, keys) = (ids[i], keysOf[i]);
                    if (stored.Remove(id, out var old))
                    {
                        old.Sort();
                        if (old.SequenceEqual(keys)) continue;
                        replace.Add(id);
                    }
                    write[id] = keys;
                }
                // Left over: customers of the range that were not read (deleted or merged since their keys were written).
                replace.AddRange(stored.Keys);
                foreach (var chunk in replace.Chunk(1000))
                {
                    var gone = chunk.ToList();
                    await db.CustomerMatchKeys.Where(k => gone.Contains(k.CustomerId)).ExecuteDeleteAsync(ct);
                }
                await DuplicateChecks.WriteKeysAsync(db, write, ct);
                await tx.CommitAsync(ct);
                after = upTo;
            }
            progress.Report(KeysStage, ids.Length, ids.Length);
        }
        finally
        {
            await db.Sql().EndBulkWritesAsync(db);
        }
    }

    /// <summary>
    /// Reconciles the stored pairs with the found ones, by ranges of the lower customer id; pairs with a customer created
    /// since the read (above the loaded ids) are its save's, and kept.
    /// </summary>
    private async Task<PairChanges> WritePairsAsync(int[] ids, List<ScoredPair> found, DuplicateScanProgress progress, CancellationToken ct)
    {
        var lastLoaded = ids.Length > 0 ? ids[^1] : 0;
        var changes = PairChanges.None;
        await using var db = await factory.CreateDbContextAsync(ct);
        db.Database.SetCommandTimeout(TimeSpan.FromMinutes(10));
        var after = int.MinValue;
        var start = 0;
        do
        {
            progress.Report(PairsStage, start, found.Count);
            var end = Math.Min(start + PairsPerTransaction, found.Count);
            // A range ends with a whole customer's pairs.
            while (end < found.Count && end > start && found[end].AId == found[end - 1].AId) end++;
            var upTo = end < found.Count ? found[end - 1].AId : lastLoaded;
            var from = after;
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            await DuplicateChecks.LockAsync(db, ct);
            changes = changes.Plus(await DuplicatePairWriter.ApplyAsync(db,
                db.DuplicatePairs.Where(p => p.CustomerAId > from && p.CustomerAId <= upTo && p.CustomerBId <= lastLoaded),
                found.Skip(start).Take(end - start), Now, ct));
            await tx.CommitAsync(ct);
            after = upTo;
            start = end;
        }
        while (start < found.Count);
        progress.Report(PairsStage, found.Count, found.Count);
        return changes;
    }

    /// <summary>
    /// Customers saved while the scan ran were compared as they were when it read them: they are checked again now
    /// (their keys and pairs), and the queued checks the scan covered are dropped.
    /// </summary>
    private async Task<PairChanges> CatchUpAsync(int[] loaded, DateTime startedAt, DuplicateScanProgress progress, CancellationToken ct)
    {
        var lastLoaded = loaded.Length > 0 ? loaded[^1] : 0;
        List<int> changed;
        await using (var db = await factory.CreateDbContextAsync(ct))
        {
            // With a margin: a save that began before the scan may have committed after the read.
            var since = startedAt - CatchUpMargin;
            changed = await db.Customers.Where(c => c.UpdatedAt >= since && c.Id <= lastLoaded).Select(c => c.Id).ToListAsync(ct);
            var queued = await db.DuplicateCheckRequests.Where(r => r.QueuedAt < startedAt).Select(r => r.CustomerId).ToListAsync(ct);
            foreach (var chunk in queued.Where(id => Array.BinarySearch(loaded, id) >= 0).Chunk(1000))
            {
                var list = chunk.ToList();
                await db.DuplicateCheckRequests.Where(r => list.Contains(r.CustomerId)).ExecuteDeleteAsync(ct);
            }
        }
        var changes = PairChanges.None;
        for (var i = 0; i < changed.Count; i += 200)
        {
            progress.Report(CatchUpStage, i, changed.Count);
            await using var db = await factory.CreateDbContextAsync(ct);
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            changes = changes.Plus(await DuplicateChecks.CheckAsync(db, changed.Skip(i).Take(200).ToList(), Now, ct));
            await tx.CommitAsync(ct);
        }
        return changes;
    }

    /// <summary>
    /// Copies the progress to the run's row about once a second, which is also its sign of life; stops the scan when
    /// another process declared it interrupted meanwhile.
    /// </summary>
    private async Task HeartbeatAsync(int runId, DuplicateScanProgress progress, CancellationTokenSource stop)
    {
        var every = TimeSpan.FromTicks(Math.Min(TimeSpan.FromSeconds(1).Ticks, _options.InterruptedAfter.Ticks / 8));
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(every, time, stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            try
            {
                var (stage, done, total) = progress.Current;
                var now = Now;
                await using var db = await factory.CreateDbContextAsync(stop.Token);
                var alive = await db.DuplicateScanRuns.Where(r => r.Id == runId && r.Status == DuplicateScanStatus.Running)
                    .ExecuteUpdateAsync(s => s.SetProperty(r => r.Stage, Clip(stage, DuplicateScanRun.StageMax))
                        .SetProperty(r => r.Done, done).SetProperty(r => r.Total, total).SetProperty(r => r.HeartbeatAt, now), stop.Token);
                if (alive == 0) await stop.CancelAsync();
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (Exception ex)
            {
                // A busy or briefly unreachable database: the next beat tries again.
                logger.LogWarning(ex, "Duplicate scan {RunId}: could not record progress", runId);
            }
        }
    }

    private async Task<DuplicateScanRun> FinishAsync(int runId, DuplicateScanStatus status, string? error, Outcome? outcome)
    {
        // Not the scan's token: a cancelled scan still records how it ended.
        await using var db = await factory.CreateDbContextAsync();
        var run = await db.DuplicateScanRuns.FirstAsync(r => r.Id == runId);
        if (run.Status != DuplicateScanStatus.Running) return run;
        run.Status = status;
        run.FinishedAt = Now;
        run.HeartbeatAt = run.FinishedAt.Value;
        run.Error = error is null ? null : Clip(error, DuplicateScanRun.ErrorMax);
        if (outcome is { Result: var result, Changes: var changes })
        {
            run.Stage = "done";
            run.Done = run.Total = outcome.Customers;
            run.Customers = outcome.Customers;
            run.ComparedPairs = result.ComparedPairs;
            run.LikelyPairs = result.Pairs.Count(p => p.Score.Level == DuplicateLevel.Likely);
            run.PossiblePairs = result.Pairs.Count(p => p.Score.Level == DuplicateLevel.Possible);
            (run.PairsAdded, run.PairsReopened, run.PairsRemoved) = (changes.Added, changes.Reopened, changes.Removed);
            run.OversizedBlockCount = result.OversizedBlocks.Count;
            run.OversizedBlocks = result.OversizedBlocks.Count == 0 ? null : Clip(string.Join("; ", result.OversizedBlocks
                .OrderByDescending(b => b.Size).Take(OversizedListed).Select(b => $"{b.Key} ({b.Size:N0})")), DuplicateScanRun.OversizedBlocksMax);
            run.ModelJson = result.Model.ToJson();
        }
        await db.SaveChangesAsync();
        return run;
    }

    private static string Clip(string text, int max) => text.Length <= max ? text : text[..max];
}
