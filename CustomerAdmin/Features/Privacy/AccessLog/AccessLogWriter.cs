using CustomerAdmin.Common;
using CustomerAdmin.Data;
using CustomerAdmin.Data.Sql;
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
    private readonly BusyStreak _busy = new();

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
            await db.Sql().WriteAsync(db, async ct => await db.SaveChangesAsync(ct));
            batch.Clear();
            _busy.Succeeded();
            return true;
        }
        catch (Exception ex)
        {
            _busy.Failed(logger, ex, $"Writing {batch.Count} access log rows", $"trying again in {RetryAfter}");
            foreach (var entry in batch) entry.Id = 0;
            return false;
        }
    }
}
