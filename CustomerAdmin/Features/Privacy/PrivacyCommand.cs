using System.Globalization;
using CustomerAdmin.Common;
using CustomerAdmin.Data;
using CustomerAdmin.Features.Privacy.AccessLog;
using CustomerAdmin.Features.Privacy.Erasure;
using CustomerAdmin.Features.Privacy.Export;
using CustomerAdmin.Startup;

namespace CustomerAdmin.Features.Privacy;

/// <summary>
/// <c>privacy export --customer ID --output FILE.zip</c> writes the customer's subject access export (the ZIP the customer
/// page downloads); <c>privacy erase --customer ID --reason TEXT --yes</c> erases their personal data, for requests a
/// data-protection officer handles from a shell. Builds the app's host (same configuration and registrations), applies
/// the migrations, never starts the web server. Exit code 0 when done, 1 when refused or given bad arguments.
/// </summary>
public static class PrivacyCommand
{
    public const string Name = "privacy";

    private const string Usage = $"Usage: {Name} export --customer ID --output FILE.zip\n"
        + $"       {Name} erase --customer ID --reason TEXT --yes   (plus any --Section:Key=value configuration)";

    public static async Task<int> RunAsync(string[] args)
    {
        if (args is not [Name, "export" or "erase", ..])
        {
            Console.Error.WriteLine(Usage);
            return 1;
        }
        var (verb, configuration) = (args[1], new List<string>());
        int? customer = null;
        string? output = null, reason = null;
        var yes = false;
        for (var i = 2; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--customer" when i + 1 < args.Length && int.TryParse(args[i + 1], NumberStyles.None, CultureInfo.InvariantCulture, out var id):
                    customer = id;
                    i++;
                    break;
                case "--output" when i + 1 < args.Length: output = args[++i]; break;
                case "--reason" when i + 1 < args.Length: reason = args[++i]; break;
                case "--yes": yes = true; break;
                case var a when CommandHost.IsSetting(a): configuration.Add(a); break;
                default:
                    Console.Error.WriteLine($"Unexpected argument {args[i]}.\n{Usage}");
                    return 1;
            }
        }
        if (customer is not { } customerId || (verb == "export" && output is null) || (verb == "erase" && reason is null))
        {
            Console.Error.WriteLine(Usage);
            return 1;
        }
        if (verb == "erase" && !yes)
        {
            Console.Error.WriteLine("An erasure cannot be undone: add --yes to confirm it.");
            return 1;
        }

        await using var host = await CommandHost.StartAsync(configuration, "Cancelling...");
        var actor = $"cli:{Environment.UserName}";
        return verb == "export"
            ? await ExportAsync(host, customerId, Path.GetFullPath(output!))
            : await EraseAsync(host, customerId, reason!, actor);
    }

    private static async Task<int> ExportAsync(CommandHost host, int customerId, string output)
    {
        var export = host.Get<SubjectAccessExport>();
        if (await export.SubjectOfAsync(customerId, host.Cancelled) is not { } subject)
        {
            Console.Error.WriteLine($"There is no customer {customerId}.");
            return 1;
        }
        await host.Get<AccessLogRecorder>().RecordAsync($"cli:{Environment.UserName}", AccessKind.SubjectAccessExport, subject, ct: host.Cancelled);
        var temp = output + ".part";
        try
        {
            (int Rows, int Documents) written;
            await using (var file = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None, 81920, FileOptions.Asynchronous))
                written = await export.WriteAsync(subject, file, host.Cancelled);
            File.Move(temp, output, overwrite: true);
            Console.Error.WriteLine($"Customer {subject}: {written.Rows:N0} rows and {written.Documents:N0} documents written to {output}.");
            return 0;
        }
        catch
        {
            File.Delete(temp);
            throw;
        }
    }

    private static async Task<int> EraseAsync(CommandHost host, int customerId, string reason, string actor)
    {
        try
        {
            var result = await host.Get<ErasureOperations>().EraseAsync(customerId, reason, actor, host.Cancelled);
            Console.Error.WriteLine($"Customer {result.CustomerId} is now \"{ErasureOperations.AnonymousName(result.CustomerId)}\""
                + (result.Records.Count > 1 ? $" (with {result.Records.Count - 1} records merged into it)" : "") + ": "
                + string.Join(", ", result.Rows.Select(r => $"{r.Key} {r.Value:N0}")) + $"; {result.Documents:N0} files deleted."
                + (result.Purged ? "" : " The database's write-ahead log was busy: it is cleared at the next checkpoint."));
            return 0;
        }
        catch (RuleViolationException ex)
        {
            Console.Error.WriteLine(ex.Message);
            return 1;
        }
    }
}
