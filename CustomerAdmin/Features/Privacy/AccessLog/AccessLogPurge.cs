using CustomerAdmin.Common;
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

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        BackgroundLoops.EveryAsync(Interval, time, logger, "Access log purge", async ct =>
        {
            await using var db = await factory.CreateDbContextAsync(ct);
            var deleted = await PurgeAsync(db, time.GetUtcNow().UtcDateTime, options.Value.AccessLogMonths, ct);
            if (deleted > 0) logger.LogInformation("Access log purge deleted {Count} rows older than {Months} months", deleted, options.Value.AccessLogMonths);
        }, stoppingToken);
}
