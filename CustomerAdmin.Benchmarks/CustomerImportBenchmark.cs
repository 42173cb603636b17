using System.Diagnostics;
using System.Globalization;
using System.Text;
using CustomerAdmin.Common;
using CustomerAdmin.Data;
using CustomerAdmin.Features.Customers.Export;
using CustomerAdmin.Features.Duplicates.Scanning;
using CustomerAdmin.Features.Import.Customers;
using CustomerAdmin.Features.Import.Files;
using CustomerAdmin.Features.Import.Legacy;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace CustomerAdmin.Benchmarks;

/// <summary>
/// <c>import-customers</c> mode: a database of M generated customers (<c>--customers</c>, default N; bulk-loaded, then
/// analysed) and a customer CSV of N rows (<c>--rows</c>), half of them those customers (their phone, a new note: fill updates them) and half new people, imported by
/// the app's own <see cref="CustomerImporter"/> (fill mode), with time, rows per second, progress updates and peak
/// working set. The issue's target: 1,000,000 rows into 1,000,000 customers in 2 minutes on SQLite, 1.5 GB peak.
/// </summary>
public static class CustomerImportBenchmark
{
    private static readonly string[] AreaCodes = ["212", "213", "305", "312", "415", "617", "646", "718", "917", "929"];

    /// <param name="keptCsv">When given, the CSV's path, kept after the run (with <paramref name="reuse"/>: read again).</param>
    /// <param name="reuse">Keep a database already filled with <paramref name="customerCount"/> customers (and the kept CSV
    /// beside it) instead of filling again: the fill of 1,000,000 customers takes many minutes. The import changes the
    /// database, so copy a filled one per run.</param>
    /// <param name="fillOnly">Fill the database and write the CSV, then stop (prepare a reused run).</param>
    public static async Task<string> RunAsync(DatabaseProvider provider, string connectionString, int rows, int customerCount,
        string? keptCsv = null, bool reuse = false, bool fillOnly = false, int batchSize = 0)
    {
        var settings = new Dictionary<string, string?>
        {
            // The names' warm-up runs once when the app starts, long before anyone imports: here it is awaited before
            // the clock starts (below) instead of running beside the import.
            [$"{DuplicatesOptions.Section}:{nameof(DuplicatesOptions.WarmNamesOnStart)}"] = "false",
        };
        if (batchSize > 0) settings[$"{CustomerImportOptions.Section}:{nameof(CustomerImportOptions.BatchSize)}"] = batchSize.ToString(CultureInfo.InvariantCulture);
        using var host = ProviderBenchmark.BuildApp(provider, connectionString, settings);
        var factory = host.Services.GetRequiredService<IDbContextFactory<AppDbContext>>();
        var phones = host.Services.GetRequiredService<PhoneNormalizer>();
        var csvPath = keptCsv ?? Path.Combine(Path.GetTempPath(), $"customer-import-bench-{Environment.ProcessId}.csv");
        bool filled;
        await using (var db = await factory.CreateDbContextAsync())
        {
            filled = reuse && File.Exists(csvPath) && await db.Database.CanConnectAsync() && !(await db.Database.GetPendingMigrationsAsync()).Any()
                && await db.Customers.CountAsync() == customerCount && !await db.ImportRuns.AnyAsync();
            if (!filled) await db.Database.EnsureDeletedAsync();
        }
        await host.StartAsync();
        var clock = Stopwatch.StartNew();
        if (filled)
        {
            Console.WriteLine($"{provider}: reusing the filled database ({customerCount:N0} customers) and {csvPath}");
        }
        else
        {
            var customers = new CustomerGenerator(phones).Generate(customerCount).ToList();
            await using (var db = await factory.CreateDbContextAsync())
            {
                db.Database.SetCommandTimeout(TimeSpan.FromHours(1));
                await BulkLoader.LoadAsync(db, customers);
                await db.Database.ExecuteSqlRawAsync(provider == DatabaseProvider.Postgres ? "VACUUM ANALYZE" : "ANALYZE");
            }
            Console.WriteLine($"{provider}: {customerCount:N0} customers loaded in {clock.Elapsed.TotalSeconds:N0} s");
            await WriteCsvAsync(csvPath, customers, rows);
            customers.Clear();
            customers.TrimExcess();
        }
        if (fillOnly)
        {
            await host.StopAsync();
            return $"{provider}: filled, CSV at {csvPath}";
        }
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);

        var importer = host.Services.GetRequiredService<CustomerImporter>();
        var file = await TabularFile.OpenAsync(csvPath, new());
        var request = new CustomerImportRequest(csvPath, "bench.csv", new(), new CustomerImportMapping(ColumnSuggestions.Suggest(file.Headers)),
            Actor: "benchmark");
        var process = Process.GetCurrentProcess();
        long peak = 0;
        var updates = new List<double>();
        using var sampler = new Timer(_ =>
        {
            process.Refresh();
            peak = Math.Max(peak, process.WorkingSet64);
        }, null, 0, 200);
        var warm = Stopwatch.StartNew();
        var names = await DuplicateNameWarmup.WarmAsync(factory, CancellationToken.None);
        Console.WriteLine($"Names' warm-up (as at the app's start): {names:N0} names in {warm.Elapsed.TotalSeconds:N1} s");
        var loadAtStart = File.ReadAllText("/proc/loadavg").Trim();
        Console.WriteLine($"Import starts; load average {loadAtStart}");
        clock.Restart();
        var stages = new ImportStageTimes();
        // A line every 100,000 rows, so a run stopped before its end (a benchmark window closing) still tells its pace.
        var nextLine = 100_000;
        var summary = await importer.RunAsync(request, new SyncProgress(p =>
        {
            updates.Add(clock.Elapsed.TotalSeconds);
            if (p.Rows < nextLine) return;
            nextLine += 100_000;
            var gap = updates.Zip(updates.Skip(1), (a, b) => b - a).DefaultIfEmpty(0).Max();
            Console.WriteLine($"  {p.Rows:N0} rows at {clock.Elapsed.TotalSeconds:N1} s ({p.Rows / clock.Elapsed.TotalSeconds:N0} rows/s), "
                + $"longest gap so far {gap:N1} s, peak working set {peak / 1048576.0:N0} MB, load {File.ReadAllText("/proc/loadavg").Trim()}");
            Console.WriteLine(stages);
        }), stages: stages);
        var elapsed = clock.Elapsed;
        process.Refresh();
        peak = Math.Max(peak, process.WorkingSet64);
        if (keptCsv is null) File.Delete(csvPath);
        await host.StopAsync();

        var gaps = updates.Zip(updates.Skip(1), (a, b) => b - a).DefaultIfEmpty(elapsed.TotalSeconds).Max();
        var line = $"| {provider} | {summary.RowsRead:N0} | {summary.Created:N0} | {summary.Updated:N0} | {summary.Unchanged:N0} | {summary.Skipped:N0} | "
            + $"{elapsed.TotalSeconds:N1} | {summary.RowsRead / elapsed.TotalSeconds:N0} | {gaps:N1} | {peak / 1048576.0:N0} |";
        Console.WriteLine(summary.Text + (summary.Error is null ? "" : " " + summary.Error));
        Console.WriteLine($"Stages ({customerCount:N0} customers before the import; load average at the start {loadAtStart}, at the end {File.ReadAllText("/proc/loadavg").Trim()}):");
        Console.WriteLine(stages);
        Console.WriteLine("| provider | rows | created | updated | unchanged | skipped | seconds | rows/s | longest progress gap (s) | peak working set (MB) |");
        Console.WriteLine("|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|");
        Console.WriteLine(line);
        return line;
    }

    /// <summary>Even rows: the i-th customer's phone with a note; odd rows: a new person under a phone no customer has.</summary>
    private static async Task WriteCsvAsync(string path, List<Customer> customers, int rows)
    {
        await using var writer = new StreamWriter(path, false, new UTF8Encoding(false), 1 << 16);
        await writer.WriteAsync("First name,Last name,Mobile,Email,City,Notes\n");
        for (var i = 0; i < rows; i++)
        {
            var c = customers[i % customers.Count];
            if (i % 2 == 0)
            {
                await writer.WriteAsync($"{CsvText.Field(c.FirstName ?? "Company")},{CsvText.Field(c.LastName ?? c.Name)},{CsvText.Field(c.PrimaryPhone)},,,Imported note {i}\n");
            }
            else
            {
                // Another customer's name (half the names recur in real files) under a phone of its own.
                var name = customers[(int)((i * 7919L) % customers.Count)];
                var phone = $"+1{AreaCodes[i % AreaCodes.Length]}{2000000 + i / AreaCodes.Length:D7}";
                await writer.WriteAsync($"{CsvText.Field(name.FirstName ?? "Pat")},{CsvText.Field(name.LastName ?? "Doe")},{phone},new{i}@example.com,Springfield,\n");
            }
        }
    }

    private sealed class SyncProgress(Action<CustomerImportProgress> report) : IProgress<CustomerImportProgress>
    {
        public void Report(CustomerImportProgress value) => report(value);
    }
}
