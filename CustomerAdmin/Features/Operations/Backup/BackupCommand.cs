using CustomerAdmin.Features.Customers.Documents;
using CustomerAdmin.Startup;

namespace CustomerAdmin.Features.Operations.Backup;

/// <summary>
/// <c>backup --to FILE</c>: a consistent backup of the configured installation, running or not (the database through
/// SQLite's online backup, and the documents), as one zip file. <c>restore --from FILE</c>: writes such a file back
/// into an empty data folder and says what it restored. Both build the app's host (same configuration) without
/// migrating or starting the web server. Exit code 0 when done, 1 when refused or failed.
/// </summary>
public static class BackupCommand
{
    public const string Backup = "backup";
    public const string Restore = "restore";

    private const string Usage = $"Usage: {Backup} --to FILE | {Restore} --from FILE   (plus any --Section:Key=value configuration)";

    public static async Task<int> RunAsync(string[] args)
    {
        var restoring = args is [Restore, ..];
        string? file = null;
        // A backup reads and a restore writes what is there: neither migrates the database.
        var configuration = new List<string> { "--Database:Migrate=false" };
        for (var i = 1; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--to" when !restoring && i + 1 < args.Length: file = args[++i]; break;
                case "--from" when restoring && i + 1 < args.Length: file = args[++i]; break;
                case var a when CommandHost.IsSetting(a): configuration.Add(a); break;
                default:
                    Console.Error.WriteLine($"Unexpected argument {args[i]}. {Usage}");
                    return 1;
            }
        }
        if (file is null)
        {
            Console.Error.WriteLine(Usage);
            return 1;
        }

        await using var host = await CommandHost.StartAsync(configuration, "Cancelling...");
        var archive = host.Get<BackupArchive>();
        try
        {
            if (restoring)
                Console.WriteLine(Describe(await archive.RestoreAsync(file, host.Cancelled), host.Get<DocumentOperations>().Folder));
            else
                Console.WriteLine(Describe(await archive.CreateAsync(file, host.Cancelled)));
            return 0;
        }
        catch (Exception ex) when (ex is BackupRefusedException or InvalidDataException or IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine(ex is InvalidDataException ? $"{Path.GetFullPath(file)} is not a backup archive: {ex.Message}" : ex.Message);
            return 1;
        }
    }

    public static string Describe(BackupResult result) =>
        (result.Manifest.Database is null
            ? "The database is PostgreSQL: back it up with pg_dump (README, Backups); this archive holds the documents only. "
            : "Backed up the database (one consistent snapshot) and ")
        + $"{result.Manifest.Documents:N0} documents ({DocumentOperations.FormatSize(result.Manifest.DocumentBytes)}) "
        + $"to {result.Path} ({DocumentOperations.FormatSize(result.ArchiveBytes)}), taken at {result.Manifest.TakenAt:yyyy-MM-dd HH:mm:ss} UTC.";

    public static string Describe(RestoreResult result, string documentsFolder) =>
        $"Restored the backup taken at {result.Manifest.TakenAt:yyyy-MM-dd HH:mm:ss} UTC: "
        + (result.DatabaseFile is null
            ? "no database in it (PostgreSQL: restore it with pg_restore, README, Backups); "
            : $"the database into {result.DatabaseFile} ({result.Customers:N0} customers, {result.Tickets:N0} tickets, "
                + $"{result.Bookings:N0} bookings; integrity check: {result.Integrity}); ")
        + $"{result.Documents:N0} documents ({DocumentOperations.FormatSize(result.DocumentBytes)}) into {documentsFolder}.";
}
