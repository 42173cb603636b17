using CustomerAdmin.Common;
using Microsoft.Extensions.Options;

namespace CustomerAdmin.Features.Operations.Backup;

/// <summary>
/// With <c>Backup:Nightly</c> on, writes a backup archive into <c>Backup:Folder</c> every day at <c>Backup:At</c>
/// (venue time), then deletes the ones <see cref="BackupRotation"/> no longer keeps. Run on one instance only: each
/// instance with it on takes its own.
/// </summary>
public sealed class NightlyBackup(BackupArchive archive, IOptions<BackupOptions> options, IOptions<VenueOptions> venue,
    IHostEnvironment environment, TimeProvider time, ILogger<NightlyBackup> logger) : BackgroundService
{
    public string Folder => Path.GetFullPath(options.Value.Folder, environment.ContentRootPath);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.Nightly) return;
        var next = NextRun(time.GetUtcNow().UtcDateTime);
        logger.LogInformation("Nightly backups into {Folder}; the next at {NextRun} UTC", Folder, next);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var wait = next - time.GetUtcNow().UtcDateTime;
                if (wait > TimeSpan.Zero) await Task.Delay(wait, time, stoppingToken);
                await RunOnceAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                logger.LogError(ex, "Nightly backup into {Folder} failed; the next is tried at the next {At}", Folder, options.Value.At);
            }
            // From the time it was due, not from now: a backup that took minutes does not push the next one back. After a
            // long pause (a suspended machine) the missed nights are not made up one after another.
            var now = time.GetUtcNow().UtcDateTime;
            next = NextRun(next);
            if (next < now - TimeSpan.FromHours(1)) next = NextRun(now);
        }
    }

    /// <summary>One backup now, then the rotation.</summary>
    public async Task<BackupResult> RunOnceAsync(CancellationToken ct = default)
    {
        var result = await archive.CreateAsync(Path.Combine(Folder, BackupRotation.FileName(time.GetUtcNow())), ct);
        logger.LogInformation("Nightly backup written: {File} ({Bytes} bytes, {Documents} documents)",
            result.Path, result.ArchiveBytes, result.Manifest.Documents);
        var names = Directory.EnumerateFiles(Folder).Select(Path.GetFileName).OfType<string>();
        foreach (var old in BackupRotation.ToDelete(names, options.Value.KeepDaily, options.Value.KeepWeekly))
        {
            File.Delete(Path.Combine(Folder, old));
            logger.LogInformation("Deleted the old backup {File}", old);
        }
        return result;
    }

    /// <summary>The first <see cref="BackupOptions.At"/> at the venue strictly after <paramref name="afterUtc"/>, as UTC.</summary>
    public DateTime NextRun(DateTime afterUtc)
    {
        var day = DateOnly.FromDateTime(venue.Value.ToVenue(afterUtc));
        for (var i = 0; ; i++)
        {
            var at = venue.Value.ToUtc(day.AddDays(i).ToDateTime(options.Value.At));
            if (at > afterUtc) return at;
        }
    }
}
