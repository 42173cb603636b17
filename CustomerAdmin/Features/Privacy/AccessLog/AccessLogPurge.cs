using CustomerAdmin.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace CustomerAdmin.Features.Privacy.AccessLog;

/// <summary>Once at start and then daily, deletes the access-log rows older than <see cref="AccessLogOptions.AccessLogMonths"/>.</summary>
public sealed class AccessLogPurge(IDbContextFactory<AppDbContext> factory, IOptions<AccessLogOptions> options, TimeProvider time,
    ILogger<AccessLogPurge> logger) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromDays(1);

    /// <summary>Deletes the rows recorded before <paramref name="now"/> minus <paramref name="months"/> months; returns how many.</summary>
    public static async Task<int> PurgeAsync(AppDbContext db, DateTime now, int months, CancellationToken ct)
    {
        var cutoff = now.AddMonths(-months);
        return await db.AccessLog.Where(e => e.At < cutoff).ExecuteDeleteAsync(ct);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, time);
        do
        {
            try
            {
                await using var db = await factory.CreateDbContextAsync(stoppingToken);
                var deleted = await PurgeAsync(db, time.GetUtcNow().UtcDateTime, options.Value.AccessLogMonths, stoppingToken);
                if (deleted > 0) logger.LogInformation("Access log purge deleted {Count} rows older than {Months} months", deleted, options.Value.AccessLogMonths);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                logger.LogError(ex, "Access log purge failed; retrying in {Interval}", Interval);
            }
        }
        while (await WaitAsync(timer, stoppingToken));
    }

    private static async Task<bool> WaitAsync(PeriodicTimer timer, CancellationToken ct)
    {
        try { return await timer.WaitForNextTickAsync(ct); }
        catch (OperationCanceledException) { return false; }
    }
}
