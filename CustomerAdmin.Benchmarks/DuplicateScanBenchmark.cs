using System.Diagnostics;
using CustomerAdmin.Common;
using CustomerAdmin.Data;
using CustomerAdmin.Features.Customers.Search;
using CustomerAdmin.Features.Duplicates.Scanning;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CustomerAdmin.Benchmarks;

/// <summary>
/// <c>duplicates-scan --customers N [--postgres "..."] [--no-sqlite] [--sqlite path] [--reuse] [--checks K]</c>: fills a
/// database with N generated customers (<see cref="CustomerGenerator"/>, <see cref="BulkLoader"/>) plus 2 % planted
/// duplicates, then runs the full scan as an operator does, <c>duplicates scan --output FILE</c> in a process of its own
/// (its working set sampled every 50 ms), twice (the first scan, then a rescan of unchanged data); then times the
/// check after an edit for K random customers (<see cref="DuplicateChecks.CheckAsync"/> in its own transaction, and the
/// whole save with every keeper) and the typing hints' query: first in this fresh process (every name is new to it, as
/// before the names' warm-up at start has run), then after <see cref="DuplicateNameWarmup"/> as every instance runs
/// it at start. <c>--checks-only</c> (with <c>--reuse</c> on a scanned database) skips
/// the two scans in their own processes.
/// </summary>
public static class DuplicateScanBenchmark
{
    public const double ScanTargetSeconds = 300;
    public const long ScanTargetBytes = 1024L * 1024 * 1024;
    public const double CheckTargetMs = 20;

    public static async Task<string> RunAsync(DatabaseProvider provider, string connectionString, int customers, bool reuse, int checks,
        bool checksOnly = false)
    {
        using var host = ProviderBenchmark.BuildApp(provider, connectionString, new Dictionary<string, string?>
        {
            [$"{DuplicatesOptions.Section}:{nameof(DuplicatesOptions.RunCheckQueue)}"] = "false",
            // The warm-up is timed below, not left to the host's start.
            [$"{DuplicatesOptions.Section}:{nameof(DuplicatesOptions.WarmNamesOnStart)}"] = "false",
        });
        var factory = host.Services.GetRequiredService<IDbContextFactory<AppDbContext>>();
        var phones = host.Services.GetRequiredService<PhoneNormalizer>();
        var planted = customers / 50;
        bool filled;
        await using (var db = await factory.CreateDbContextAsync())
        {
            filled = reuse && await db.Database.CanConnectAsync() && !(await db.Database.GetPendingMigrationsAsync()).Any()
                && await db.Customers.CountAsync() == customers + planted;
            if (!filled && checksOnly) throw new InvalidOperationException("--checks-only needs --reuse and a database the scan has filled.");
            if (!filled) await db.Database.EnsureDeletedAsync();
        }
        await host.StartAsync();
        if (!filled)
        {
            var clock = Stopwatch.StartNew();
            await using var db = await factory.CreateDbContextAsync();
            db.Database.SetCommandTimeout(TimeSpan.FromHours(1));
            var generated = new CustomerGenerator(phones).Generate(customers).ToList();
            generated.AddRange(Duplicates(generated, planted, phones));
            await BulkLoader.LoadAsync(db, generated);
            Console.WriteLine($"{provider}: {generated.Count:N0} customers ({planted:N0} planted duplicates) loaded in {clock.Elapsed.TotalSeconds:F0} s");
        }
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        await host.StopAsync();

        var (first, again) = (new ScanRun(0, 0, "", 0), new ScanRun(0, 0, "", 0));
        if (!checksOnly)
        {
            first = await ScanProcessAsync(provider, connectionString);
            Console.WriteLine($"{provider}: first scan {first.Seconds:F1} s, peak working set {first.PeakWorkingSet / 1048576.0:F0} MB; {first.Summary}");
            again = await ScanProcessAsync(provider, connectionString);
            Console.WriteLine($"{provider}: rescan {again.Seconds:F1} s, peak working set {again.PeakWorkingSet / 1048576.0:F0} MB; {again.Summary}");
        }

        // In a process that has not scanned (the first edits after an app restart: every name is new to it)...
        var (cold, _, _) = await TimeChecksAsync(factory, customers + planted, checks, CustomerGenerator.Seed + 7);
        Console.WriteLine($"{provider}: check in a fresh process p50 {cold.P50:F1} ms, p95 {cold.P95:F1} ms");
        // ...and after the names' warm-up every instance runs at start (other customers than above).
        var warm = Stopwatch.StartNew();
        var names = await DuplicateNameWarmup.WarmAsync(factory, default);
        Console.WriteLine($"{provider}: names' warm-up: {names:N0} distinct names in {warm.Elapsed.TotalSeconds:F1} s");
        var (check, save, hint) = await TimeChecksAsync(factory, customers + planted, checks, CustomerGenerator.Seed + 8);
        if (checksOnly)
            return $"| {provider} | {customers + planted:N0} | – | – | – | – | – | – | {cold.P95:F1} | {check.P50:F1} | {check.P95:F1} | "
                + $"{(check.P95 <= CheckTargetMs ? "yes" : "no")} | {save.P95:F1} | {hint.P95:F1} |";
        var scanOk = first.Seconds <= ScanTargetSeconds && first.PeakWorkingSet <= ScanTargetBytes
            && again.Seconds <= ScanTargetSeconds && again.PeakWorkingSet <= ScanTargetBytes;
        return $"| {provider} | {customers + planted:N0} | {first.Seconds:F0} | {first.PeakWorkingSet / 1048576.0:F0} MB | {again.Seconds:F0} | "
            + $"{again.PeakWorkingSet / 1048576.0:F0} MB | {(scanOk ? "yes" : "no")} | {first.Pairs:N0} | {cold.P95:F1} | {check.P50:F1} | {check.P95:F1} | "
            + $"{(check.P95 <= CheckTargetMs ? "yes" : "no")} | {save.P95:F1} | {hint.P95:F1} |";
    }

    public const string Header =
        "| provider | customers | first scan s | peak working set | rescan s | peak working set | ≤ 300 s and ≤ 1 GB | pairs to review | check p95 ms, fresh process | check p50 ms, after the warm-up | check p95 ms, after the warm-up | ≤ 20 ms | edit saved, p95 ms | typing hint p95 ms |\n" +
        "|---|--:|--:|--:|--:|--:|---|--:|--:|--:|--:|---|--:|--:|";

    /// <summary>
    /// Copies of some generated customers as they come back at the counter: a new phone, and a nickname-free variation
    /// (an initial for the first name, a typo in the surname, the email in capitals, the old number as second phone).
    /// </summary>
    private static IEnumerable<Customer> Duplicates(List<Customer> originals, int count, PhoneNormalizer phones)
    {
        var random = new Random(CustomerGenerator.Seed + 99);
        var nextId = originals.Count;
        var used = new HashSet<string>(originals.Select(c => c.PrimaryPhone));
        for (var i = 0; i < count; i++)
        {
            var original = originals[random.Next(originals.Count)];
            var copy = original.Copy();
            copy.Id = ++nextId;
            copy.WhatsAppPhone = null;
            do copy.PrimaryPhone = $"+1212{random.Next(2000000, 9999999)}";
            while (!used.Add(copy.PrimaryPhone));
            switch (i % 4)
            {
                case 0: copy.SecondaryPhone = original.PrimaryPhone; break;
                case 1: copy.Email = copy.Email?.ToUpperInvariant(); copy.AddressLine1 = null; break;
                case 2 when copy.LastName is { Length: > 3 } last: copy.LastName = last[..^2] + last[^1] + last[^2]; break;
                case 2: copy.SecondaryPhone = original.PrimaryPhone; break;
                default: if (copy.FirstName is { Length: > 0 } f) copy.FirstName = f[..1] + "."; break;
            }
            SearchIndexKeeper.PrepareNew(copy);
            yield return copy;
        }
    }

    private sealed record ScanRun(double Seconds, long PeakWorkingSet, string Summary, int Pairs);

    /// <summary><c>dotnet CustomerAdmin.dll duplicates scan --output FILE</c>, its working set sampled every 50 ms.</summary>
    private static async Task<ScanRun> ScanProcessAsync(DatabaseProvider provider, string connectionString)
    {
        var csv = Path.Combine(Path.GetTempPath(), $"customeradmin-duplicates-{Guid.NewGuid():N}.csv");
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = AppContext.BaseDirectory, RedirectStandardOutput = true, RedirectStandardError = true,
        };
        foreach (var a in new[] { Path.Combine(AppContext.BaseDirectory, "CustomerAdmin.dll"), "duplicates", "scan", "--output", csv })
            start.ArgumentList.Add(a);
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["Database__Provider"] = provider.ToString();
        start.Environment[$"ConnectionStrings__{provider}"] = connectionString;
        var clock = Stopwatch.StartNew();
        using var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start the app.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        long peak = 0;
        while (!process.HasExited)
        {
            try
            {
                process.Refresh();
                peak = Math.Max(peak, process.WorkingSet64);
            }
            catch (InvalidOperationException)
            {
                // Exited between the check and the read.
            }
            await Task.Delay(50);
        }
        await process.WaitForExitAsync();
        var seconds = clock.Elapsed.TotalSeconds;
        var output = await stderr + await stdout;
        if (process.ExitCode != 0) throw new InvalidOperationException($"The scan exited with {process.ExitCode}:\n{output}");
        var pairs = File.ReadLines(csv).Count() - 1;
        File.Delete(csv);
        var lines = output.Split('\n').Select(l => l.Split('\r')[^1].Trim()).ToList();
        var summary = lines.LastOrDefault(l => l.StartsWith("Scan #")) ?? "";
        // The command's time per stage ("compare: 81.2 s").
        var stages = lines.Where(l => System.Text.RegularExpressions.Regex.IsMatch(l, @"^[a-z][a-z ]*: \d+\.\d s$")).ToList();
        if (stages.Count > 0) Console.WriteLine($"{provider}: stages: {string.Join(", ", stages)}");
        return new ScanRun(seconds, peak, summary, pairs);
    }

    private static async Task<(Percentiles Check, Percentiles Save, Percentiles Hint)> TimeChecksAsync(
        IDbContextFactory<AppDbContext> factory, int customers, int count, int seed)
    {
        var random = new Random(seed);
        var ids = Enumerable.Range(0, count + 20).Select(_ => random.Next(1, customers + 1)).Distinct().ToList();
        var (check, save, hint) = (new List<double>(), new List<double>(), new List<double>());
        foreach (var (id, i) in ids.Select((id, i) => (id, i)))
        {
            // The check alone, as the keeper runs it after an edit's rows are written: inside the save's transaction,
            // whose commit (a WAL flush to disk on SQLite) is the save's own cost, timed below with the whole save.
            double checkMs;
            await using (var db = await factory.CreateDbContextAsync())
            {
                await using var tx = await db.Database.BeginTransactionAsync();
                var begin = Stopwatch.GetTimestamp();
                await DuplicateChecks.CheckAsync(db, [id], DateTime.UtcNow, default);
                checkMs = Stopwatch.GetElapsedTime(begin).TotalMilliseconds;
                await tx.CommitAsync();
            }

            // An edit of a matching field saved as the form saves it: every keeper, the check among them, and the commit.
            var start = Stopwatch.GetTimestamp();
            Customer draft;
            await using (var db = await factory.CreateDbContextAsync())
            {
                var customer = await db.Customers.SingleAsync(c => c.Id == id);
                customer.AddressLine2 = customer.AddressLine2 is null ? "Unit 2" : null;
                await db.SaveChangesAsync();
                draft = customer.Copy();
            }
            var saveMs = Stopwatch.GetElapsedTime(start).TotalMilliseconds;

            // The typing hints for a new customer typed like this one.
            draft.Id = 0;
            draft.PrimaryPhone = "";
            start = Stopwatch.GetTimestamp();
            await using (var db = await factory.CreateDbContextAsync())
                await DuplicateCandidates.ForDraftAsync(db, draft, 3);
            var hintMs = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            if (i < 20) continue; // warm-up
            check.Add(checkMs);
            save.Add(saveMs);
            hint.Add(hintMs);
        }
        return (Percentiles.Of(check), Percentiles.Of(save), Percentiles.Of(hint));
    }
}
