using System.Diagnostics;
using System.Globalization;
using System.Text;
using CustomerAdmin.Features.Import.Legacy;
using CustomerAdmin.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CustomerAdmin.Benchmarks;

/// <summary>
/// <c>import</c> mode: writes a legacy ticket CSV (N rows, about N/5 distinct customers, phones typed in many
/// formats, a few duplicate rows) and imports it into an empty SQLite database with the app's own
/// <see cref="LegacyImporter"/>, printing time, throughput and memory at every tenth of the file.
/// </summary>
public static class ImportBenchmark
{
    private static readonly string[] FirstNames =
        ["James", "Mary", "John", "Patricia", "Robert", "Jennifer", "Michael", "Linda", "William", "Elizabeth", "David", "Barbara",
         "Richard", "Susan", "Joseph", "Jessica", "Thomas", "Sarah", "Charles", "Karen", "José", "María", "Zoë", "Łukasz"];
    private static readonly string[] LastNames =
        ["Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez", "Martinez", "Hernandez",
         "Lopez", "Gonzalez", "Wilson", "Anderson", "Thomas", "Taylor", "Moore", "Jackson", "Martin", "Lee", "Müller", "O'Brien"];
    private static readonly string[] Items = ["Laptop", "Phone", "Tablet", "Printer", "Monitor", "Ultrasound probe", "Centrifuge", "Router"];
    private static readonly string[] Problems = ["Does not start", "Screen cracked", "Battery drains", "Noisy fan", "No signal", "Paper jam, \"again\""];
    private static readonly string[] Statuses = ["closed", "closed", "closed", "Completed", "open", "in progress", "waiting", "ready", "cancelled"];
    private static readonly string[] AreaCodes = ["201", "212", "213", "305", "312", "415", "617", "646", "718", "917", "929", "332"];

    /// <param name="batchSize">Rows per transaction; 0 for the app's configured LegacyImport:BatchSize.</param>
    public static async Task RunAsync(int rows, int customers, string sqlitePath, bool keepFile, int batchSize = 0)
    {
        // A folder of its own: other runs clean up "customeradmin-*" files in the temp folder.
        var folder = Directory.CreateDirectory(Path.Combine(Path.GetDirectoryName(sqlitePath)!, $"legacy-import-bench-{Environment.ProcessId}"));
        var csvPath = Path.Combine(folder.FullName, "legacy-tickets.csv");
        var clock = Stopwatch.StartNew();
        var bytes = await WriteCsvAsync(csvPath, rows, customers);
        Console.WriteLine($"Generated {rows:N0} rows for {customers:N0} customers ({bytes / 1024.0 / 1024.0:N0} MB) in {clock.Elapsed.TotalSeconds:N1} s: {csvPath}");

        foreach (var f in new[] { sqlitePath, sqlitePath + "-wal", sqlitePath + "-shm" }) File.Delete(f);
        using var host = ProviderBenchmark.BuildApp(DatabaseProvider.Sqlite, $"Data Source={sqlitePath}",
            batchSize > 0 ? new Dictionary<string, string?> { ["LegacyImport:BatchSize"] = batchSize.ToString(CultureInfo.InvariantCulture) } : null);
        await host.StartAsync();
        var importer = host.Services.GetRequiredService<LegacyImporter>();
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);

        var process = Process.GetCurrentProcess();
        long peakWorkingSet = 0;
        var samples = new List<string>();
        var nextTenth = 1;
        clock.Restart();
        using var sampler = new Timer(_ =>
        {
            process.Refresh();
            peakWorkingSet = Math.Max(peakWorkingSet, process.WorkingSet64);
        }, null, 0, 200);
        var progress = new SyncProgress(p =>
        {
            if (p.Percent < nextTenth * 10) return;
            nextTenth = (int)(p.Percent / 10) + 1;
            process.Refresh();
            samples.Add($"  {p.Percent,5:N0} %  {p.Rows,10:N0} rows  {clock.Elapsed.TotalSeconds,7:N1} s  managed heap {GC.GetTotalMemory(false) / 1048576.0,7:N0} MB  working set {process.WorkingSet64 / 1048576.0,7:N0} MB");
            Console.WriteLine(samples[^1]);
        });
        var issues = 0;
        var report = await importer.RunAsync(csvPath, Path.GetFileName(csvPath), dryRun: false, "benchmark", progress, _ => issues++);
        var elapsed = clock.Elapsed;
        process.Refresh();
        peakWorkingSet = Math.Max(peakWorkingSet, process.WorkingSet64);

        await using (var db = await host.Services.GetRequiredService<IDbContextFactory<AppDbContext>>().CreateDbContextAsync())
        {
            var orphans = await db.Tickets.CountAsync(t => !db.Customers.Any(c => c.Id == t.CustomerId));
            Console.WriteLine();
            Console.WriteLine($"Legacy import, SQLite, {Environment.ProcessorCount} cores, server GC, batches of {host.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<LegacyImportOptions>>().Value.BatchSize:N0} rows");
            Console.WriteLine(report.Summary);
            if (report.FatalError is not null) Console.WriteLine("FAILED: " + report.FatalError);
            Console.WriteLine($"rows {report.RowsRead:N0}; tickets in database {await db.Tickets.CountAsync():N0}; customers {await db.Customers.CountAsync():N0}; orphan tickets {orphans}; issues {issues:N0}");
            Console.WriteLine($"time {elapsed.TotalSeconds:N1} s ({report.RowsRead / elapsed.TotalSeconds:N0} rows/s); target 120 s: {(elapsed.TotalSeconds <= 120 ? "met" : "NOT met")}");
            Console.WriteLine("stages (wall, process CPU):");
            Console.WriteLine(report.Stages);
            Console.WriteLine($"  (reading thread busy {report.ReadingThreadBusy.TotalSeconds:N1} s wall, in parallel with the stages above)");
            Console.WriteLine($"peak working set {peakWorkingSet / 1048576.0:N0} MB; managed heap after {GC.GetTotalMemory(false) / 1048576.0:N0} MB; file {new FileInfo(csvPath).Length / 1048576.0:N0} MB");
        }
        await host.StopAsync();
        if (!keepFile) folder.Delete(recursive: true);
    }

    /// <summary>Progress&lt;T&gt; posts to the thread pool; the benchmark wants the sample taken when the batch ends.</summary>
    private sealed class SyncProgress(Action<ImportProgress> report) : IProgress<ImportProgress>
    {
        public void Report(ImportProgress value) => report(value);
    }

    internal static async Task<long> WriteCsvAsync(string path, int rows, int customers)
    {
        var random = new Random(CustomerGenerator.Seed);
        await using var writer = new StreamWriter(path, false, new UTF8Encoding(false), 1 << 16);
        await writer.WriteLineAsync("customer_id,customer_name,phone,whatsapp,email,created_at,item,problem,status,amount");
        var start = new DateTime(2012, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        var line = new StringBuilder();
        string? previous = null;
        for (var r = 0; r < rows; r++)
        {
            // About 1 row in 2,000 is an exact duplicate of the one before, as legacy exports tend to have.
            if (previous is not null && random.Next(2000) == 0)
            {
                await writer.WriteLineAsync(previous);
                continue;
            }
            var c = random.Next(customers);
            var name = $"{FirstNames[c % FirstNames.Length]} {LastNames[c / FirstNames.Length % LastNames.Length]}";
            var area = AreaCodes[c % AreaCodes.Length];
            var exchange = 200 + c / 10_000 % 800;
            var number = c % 10_000;
            var phone = random.Next(7) switch
            {
                0 => $"({area}) {exchange}-{number:D4}",
                1 => $"{area}-{exchange}-{number:D4}",
                2 => $"{area}.{exchange}.{number:D4}",
                3 => $"+1 {area} {exchange} {number:D4}",
                4 => $"1-{area}-{exchange}-{number:D4}",
                5 => $" {area}{exchange}{number:D4} ",
                _ => $"+1 ({area}) {exchange} {number:D4}",
            };
            var email = c % 3 == 0 ? $"customer{c}@example.com" : "";
            var status = Statuses[random.Next(Statuses.Length)];
            var amount = status is "open" or "cancelled" && random.Next(2) == 0 ? "" : (random.Next(1, 200_000) / 100m).ToString(CultureInfo.InvariantCulture);
            // Five minutes apart up to a million rows, closer beyond, so every date stays before today (a longer file
            // would otherwise run into the future and its rows be rejected as implausible).
            var created = start.AddMinutes(r * 5L * 1_000_000 / Math.Max(rows, 1_000_000) + random.Next(5));
            line.Clear();
            line.Append("C-").Append(c).Append(',').Append(name).Append(',').Append(phone).Append(",,").Append(email).Append(',')
                .Append(created.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)).Append(',')
                .Append(Items[random.Next(Items.Length)]).Append(",\"").Append(Problems[random.Next(Problems.Length)].Replace("\"", "\"\""))
                .Append("\",").Append(status).Append(',').Append(amount);
            previous = line.ToString();
            await writer.WriteLineAsync(previous);
        }
        await writer.FlushAsync();
        return writer.BaseStream.Length;
    }
}
