using CustomerAdmin.Common;
using CustomerAdmin.Data;
using Microsoft.EntityFrameworkCore;

namespace CustomerAdmin.Features.Customers.Documents;

/// <summary>
/// Once at start and then daily, deletes document chunks that no document row names and whose upload has written nothing
/// for <see cref="OrphanAge"/>: what a crash (or a killed instance) mid-upload left behind. A document's row is inserted
/// only after all its chunks are written (<see cref="DocumentOperations"/>), so an upload still under way is never
/// touched: its newest chunk is younger than the hour.
/// </summary>
public sealed class OrphanedChunkPurge(IDbContextFactory<AppDbContext> factory, TimeProvider time, ILogger<OrphanedChunkPurge> logger)
    : BackgroundService
{
    public static readonly TimeSpan OrphanAge = TimeSpan.FromHours(1);

    public static readonly TimeSpan Interval = TimeSpan.FromDays(1);

    /// <summary>Deletes the orphaned chunks whose newest sibling was written before <paramref name="now"/> minus <see cref="OrphanAge"/>; returns how many.</summary>
    public static async Task<int> PurgeAsync(AppDbContext db, DateTime now, CancellationToken ct)
    {
        var cutoff = now - OrphanAge;
        return await db.DocumentChunks
            .Where(c => !db.Documents.Any(d => d.StoredName == c.StoredName)
                && !db.DocumentChunks.Any(newer => newer.StoredName == c.StoredName && newer.WrittenAt >= cutoff))
            .ExecuteDeleteAsync(ct);
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        BackgroundLoops.EveryAsync(Interval, time, logger, "Purging orphaned document chunks", async ct =>
        {
            await using var db = await factory.CreateDbContextAsync(ct);
            var deleted = await PurgeAsync(db, time.GetUtcNow().UtcDateTime, ct);
            if (deleted > 0) logger.LogInformation("Deleted {Count} document chunks left by uploads that never finished", deleted);
        }, stoppingToken);
}
