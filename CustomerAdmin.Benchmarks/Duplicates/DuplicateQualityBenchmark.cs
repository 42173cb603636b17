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
        var maxBlock = Text("--max-block") is { } m ? int.Parse(m) : 1000;

        var total = Stopwatch.StartNew();
        var generated = new DuplicateGenerator().Generate(records);
        var generateTime = total.Elapsed;
        var entityOf = new int[generated.Count + 1];
        foreach (var g in generated) entityOf[g.Record.Id] = g.Entity;
        var baseline = ExactPhoneOrEmail(generated);

        var watch = Stopwatch.StartNew();
        var profiles = new MatchProfile[generated.Count];
        Parallel.For(0, generated.Count, i => profiles[i] = MatchProfile.For(generated[i].Record));
        var profileTime = watch.Elapsed;
        generated = null;
        GC.Collect();
        GC.WaitForPendingFinalizers();
        var before = Environment.WorkingSet;

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
        Console.WriteLine($"| Generate | Profiles | FindPairs | Compared pairs | Oversized blocks | Working set before / peak in FindPairs | EM match share | Check p50 / p95 / max |");
        Console.WriteLine("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        Console.WriteLine($"| {generateTime.TotalSeconds:0.0} s | {profileTime.TotalSeconds:0.0} s | {findTime.TotalSeconds:0.0} s | {result.ComparedPairs:N0} | " +
            $"{result.OversizedBlocks.Count} | {before / 1048576:N0} / {peak / 1048576:N0} MB | {result.Model.MatchShare:0.000} | " +
            $"{checkTimes.P50:0.00} / {checkTimes.P95:0.00} / {checkTimes.Max:0.00} ms |");
        Console.WriteLine();
        foreach (var (key, size) in result.OversizedBlocks.Take(8)) Console.WriteLine($"oversized block {key}: {size:N0}");
        Console.WriteLine($"weights (log2 m/u): {string.Join(", ", Enum.GetValues<MatchField>().Select(f => $"{f} exact {result.Model.Weight(f, FieldLevel.Exact):0.0} / different {result.Model.Weight(f, FieldLevel.Different):0.0}"))}");
        Console.WriteLine($"total {total.Elapsed.TotalSeconds:0.0} s");
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
