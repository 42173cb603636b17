using System.Diagnostics;
using CustomerAdmin.Data;
using CustomerAdmin.Features.Duplicates.Matching;

namespace CustomerAdmin.Benchmarks.Duplicates;

/// <summary>
/// <c>duplicates-quality --records N</c>: generates N customers with known duplicates (<see cref="DuplicateGenerator"/>),
/// runs the scan's core (<see cref="PairFinder.FindPairs"/>, weights estimated by EM on this data) and prints
/// precision, recall and F1 at "likely" and at "likely or possible", beside exact phone-or-email matching on the same
/// records; then time, compared pairs, oversized blocks, peak working set, and the one-customer check's latency.
/// </summary>
public static class DuplicateQualityBenchmark
{
    public static void Run(string[] args)
    {
        string? Text(string name) => Array.IndexOf(args, name) is var i and >= 0 ? args[i + 1] : null;
        var records = Text("--records") is { } r ? int.Parse(r) : 10_000;
        var maxBlock = Text("--max-block") is { } m ? int.Parse(m) : PairFinder.MaxBlockSize;

        var total = Stopwatch.StartNew();
        var generated = new DuplicateGenerator().Generate(records);
        var generateTime = total.Elapsed;
        if (args.Contains("--profile-cost"))
        {
            ProfileCost(generated.Select(g => g.Record).ToList());
            return;
        }
        var entityOf = new int[generated.Count + 1];
        foreach (var g in generated) entityOf[g.Record.Id] = g.Entity;
        var baseline = ExactPhoneOrEmail(generated);

        var watch = Stopwatch.StartNew();
        var profiles = new MatchProfile[generated.Count];
        Parallel.For(0, generated.Count, i => profiles[i] = MatchProfile.For(generated[i].Record));
        var profileTime = watch.Elapsed;
        var explain = Text("--explain") is { } x ? int.Parse(x) : 0;
        var kept = explain > 0 ? generated : null;
        generated = null;
        // Give the generator's garbage back to the system: the working set below is the profiles' and the scan's.
        GC.Collect(2, GCCollectionMode.Aggressive, true, true);
        GC.WaitForPendingFinalizers();
        var before = Environment.WorkingSet;
        var profilesHeap = GC.GetTotalMemory(true);

        long peak = before;
        using var sampling = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!sampling.IsCancellationRequested)
            {
                peak = Math.Max(peak, Environment.WorkingSet);
                try { await Task.Delay(50, sampling.Token); } catch (OperationCanceledException) { }
            }
        });
        watch.Restart();
        var lastStage = "";
        var result = PairFinder.FindPairs(profiles, new PairFinderOptions(maxBlock), new ConsoleProgress(stage =>
        {
            if (stage == lastStage) return;
            lastStage = stage;
            Console.Error.WriteLine($"  {watch.Elapsed.TotalSeconds,6:0.0} s  {stage}");
        }));
        var findTime = watch.Elapsed;
        sampling.Cancel();
        sampler.Wait();
        peak = Math.Max(peak, Environment.WorkingSet);

        var truth = TruePairs(entityOf);
        var likely = result.Pairs.Where(p => p.Score.Level == DuplicateLevel.Likely).Select(p => Key(p.AId, p.BId)).ToList();
        var either = result.Pairs.Select(p => Key(p.AId, p.BId)).ToList();
        var checkTimes = CheckLatency(profiles, result.Model, maxBlock);

        Console.WriteLine();
        Console.WriteLine($"{profiles.Length:N0} records, {entityOf.Skip(1).Distinct().Count():N0} real customers, {truth:N0} true pairs; " +
            $"{Environment.ProcessorCount} cores; {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC");
        Console.WriteLine();
        Console.WriteLine("| Matching | Pairs | Precision | Recall | F1 |");
        Console.WriteLine("| --- | ---: | ---: | ---: | ---: |");
        Console.WriteLine(Row("PairFinder, likely", likely, entityOf, truth));
        Console.WriteLine(Row("PairFinder, likely or possible", either, entityOf, truth));
        Console.WriteLine(Row("Exact phone or email", baseline, entityOf, truth));
        Console.WriteLine();
        Console.WriteLine($"| Generate | Profiles | FindPairs | Compared pairs | Oversized blocks | Profiles (managed heap) | Working set before / peak in FindPairs | EM match share | Check p50 / p95 / max |");
        Console.WriteLine("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        Console.WriteLine($"| {generateTime.TotalSeconds:0.0} s | {profileTime.TotalSeconds:0.0} s | {findTime.TotalSeconds:0.0} s | {result.ComparedPairs:N0} | " +
            $"{result.OversizedBlocks.Count} | {profilesHeap / 1048576:N0} MB | {before / 1048576:N0} / {peak / 1048576:N0} MB | {result.Model.MatchShare:0.000} | " +
            $"{checkTimes.P50:0.00} / {checkTimes.P95:0.00} / {checkTimes.Max:0.00} ms |");
        Console.WriteLine();
        foreach (var (key, size) in result.OversizedBlocks.Take(8)) Console.WriteLine($"oversized block {key}: {size:N0}");
        Console.WriteLine($"weights (log2 m/u): {string.Join(", ", Enum.GetValues<MatchField>().Select(f => $"{f} exact {result.Model.Weight(f, FieldLevel.Exact):0.0} / different {result.Model.Weight(f, FieldLevel.Different):0.0}"))}");
        Console.WriteLine($"total {total.Elapsed.TotalSeconds:0.0} s");
        if (kept is not null) Explain(kept, profiles, entityOf, result, explain);
    }

    /// <summary>
    /// What one profile costs, step by step, on one thread (µs per record): the check builds a profile for every
    /// customer sharing a key with the changed one, and the scan for every customer.
    /// </summary>
    private static void ProfileCost(List<MatchRecord> records)
    {
        foreach (var r in records.Take(2000)) _ = MatchProfile.For(r).BlockingKeys; // warm up: tables, JIT
        var steps = new (string Name, Action<MatchRecord> Run)[]
        {
            ("MatchText.Fold(first + last)", r => { _ = MatchText.Fold(r.FirstName); _ = MatchText.Fold(r.LastName); }),
            ("PersonNames.Normalize x2", r => { _ = PersonNames.Normalize(r.FirstName); _ = PersonNames.Normalize(r.LastName); }),
            ("Phonetic.Key x2", r => { _ = Phonetic.Key(PersonNames.Normalize(r.FirstName)); _ = Phonetic.Key(PersonNames.Normalize(r.LastName)); }),
            ("OrganizationNames.Normalize", r => _ = OrganizationNames.Normalize(r.OrganizationName)),
            ("EmailMatching.Normalize", r => _ = EmailMatching.Normalize(r.Email)),
            ("PhoneMatching.ToNumber x2", r => { _ = PhoneMatching.ToNumber(r.PrimaryPhone, r.Country); _ = PhoneMatching.ToNumber(r.SecondaryPhone, r.Country); }),
            ("AddressMatching (street, city, postcode)", r => { _ = AddressMatching.Street(r.AddressLine1, r.AddressLine2); _ = AddressMatching.City(r.City); _ = AddressMatching.Postcode(r.PostalCode); }),
            ("MatchProfile.For", r => _ = MatchProfile.For(r)),
            ("MatchProfile.For + BlockingKeys", r => _ = MatchProfile.For(r).BlockingKeys),
        };
        Console.WriteLine($"| step ({records.Count:N0} records, one thread) | µs per record |");
        Console.WriteLine("| --- | ---: |");
        foreach (var (name, run) in steps)
        {
            var watch = Stopwatch.StartNew();
            foreach (var r in records) run(r);
            Console.WriteLine($"| {name} | {watch.Elapsed.TotalMicroseconds / records.Count:0.00} |");
        }
    }

    /// <summary>For tuning on this generated data only: samples of false pairs found and of true pairs missed.</summary>
    private static void Explain(List<GeneratedRecord> records, MatchProfile[] profiles, int[] entityOf, PairFinderResult result, int count)
    {
        var byId = records.ToDictionary(r => r.Record.Id, r => r.Record);
        var profileById = profiles.ToDictionary(p => p.Id);
        string Show(int id) => byId[id] is var r ? $"{r.Id}: {r.Type} {r.FirstName} {r.LastName} {r.OrganizationName} | {r.PrimaryPhone} {r.SecondaryPhone} | {r.Email} | {r.AddressLine1} {r.AddressLine2}, {r.City} {r.PostalCode}" : "";
        Console.WriteLine();
        Console.WriteLine("False pairs found:");
        foreach (var p in result.Pairs.Where(p => entityOf[p.AId] != entityOf[p.BId]).Take(count))
        {
            Console.WriteLine($"  {p.Score.Level} {p.Score.Score:0.0}: {string.Join("; ", p.Score.Reasons)}");
            Console.WriteLine($"    {Show(p.AId)}");
            Console.WriteLine($"    {Show(p.BId)}");
        }
        var found = result.Pairs.Select(p => Key(p.AId, p.BId)).ToHashSet();
        var missed = entityOf.Select((e, id) => (e, id)).Skip(1).GroupBy(x => x.e).Where(g => g.Count() > 1)
            .SelectMany(g => g.SelectMany(a => g.Where(b => b.id > a.id).Select(b => (A: a.id, B: b.id))))
            .Where(p => !found.Contains(Key(p.A, p.B))).Take(count).ToList();
        Summarize(result, profileById, entityOf, found);
        Console.WriteLine("True pairs missed:");
        foreach (var (a, b) in missed)
        {
            var (pa, pb) = (profileById[a], profileById[b]);
            var shared = pa.BlockingKeys.Intersect(pb.BlockingKeys).ToList();
            var score = result.Model.Score(pa, pb);
            Console.WriteLine($"  {score.Level?.ToString() ?? "none"} {score.Score:0.0} keys [{string.Join(", ", shared)}]: {string.Join("; ", score.Reasons)}");
            Console.WriteLine($"    {Show(a)}");
            Console.WriteLine($"    {Show(b)}");
        }
    }

    /// <summary>
    /// Counts, not samples: the false pairs at each level and every true pair missed, grouped by why (no shared key,
    /// only oversized blocks shared, not allowed to be a duplicate, below "possible") and by the fields' levels.
    /// </summary>
    private static void Summarize(PairFinderResult result, Dictionary<int, MatchProfile> profileById, int[] entityOf, HashSet<long> found)
    {
        static string Levels(Comparison c) => string.Join(" ", Enum.GetValues<MatchField>()
            .Where(f => c[f] != FieldLevel.Missing || f is MatchField.FirstName or MatchField.LastName)
            .Select(f => $"{f.ToString()[..Math.Min(5, f.ToString().Length)]}={c[f]}"));
        void Print(string title, IEnumerable<string> groups)
        {
            var counted = groups.GroupBy(g => g).Select(g => (g.Key, Count: g.Count())).OrderByDescending(g => g.Count).ToList();
            Console.WriteLine($"{title}: {counted.Sum(c => c.Count):N0}");
            foreach (var (key, count) in counted.Take(25)) Console.WriteLine($"  {count,8:N0}  {key}");
        }
        foreach (var level in new[] { DuplicateLevel.Likely, DuplicateLevel.Possible })
        {
            Print($"False pairs at {level}, by levels", result.Pairs.Where(p => p.Score.Level == level && entityOf[p.AId] != entityOf[p.BId])
                .Select(p => Levels(FieldComparer.Compare(profileById[p.AId], profileById[p.BId]))));
        }
        var oversized = result.OversizedBlocks.Select(o => o.Key).ToHashSet(StringComparer.Ordinal);
        var missed = entityOf.Select((e, id) => (e, id)).Skip(1).GroupBy(x => x.e).Where(g => g.Count() > 1)
            .SelectMany(g => g.SelectMany(a => g.Where(b => b.id > a.id).Select(b => (A: a.id, B: b.id))))
            .Where(p => !found.Contains(Key(p.A, p.B)));
        Print("True pairs missed, by why and levels", missed.Select(p =>
        {
            var (a, b) = (profileById[p.A], profileById[p.B]);
            var shared = a.BlockingKeys.Intersect(b.BlockingKeys).ToList();
            var c = FieldComparer.Compare(a, b);
            var why = shared.Count == 0 ? "no shared key"
                : shared.All(oversized.Contains) ? "only oversized keys"
                : !Comparison.CanBeDuplicate(c.Pattern) ? (c[MatchField.FirstName] == FieldLevel.Different ? "first name differs" : $"{Comparison.AgreeingKinds(c.Pattern)} kind(s)")
                : "below possible";
            return $"{why,-20} {Levels(c)}";
        }));
    }

    private static long Key(int a, int b) => a < b ? ((long)a << 32) | (uint)b : ((long)b << 32) | (uint)a;

    private static long TruePairs(int[] entityOf)
    {
        long pairs = 0;
        foreach (var group in entityOf.Skip(1).GroupBy(e => e))
        {
            long k = group.Count();
            pairs += k * (k - 1) / 2;
        }
        return pairs;
    }

    private static string Row(string name, IReadOnlyCollection<long> pairs, int[] entityOf, long truth)
    {
        long correct = pairs.LongCount(p => entityOf[(int)(p >> 32)] == entityOf[(int)(p & 0xffffffff)]);
        var precision = pairs.Count == 0 ? 1 : correct / (double)pairs.Count;
        var recall = truth == 0 ? 1 : correct / (double)truth;
        var f1 = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall);
        return $"| {name} | {pairs.Count:N0} | {precision:0.0000} | {recall:0.0000} | {f1:0.0000} |";
    }

    /// <summary>What the app matched on before: the same E.164 phone (either number) or the same email, ignoring case.</summary>
    private static List<long> ExactPhoneOrEmail(List<GeneratedRecord> generated)
    {
        var groups = new Dictionary<string, List<int>>(StringComparer.Ordinal);
        void Add(string key, int id)
        {
            if (!groups.TryGetValue(key, out var list)) groups[key] = list = [];
            list.Add(id);
        }
        foreach (var (record, _) in generated)
        {
            foreach (var phone in new[] { record.PrimaryPhone, record.SecondaryPhone })
            {
                var number = PhoneMatching.ToNumber(phone, record.Country);
                if (number != 0) Add($"p{number}", record.Id);
            }
            if (!string.IsNullOrWhiteSpace(record.Email)) Add("e" + record.Email.Trim().ToLowerInvariant(), record.Id);
        }
        var pairs = new HashSet<long>();
        foreach (var list in groups.Values)
        {
            for (var i = 0; i < list.Count; i++)
            {
                for (var j = i + 1; j < list.Count; j++)
                {
                    if (list[i] != list[j]) pairs.Add(Key(list[i], list[j]));
                }
            }
        }
        return [.. pairs];
    }

    /// <summary>
    /// The check after one create or edit: the profiles sharing a key with it (each key's block capped as in the scan),
    /// then <see cref="PairFinder.Candidates"/>; timed for 1,000 customers.
    /// </summary>
    private static (double P50, double P95, double Max) CheckLatency(MatchProfile[] profiles, MatchModel model, int maxBlock)
    {
        var random = new Random(5);
        var sample = Enumerable.Range(0, Math.Min(1000, profiles.Length)).Select(_ => profiles[random.Next(profiles.Length)]).ToList();
        var wanted = sample.SelectMany(p => p.BlockingKeys).ToHashSet(StringComparer.Ordinal);
        var blocks = new Dictionary<string, List<MatchProfile>>(StringComparer.Ordinal);
        foreach (var profile in profiles)
        {
            foreach (var key in profile.BlockingKeys)
            {
                if (!wanted.Contains(key)) continue;
                if (!blocks.TryGetValue(key, out var list)) blocks[key] = list = [];
                if (list.Count < maxBlock) list.Add(profile);
            }
        }
        var times = new List<double>(sample.Count);
        foreach (var profile in sample)
        {
            var watch = Stopwatch.StartNew();
            var sharing = profile.BlockingKeys.SelectMany(k => blocks.TryGetValue(k, out var list) ? list : []);
            _ = PairFinder.Candidates(profile, sharing, model, 10);
            times.Add(watch.Elapsed.TotalMilliseconds);
        }
        times.Sort();
        return (times[times.Count / 2], times[(int)(times.Count * 0.95)], times[^1]);
    }

    private sealed class ConsoleProgress(Action<string> report) : IProgress<PairFinderProgress>
    {
        public void Report(PairFinderProgress value) => report(value.Stage);
    }
}
