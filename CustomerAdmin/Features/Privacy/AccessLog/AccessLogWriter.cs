using CustomerAdmin.Data;
using Microsoft.EntityFrameworkCore;

namespace CustomerAdmin.Features.Privacy.AccessLog;

/// <summary>
/// Inserts the queued access-log rows, up to <see cref="BatchSize"/> per save, as soon as they arrive; what is still
/// queued when the app stops is written before it exits.
/// </summary>
public sealed class AccessLogWriter(AccessLogRecorder log, IDbContextFactory<AppDbContext> factory, TimeProvider time, ILogger<AccessLogWriter> logger)
    : BackgroundService
{
    public const int BatchSize = 500;
    private static readonly TimeSpan RetryAfter = TimeSpan.FromSeconds(5);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var batch = new List<AccessLogEntry>(BatchSize);
        try
        {
            while (await log.Reader.WaitToReadAsync(stoppingToken))
            {
                while (batch.Count < BatchSize && log.Reader.TryRead(out var entry)) batch.Add(entry);
                // A failed batch stays and is tried again: the rows are the record of who saw what.
                while (!await TryWriteAsync(batch)) await Task.Delay(RetryAfter, time, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        while (log.Reader.TryRead(out var entry))
        {
            batch.Add(entry);
            if (batch.Count == BatchSize) await TryWriteAsync(batch);
        }
        await TryWriteAsync(batch);
    }

    private async Task<bool> TryWriteAsync(List<AccessLogEntry> batch)
    {
        if (batch.Count == 0) return true;
        try
        {
            await using var db = await factory.CreateDbContextAsync();
            db.AccessLog.AddRange(batch);
            await db.SaveChangesAsync();
            batch.Clear();
            return true;
        }
        catch (Exception ex)
        {
            logger.LogError(ex, "Could not write {Count} access log rows", batch.Count);
            foreach (var entry in batch) entry.Id = 0;
            return false;
        }
    }
}
