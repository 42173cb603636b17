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
                case var a when CommandHost.IsSetting(a): configuration.Add(a); break;
                default:
                    Console.Error.WriteLine($"Unexpected argument {args[i]}. {Usage}");
                    return 1;
            }
        }

        await using var host = await CommandHost.StartAsync(configuration, "Cancelling...");
        var factory = host.Get<IDbContextFactory<AppDbContext>>();
        var scanner = host.Get<DuplicateScanner>();
        var start = await scanner.CreateRunAsync($"cli:{Environment.UserName}", host.Cancelled);
        if (!start.Started)
        {
            Console.Error.WriteLine($"Scan #{start.Run.Id} is already running (started {start.Run.StartedAt:yyyy-MM-dd HH:mm} UTC by {start.Run.StartedBy}); try again when it has finished.");
            return 1;
        }
        var lastLine = "";
        var progress = new ConsoleProgress<PairFinderProgress>(p =>
        {
            var text = p.Total > 0 ? $"{p.Stage}: {100.0 * p.Done / p.Total,3:F0}%" : p.Stage;
            if (text == lastLine) return;
            lastLine = text;
            Console.Error.Write($"\r{text,-60}");
        });
        var run = await scanner.RunAsync(start.Run.Id, host.Cancelled, progress);
        Console.Error.WriteLine();
        if (run.Status != DuplicateScanStatus.Completed)
        {
            Console.Error.WriteLine($"Scan #{run.Id} {run.Status.ToString().ToLowerInvariant()}: {run.Error}");
            return 1;
        }
        Console.Error.WriteLine($"Scan #{run.Id}: {run.Customers:N0} customers, {run.ComparedPairs:N0} pairs compared, {run.LikelyPairs:N0} likely and "
            + $"{run.PossiblePairs:N0} possible pairs ({run.PairsAdded:N0} new, {run.PairsReopened:N0} reopened, {run.PairsRemoved:N0} removed); "
            + $"{run.OversizedBlockCount:N0} oversized blocks; took {(run.FinishedAt!.Value - run.StartedAt).TotalSeconds:N1} s.");

        await using (var db = await factory.CreateDbContextAsync(host.Cancelled))
        {
            int written;
            if (output is null)
            {
                written = await DuplicatePairsCsv.WriteAsync(db, Console.Out, host.Cancelled);
            }
            else
            {
                await using var file = new StreamWriter(Path.GetFullPath(output), false, CsvText.Encoding);
                written = await DuplicatePairsCsv.WriteAsync(db, file, host.Cancelled);
            }
            Console.Error.WriteLine(output is null ? $"{written:N0} pairs to review." : $"{written:N0} pairs to review written to {Path.GetFullPath(output)}.");
        }
        return 0;
    }
}
