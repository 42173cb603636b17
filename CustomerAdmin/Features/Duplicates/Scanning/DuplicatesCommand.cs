using CustomerAdmin.Data;
using CustomerAdmin.Features.Customers.Export;
using CustomerAdmin.Features.Duplicates.Matching;
using CustomerAdmin.Security;
using CustomerAdmin.Startup;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace CustomerAdmin.Features.Duplicates.Scanning;

/// <summary>
/// <c>duplicates scan [--output pairs.csv]</c>: runs the full duplicate scan (refreshing the stored pairs, as "Scan now"
/// does) and writes the pairs waiting for review as CSV to the file, or to standard output. Builds the app's host
/// (same configuration and registrations), applies the migrations, never starts the web server. Exit code 0 when the
/// scan completed, 1 when it could not run (another scan is running, bad arguments) or failed.
/// </summary>
public static class DuplicatesCommand
{
    public const string Name = "duplicates";

    private const string Usage = $"Usage: {Name} scan [--output FILE]   (plus any --Section:Key=value configuration)";

    public static async Task<int> RunAsync(string[] args)
    {
        string? output = null;
        var configuration = new List<string>();
        if (args is not [Name, "scan", ..])
        {
            Console.Error.WriteLine(Usage);
            return 1;
        }
        for (var i = 2; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--output" when i + 1 < args.Length && !args[i + 1].StartsWith("--"): output = args[++i]; break;
                case var a when a.StartsWith("--") && a.Contains('='): configuration.Add(a); break;
                default:
                    Console.Error.WriteLine($"Unexpected argument {args[i]}. {Usage}");
                    return 1;
            }
        }

        // The report is the output; the framework's information logs (migrations applied, ...) would bury it. The queue
        // worker stays off: this process runs the scan itself and ends.
        configuration.InsertRange(0, ["--Logging:LogLevel:Default=Warning", "--Logging:LogLevel:Microsoft.EntityFrameworkCore.Migrations=Error",
            $"--{DuplicatesOptions.Section}:{nameof(DuplicatesOptions.RunCheckQueue)}=false", "--Sms:RunDispatcher=false", "--Sms:RunReminderScan=false"]);
        var builder = WebApplication.CreateBuilder(configuration.ToArray());
        builder.AddDatabase();
        builder.AddAppSecurity();
        builder.AddCustomerAdmin();
        await using var app = builder.Build();

        using var cts = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            Console.Error.WriteLine("Cancelling...");
            cts.Cancel();
        };

        var factory = app.Services.GetRequiredService<IDbContextFactory<AppDbContext>>();
        if (app.Services.GetRequiredService<IOptions<DatabaseOptions>>().Value.Migrate)
        {
            await using var db = await factory.CreateDbContextAsync(cts.Token);
            await db.Database.MigrateAsync(cts.Token);
        }

        var scanner = app.Services.GetRequiredService<DuplicateScanner>();
        var start = await scanner.CreateRunAsync($"cli:{Environment.UserName}", cts.Token);
        if (!start.Started)
        {
            Console.Error.WriteLine($"Scan #{start.Run.Id} is already running (started {start.Run.StartedAt:yyyy-MM-dd HH:mm} UTC by {start.Run.StartedBy}); try again when it has finished.");
            return 1;
        }
        var lastLine = "";
        var (lastStage, clock, stageStart) = ("", System.Diagnostics.Stopwatch.StartNew(), TimeSpan.Zero);
        var progress = new ConsoleProgress(p =>
        {
            if (p.Stage != lastStage)
            {
                // Each stage's time on a line of its own: where a long scan spends it.
                if (lastStage.Length > 0) Console.Error.WriteLine($"\r{$"{lastStage}: {(clock.Elapsed - stageStart).TotalSeconds:F1} s",-60}");
                (lastStage, stageStart) = (p.Stage, clock.Elapsed);
            }
            var text = p.Total > 0 ? $"{p.Stage}: {100.0 * p.Done / p.Total,3:F0}%" : p.Stage;
            if (text == lastLine) return;
            lastLine = text;
            Console.Error.Write($"\r{text,-60}");
        });
        var run = await scanner.RunAsync(start.Run.Id, cts.Token, progress);
        Console.Error.WriteLine(lastStage.Length > 0 ? $"\r{$"{lastStage}: {(clock.Elapsed - stageStart).TotalSeconds:F1} s",-60}" : "");
        if (run.Status != DuplicateScanStatus.Completed)
        {
            Console.Error.WriteLine($"Scan #{run.Id} {run.Status.ToString().ToLowerInvariant()}: {run.Error}");
            return 1;
        }
        Console.Error.WriteLine($"Scan #{run.Id}: {run.Customers:N0} customers, {run.ComparedPairs:N0} pairs compared, {run.LikelyPairs:N0} likely and "
            + $"{run.PossiblePairs:N0} possible pairs ({run.PairsAdded:N0} new, {run.PairsReopened:N0} reopened, {run.PairsRemoved:N0} removed); "
            + $"{run.OversizedBlockCount:N0} oversized blocks; took {(run.FinishedAt!.Value - run.StartedAt).TotalSeconds:N1} s.");

        await using (var db = await factory.CreateDbContextAsync(cts.Token))
        {
            int written;
            if (output is null)
            {
                written = await DuplicatePairsCsv.WriteAsync(db, Console.Out, cts.Token);
            }
            else
            {
                await using var file = new StreamWriter(Path.GetFullPath(output), false, CsvText.Encoding);
                written = await DuplicatePairsCsv.WriteAsync(db, file, cts.Token);
            }
            Console.Error.WriteLine(output is null ? $"{written:N0} pairs to review." : $"{written:N0} pairs to review written to {Path.GetFullPath(output)}.");
        }
        return 0;
    }

    /// <summary>Reports on the reporting thread, at once (<see cref="Progress{T}"/> would post them to the thread pool out of order).</summary>
    private sealed class ConsoleProgress(Action<PairFinderProgress> report) : IProgress<PairFinderProgress>
    {
        private readonly Lock _lock = new();

        public void Report(PairFinderProgress value)
        {
            lock (_lock) report(value);
        }
    }
}
