using System.Collections.Concurrent;
using System.Diagnostics;

namespace CustomerAdmin.Features.Duplicates.Matching;

public sealed record PairFinderOptions(int MaxBlockSize = PairFinder.MaxBlockSize, MatchModel? Model = null /* null: estimate by EM */);

public sealed record PairFinderResult(IReadOnlyList<FoundPair> Pairs, MatchModel Model,
    IReadOnlyList<(string Key, int Size)> OversizedBlocks, long ComparedPairs);

/// <summary>A pair at "possible" or above; <see cref="AId"/> is the lower customer id.</summary>
public sealed record FoundPair(int AId, int BId, PairScore Score);

public readonly record struct PairFinderProgress(string Stage, long Done, long Total);

/// <summary>
/// The scan's core, in memory: blocking on several keys per profile, each pair compared once (in the block of the
/// first key the two share, oversized blocks skipped and reported), the comparison patterns counted for EM, the model
/// estimated, then the pairs that can reach "possible" scored with their reasons. Blocks are compared in parallel.
/// The database scan and the quality benchmark both run this.
/// </summary>
public static class PairFinder
{
    /// <summary>A name carried by at most this many customers in the data is rare (see <see cref="MatchField.NameRarity"/>).</summary>
    public const int RareNameMax = 5;

    /// <summary>
    /// A key shared by more customers than this is reported as oversized and not compared within, in the scan and in
    /// the check after each change alike. At a million customers, 300 found as many true pairs as 1,000 did, with 40
    /// rather than 51 million comparisons, and keeps the check's reads small (docs/benchmarks.md).
    /// </summary>
    public const int MaxBlockSize = 300;

    public static PairFinderResult FindPairs(IReadOnlyList<MatchProfile> profiles, PairFinderOptions options,
        IProgress<PairFinderProgress>? progress = null, CancellationToken ct = default)
    {
        var n = profiles.Count;

        // 1. Each profile's key hashes, sorted: the order decides which shared key "owns" a pair.
        progress?.Report(new("keys", 0, n));
        var keys = new ulong[n][];
        var nameKeys = new ulong[n];
        Parallel.For(0, n, new ParallelOptions { CancellationToken = ct }, i =>
        {
            nameKeys[i] = profiles[i].NameKey is { } nameKey ? KeyHash(nameKey) : 0;
            var own = profiles[i].BlockingKeys;
            var hashes = new ulong[own.Count];
            for (var k = 0; k < own.Count; k++) hashes[k] = KeyHash(own[k]);
            Array.Sort(hashes);
            keys[i] = hashes;
        });
        progress?.Report(new("keys", n, n));

        // 2. Blocks: every (key, profile) entry sorted by key; a run of one key is a block.
        long entryCount = 0;
        foreach (var k in keys) entryCount += k.Length;
        var entryKeys = new ulong[entryCount];
        var entryProfiles = new int[entryCount];
        long e = 0;
        for (var i = 0; i < n; i++)
        {
            foreach (var h in keys[i])
            {
                entryKeys[e] = h;
                entryProfiles[e++] = i;
            }
        }
        Array.Sort(entryKeys, entryProfiles);
        var blocks = new List<(int Start, int Length)>();
        var oversized = new HashSet<ulong>();
        var oversizedBlocks = new List<(string Key, int Size)>();
        for (var start = 0; start < entryCount;)
        {
            var end = start + 1;
            while (end < entryCount && entryKeys[end] == entryKeys[start]) end++;
            var size = end - start;
            if (size > options.MaxBlockSize)
            {
                oversized.Add(entryKeys[start]);
                var hash = entryKeys[start];
                var name = profiles[entryProfiles[start]].BlockingKeys.FirstOrDefault(k => KeyHash(k) == hash) ?? hash.ToString("x16");
                oversizedBlocks.Add((name, size));
            }
            else if (size > 1) blocks.Add((start, size));
            start = end;
        }
        var rare = new bool[n];
        Parallel.For(0, n, i => rare[i] = nameKeys[i] != 0 && CountOf(entryKeys, nameKeys[i]) <= RareNameMax);
        progress?.Report(new("blocks", blocks.Count, blocks.Count));
        ct.ThrowIfCancellationRequested();

        // 3. Compare each pair once; count every pattern (for EM), keep those with two kinds of agreement.
        var patterns = new ConcurrentDictionary<int, long>();
        var kept = new ConcurrentBag<List<Kept>>();
        long compared = 0;
        long blocksDone = 0;
        var reportEvery = Math.Max(1, blocks.Count / 100);
        Parallel.For(0, blocks.Count, new ParallelOptions { CancellationToken = ct },
            () => new Local(),
            (b, _, local) =>
            {
                var (start, length) = blocks[b];
                var owner = entryKeys[start];
                // EM learns from pairs that share who they are (a name's sound, a phone, an email, an organisation's
                // word), not from neighbours who share only a postcode: among those, "same postcode" would pass for
                // "same customer".
                var teaches = owner >> 60 < PlaceRank;
                for (var x = start; x < start + length; x++)
                {
                    var ia = entryProfiles[x];
                    for (var y = x + 1; y < start + length; y++)
                    {
                        var ib = entryProfiles[y];
                        // Two keys of one profile with one hash (a collision) must not pair it with itself.
                        if (ia == ib || FirstSharedKey(keys[ia], keys[ib], oversized) != owner) continue;
                        var c = FieldComparer.Compare(profiles[ia], profiles[ib], rare[ia] && rare[ib]);
                        local.Compared++;
                        if (teaches) local.Patterns[c.Pattern] = local.Patterns.GetValueOrDefault(c.Pattern) + 1;
                        if (Comparison.CanBeDuplicate(c.Pattern)) local.Keep.Add(new Kept(ia, ib, c));
                    }
                }
                var done = Interlocked.Increment(ref blocksDone);
                if (done % reportEvery == 0) progress?.Report(new("compare", done, blocks.Count));
                return local;
            },
            local =>
            {
                Interlocked.Add(ref compared, local.Compared);
                foreach (var (pattern, count) in local.Patterns) patterns.AddOrUpdate(pattern, count, (_, old) => old + count);
                kept.Add(local.Keep);
            });
        progress?.Report(new("compare", blocks.Count, blocks.Count));

        // 4. The model: given, or estimated from this data's own patterns.
        progress?.Report(new("estimate", 0, 1));
        var model = options.Model ?? MatchModel.EstimateFromPatterns(patterns, MatchModel.Prior);
        progress?.Report(new("estimate", 1, 1));

        // 5. Score what can reach "possible"; reasons only for those that do.
        var candidates = kept.SelectMany(l => l).ToArray();
        var found = new ConcurrentBag<FoundPair>();
        Parallel.For(0, candidates.Length, new ParallelOptions { CancellationToken = ct }, i =>
        {
            var (ia, ib, c) = candidates[i];
            var score = model.ScorePattern(c.Pattern);
            if (model.LevelOf(c.Pattern, score) is not { } level) return;
            var (a, b) = profiles[ia].Id < profiles[ib].Id ? (profiles[ia], profiles[ib]) : (profiles[ib], profiles[ia]);
            var reasons = MatchReasons.For(a, b, c);
            found.Add(new FoundPair(a.Id, b.Id, new PairScore(score, level, reasons)));
        });
        var pairs = found.OrderByDescending(p => p.Score.Score).ThenBy(p => p.AId).ThenBy(p => p.BId).ToList();
        progress?.Report(new("score", candidates.Length, candidates.Length));
        Debug.Assert(pairs.All(p => p.AId < p.BId));
        return new PairFinderResult(pairs, model, oversizedBlocks.OrderByDescending(o => o.Size).ToList(), compared);
    }

    /// <summary>
    /// Candidates for one (changed or typed) profile among others, for example those sharing a blocking key with it:
    /// at "possible" or above, highest score first, at most <paramref name="max"/>; the profile itself is skipped.
    /// </summary>
    public static IReadOnlyList<(MatchProfile Other, PairScore Score)> Candidates(MatchProfile profile,
        IEnumerable<MatchProfile> sharingAKey, MatchModel model, int max)
    {
        var results = new List<(MatchProfile Other, double Score, int Pattern)>();
        var seen = new HashSet<int>();
        var others = new List<MatchProfile>();
        var nameKey = profile.NameKey;
        var sameName = 1;
        foreach (var other in sharingAKey)
        {
            if (other.Id == profile.Id || !seen.Add(other.Id)) continue;
            others.Add(other);
            if (nameKey is not null && other.NameKey == nameKey) sameName++;
        }
        var rare = nameKey is not null && sameName <= RareNameMax;
        foreach (var other in others)
        {
            var c = FieldComparer.Compare(profile, other, rare);
            var score = model.ScorePattern(c.Pattern);
            if (model.LevelOf(c.Pattern, score) is null) continue;
            results.Add((other, score, c.Pattern));
        }
        return results.OrderByDescending(r => r.Score).Take(max)
            .Select(r => (r.Other, model.Score(profile, r.Other, rare)))
            .ToList();
    }

    private const ulong PlaceRank = 5;

    /// <summary>
    /// A key's hash with its kind in the top 4 bits, so that sorted keys put names, phones and emails before places: a
    /// pair is compared in the block of the first kind it shares, and that kind says whether it can teach EM.
    /// </summary>
    private static ulong KeyHash(string key)
    {
        ulong rank = key.AsSpan(0, Math.Min(3, key.Length)) switch
        {
            "nm:" => 0, "ln:" => 1, "ph:" => 2, "em:" => 3, "og:" => 4, "pc:" => PlaceRank, _ => 6,
        };
        return (rank << 60) | (MatchText.Hash(key) >> 4);
    }

    /// <summary>How many entries carry a key (the sorted keys' run of it).</summary>
    private static int CountOf(ulong[] sorted, ulong key)
    {
        int lo = 0, hi = sorted.Length;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (sorted[mid] < key) lo = mid + 1;
            else hi = mid;
        }
        var count = 0;
        while (lo + count < sorted.Length && sorted[lo + count] == key && count <= RareNameMax) count++;
        return count;
    }

    /// <summary>The smallest key two profiles share that is not oversized; 0 when none (a zero hash is vanishingly rare).</summary>
    private static ulong FirstSharedKey(ulong[] a, ulong[] b, HashSet<ulong> oversized)
    {
        int i = 0, j = 0;
        while (i < a.Length && j < b.Length)
        {
            if (a[i] < b[j]) i++;
            else if (a[i] > b[j]) j++;
            else
            {
                if (oversized.Count == 0 || !oversized.Contains(a[i])) return a[i];
                i++;
                j++;
            }
        }
        return 0;
    }

    private readonly record struct Kept(int A, int B, Comparison Comparison);

    private sealed class Local
    {
        public long Compared;
        public readonly Dictionary<int, long> Patterns = [];
        public readonly List<Kept> Keep = [];
    }
}
