using CustomerAdmin.Data;
using CustomerAdmin.Startup;
using CustomerAdmin.Security;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using CustomerAdmin.Features.Tickets;
using CustomerAdmin.Features.Customers;

namespace CustomerAdmin.Features.Import.Legacy;

/// <summary>
/// <c>import-legacy-tickets FILE [--dry-run]</c> and <c>import-legacy-tickets --undo RUN-ID</c>: the same import
/// as the Admin page, from a shell. Builds the app's host (same configuration and registrations), applies the
/// migrations, never starts the web server. Exit code 0 when the import ran to the end (rejected rows are listed),
/// 1 when it could not run or stopped.
/// </summary>
public static class LegacyImportCommand
{
    public const string Name = "import-legacy-tickets";

    private const string Usage = $"Usage: {Name} FILE [--dry-run]   or   {Name} --undo RUN-ID   (plus any --Section:Key=value configuration)";

    public static async Task<int> RunAsync(string[] args)
    {
        string? file = null;
        int? undo = null;
        var dryRun = false;
        var configuration = new List<string>();
        for (var i = 1; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--dry-run": dryRun = true; break;
                case "--undo" when i + 1 < args.Length && int.TryParse(args[i + 1], out var undoId): undo = undoId; i++; break;
                case var a when CommandHost.IsSetting(a): configuration.Add(a); break;
                case var a when !a.StartsWith("--") && file is null: file = a; break;
                default:
                    Console.Error.WriteLine($"Unexpected argument {args[i]}. {Usage}");
                    return 1;
            }
        }
        if (file is null == undo is null)
        {
            Console.Error.WriteLine(Usage);
            return 1;
        }
        if (file is not null && !File.Exists(file))
        {
            Console.Error.WriteLine($"There is no file {Path.GetFullPath(file)}.");
            return 1;
        }

        await using var host = await CommandHost.StartAsync(configuration, "Cancelling after the current batch is rolled back...");
        var importer = host.Get<LegacyImporter>();
        var actor = $"cli:{Environment.UserName}";
        if (undo is { } runId)
        {
            var result = await importer.UndoAsync(runId, actor, host.Cancelled);
            Console.WriteLine(result.Message);
            return result.Done ? 0 : 1;
        }

        var lastPercent = -1;
        var progress = new Progress<ImportProgress>(p =>
        {
            var percent = (int)p.Percent;
            if (percent == lastPercent) return;
            lastPercent = percent;
            Console.Error.Write($"\r{percent,3}%  {p.Rows:N0} rows");
        });
        var report = await importer.RunAsync(Path.GetFullPath(file!), Path.GetFileName(file!), dryRun, actor, progress,
            issue => Console.WriteLine(issue.ToString()), host.Cancelled);
        Console.Error.WriteLine();
        if (report.RunId is { } id) Console.WriteLine($"Import #{id} ({report.FileName}).");
        Console.WriteLine(report.Summary);
        Console.WriteLine($"Took {report.Elapsed.TotalSeconds:N1} s.");
        if (report.FatalError is not null)
        {
            Console.Error.WriteLine(report.FatalError);
            return 1;
        }
        if (report.RunId is { } done) Console.WriteLine($"To undo: dotnet run --project CustomerAdmin -- {Name} --undo {done}");
        return 0;
    }
}
