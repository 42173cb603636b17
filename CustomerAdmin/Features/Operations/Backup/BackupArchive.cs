using System.IO.Compression;
using System.Text.Json;
using CustomerAdmin.Data;
using CustomerAdmin.Data.Sql;
using CustomerAdmin.Features.Customers.Documents;
using Microsoft.EntityFrameworkCore;

namespace CustomerAdmin.Features.Operations.Backup;

/// <summary>A backup or restore the app refused to make; the message says why and what to do.</summary>
public sealed class BackupRefusedException(string message) : Exception(message);

/// <summary>What a backup archive says about itself (<c>manifest.json</c>).</summary>
/// <param name="Database">The archive entry holding the SQLite database; null for a PostgreSQL installation (pg_dump).</param>
public sealed record BackupManifest(int Format, DateTime TakenAt, string? Database, int Documents, long DocumentBytes);

public sealed record BackupResult(string Path, BackupManifest Manifest, long ArchiveBytes);

public sealed record RestoreResult(BackupManifest Manifest, string? DatabaseFile, int Customers, int Tickets, int Bookings,
    string? Integrity, int Documents, long DocumentBytes);

/// <summary>
/// One zip file per backup: the database as SQLite's online backup made it (a consistent snapshot of a running
/// installation, never a file copy), the uploaded documents, and a manifest. Restore writes both back into an empty
/// data folder and refuses anything else. On PostgreSQL the archive holds the documents only: the database is
/// <c>pg_dump</c>'s (README, Backups).
/// </summary>
/// <remarks>
/// The database is copied before the documents: a document uploaded meanwhile is in the archive without its row
/// (harmless), and the files' names are never reused. The documents are files under <c>Documents:Folder</c> today;
/// <see cref="DocumentFiles"/> is the one place that knows.
/// </remarks>
public sealed class BackupArchive(IDbContextFactory<AppDbContext> dbFactory, DocumentOperations documents, TimeProvider time)
{
    public const string ManifestEntry = "manifest.json";
    public const string DatabaseEntry = "database/customeradmin.db";
    public const string DocumentsPrefix = "documents/";
    public const int Format = 1;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    /// <summary>Writes a new archive at <paramref name="path"/> (refused if the file exists); it appears whole or not at all.</summary>
    public async Task<BackupResult> CreateAsync(string path, CancellationToken ct = default)
    {
        path = Path.GetFullPath(path);
        if (File.Exists(path)) throw new BackupRefusedException($"{path} already exists; choose a new file name.");
        var folder = Path.GetDirectoryName(path)!;
        Directory.CreateDirectory(folder);
        var work = Directory.CreateDirectory(Path.Combine(folder, $".{Path.GetFileName(path)}.{Guid.NewGuid():N}.tmp")).FullName;
        try
        {
            var takenAt = time.GetUtcNow().UtcDateTime;
            var copy = Path.Combine(work, "customeradmin.db");
            bool hasDatabase;
            await using (var db = await dbFactory.CreateDbContextAsync(ct))
                hasDatabase = await db.Sql().BackupToFileAsync(db, copy, ct);

            var archive = Path.Combine(work, "backup.zip");
            var (count, bytes) = (0, 0L);
            BackupManifest manifest;
            await using (var file = new FileStream(archive, FileMode.CreateNew))
            using (var zip = new ZipArchive(file, ZipArchiveMode.Create))
            {
                if (hasDatabase) zip.CreateEntryFromFile(copy, DatabaseEntry, CompressionLevel.Fastest);
                foreach (var document in DocumentFiles())
                {
                    ct.ThrowIfCancellationRequested();
                    // Already compressed (PDF, images, Office files): stored as they are.
                    zip.CreateEntryFromFile(document.FullName, DocumentsPrefix + document.Name, CompressionLevel.NoCompression);
                    count++;
                    bytes += document.Length;
                }
                manifest = new BackupManifest(Format, takenAt, hasDatabase ? DatabaseEntry : null, count, bytes);
                await using var entry = zip.CreateEntry(ManifestEntry).Open();
                await JsonSerializer.SerializeAsync(entry, manifest, Json, ct);
            }
            File.Move(archive, path, overwrite: false);
            return new BackupResult(path, manifest, new FileInfo(path).Length);
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    /// <summary>
    /// Restores the archive at <paramref name="path"/> into the configured database file and documents folder, which must
    /// both be empty (or missing); then counts what the database holds and runs its integrity check.
    /// </summary>
    public async Task<RestoreResult> RestoreAsync(string path, CancellationToken ct = default)
    {
        path = Path.GetFullPath(path);
        if (!File.Exists(path)) throw new BackupRefusedException($"{path} does not exist.");
        using var zip = ZipFile.OpenRead(path);
        var manifest = await ReadManifestAsync(zip, path, ct);
        var databaseEntry = manifest.Database is { } name ? zip.GetEntry(name) : null;
        if (manifest.Database is not null && databaseEntry is null)
            throw new BackupRefusedException($"{path} is incomplete: it has no {manifest.Database}.");

        string? target;
        await using (var db = await dbFactory.CreateDbContextAsync(ct))
            target = db.Sql().DatabaseFile(db);
        if (databaseEntry is not null && target is null)
            throw new BackupRefusedException("This backup holds a SQLite database, but the app is configured for PostgreSQL; "
                + "set Database:Provider=Sqlite (and ConnectionStrings:Sqlite) to restore it.");
        if (databaseEntry is not null && (File.Exists(target + "-wal") || File.Exists(target) && new FileInfo(target!).Length > 0))
            throw new BackupRefusedException($"The database {target} already exists. Restore only into an empty data folder: "
                + "stop the app and move the old files away first.");
        var folder = documents.Folder;
        if (Directory.Exists(folder) && Directory.EnumerateFileSystemEntries(folder).Any())
            throw new BackupRefusedException($"The documents folder {folder} is not empty. Restore only into an empty data folder.");
        var documentEntries = zip.Entries.Where(e => e.FullName.StartsWith(DocumentsPrefix, StringComparison.Ordinal) && e.Name.Length > 0).ToList();
        // Names come from the archive: only plain file names (as the app generates them) are written, never a path.
        if (documentEntries.FirstOrDefault(e => e.FullName != DocumentsPrefix + e.Name || e.Name.StartsWith('.')) is { } odd)
            throw new BackupRefusedException($"{path} holds an unexpected entry {odd.FullName}; nothing was restored.");

        if (databaseEntry is not null)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            // Written under another name and moved into place: a restore that breaks off leaves no half database behind.
            var partial = target + ".restoring";
            databaseEntry.ExtractToFile(partial, overwrite: true);
            File.Move(partial, target!, overwrite: true);
        }
        Directory.CreateDirectory(folder);
        var bytes = 0L;
        foreach (var entry in documentEntries)
        {
            ct.ThrowIfCancellationRequested();
            entry.ExtractToFile(Path.Combine(folder, entry.Name));
            bytes += entry.Length;
        }

        await using var restored = await dbFactory.CreateDbContextAsync(ct);
        if (databaseEntry is null)
            return new RestoreResult(manifest, null, 0, 0, 0, null, documentEntries.Count, bytes);
        return new RestoreResult(manifest, target,
            await restored.Customers.IgnoreQueryFilters().CountAsync(ct),
            await restored.Tickets.IgnoreQueryFilters().CountAsync(ct),
            await restored.Bookings.IgnoreQueryFilters().CountAsync(ct),
            await restored.Sql().CheckIntegrityAsync(restored, ct),
            documentEntries.Count, bytes);
    }

    /// <summary>The stored documents (files named by generated ids; uploads still being written start with a dot).</summary>
    private IEnumerable<FileInfo> DocumentFiles() =>
        Directory.Exists(documents.Folder)
            ? new DirectoryInfo(documents.Folder).EnumerateFiles().Where(f => !f.Name.StartsWith('.')).OrderBy(f => f.Name, StringComparer.Ordinal)
            : [];

    private static async Task<BackupManifest> ReadManifestAsync(ZipArchive zip, string path, CancellationToken ct)
    {
        var entry = zip.GetEntry(ManifestEntry) ?? throw new BackupRefusedException($"{path} is not a CustomerAdmin backup (no {ManifestEntry}).");
        await using var stream = entry.Open();
        var manifest = await JsonSerializer.DeserializeAsync<BackupManifest>(stream, Json, ct);
        if (manifest is null || manifest.Format != Format)
            throw new BackupRefusedException($"{path} is a backup of format {manifest?.Format}; this version restores format {Format}.");
        return manifest;
    }
}
