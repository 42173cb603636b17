using CustomerAdmin.Common;
using CustomerAdmin.Data;
using Microsoft.Extensions.Options;

namespace CustomerAdmin.Features.Privacy.Retention;

/// <summary>
/// Runs the retention policies once a venue day, at or after <see cref="RetentionOptions.RunAt"/>. It looks every
/// <see cref="Interval"/>; the run's report row, unique per day, decides which instance runs when several share the database.
/// </summary>
public sealed class RetentionService(RetentionOperations retention, IOptions<RetentionOptions> options, IOptions<VenueOptions> venue,
    TimeProvider time, ILogger<RetentionService> logger) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromMinutes(5);

    /// <summary>Runs today's retention if it is time and no instance has yet; the run, or null when nothing was started.</summary>
    public async Task<RetentionRun?> TickAsync(CancellationToken ct)
    {
        var local = venue.Value.ToVenue(time.GetUtcNow().UtcDateTime);
        if (local.TimeOfDay < options.Value.RunAt) return null;
        return await retention.RunAsync(RetentionOperations.ScheduleActor, DateOnly.FromDateTime(local), ct);
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        BackgroundLoops.EveryAsync(Interval, time, logger, "Retention check", TickAsync, stoppingToken);
}
