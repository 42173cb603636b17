using CustomerAdmin.Common;
using CustomerAdmin.Data;
using CustomerAdmin.Features.Import;
using CustomerAdmin.Features.Import.Customers;
using CustomerAdmin.Features.Import.Legacy;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace CustomerAdmin.Features.Duplicates.Scanning;

/// <summary>
/// Checks the customers bulk paths queued (<see cref="DuplicateCheckRequest"/>) every
/// <see cref="DuplicatesOptions.CheckQueueInterval"/>, a batch per transaction; with more than
/// <see cref="DuplicatesOptions.FullScanAfterQueued"/> queued it starts a full scan instead, which covers them.
/// Several instances may run it: the pairs' lock makes their batches take turns, and each takes what is still queued.
/// </summary>
public sealed class DuplicateCheckWorker(
    IDbContextFactory<AppDbContext> factory,
    DuplicateScanner scanner,
    IOptions<DuplicatesOptions> options,
    TimeProvider time,
    ILogger<DuplicateCheckWorker> logger,
    IOptions<CustomerImportOptions> customerImport,
    IOptions<LegacyImportOptions> legacyImport) : BackgroundService
{
    private readonly DuplicatesOptions _options = options.Value;

    protected override Task ExecuteAsync(CancellationToken stoppingToken) => _options.RunCheckQueue
        ? BackgroundLoops.EveryAsync(_options.CheckQueueInterval, time, logger, "Checking queued customers for duplicates", CheckQueuedAsync, stoppingToken)
        : Task.CompletedTask;

    /// <summary>Checks everything queued now (or starts a full scan); returns how many customers it checked.</summary>
    public async Task<int> CheckQueuedAsync(CancellationToken ct)
    {
        if (!scanner.Running.IsCompleted) return 0;
        int queued;
        bool importing;
        await using (var db = await factory.CreateDbContextAsync(ct))
        {
            queued = await db.DuplicateCheckRequests.CountAsync(ct);
            // The imports' own rule: a run silent for longer than its kind's InterruptedAfter died with its process
            // (it is then marked interrupted) and holds nothing back.
            importing = queued > _options.FullScanAfterQueued && await ImportRuns.AnyLiveAsync(db, time.GetUtcNow().UtcDateTime,
                customerImport.Value.InterruptedAfter, legacyImport.Value.InterruptedAfter, ct);
        }
        if (queued == 0) return 0;
        if (queued > _options.FullScanAfterQueued)
        {
            // A large import queues its customers as it goes: the scan waits for its end rather than reading every
            // customer while the import rewrites them, competing with it for the write lock and the cores.
            if (importing) return 0;
            var start = await scanner.StartAsync($"system: {queued:N0} customers imported", ct);
            if (start.Started) logger.LogInformation("{Queued} customers queued for a duplicate check: full scan {RunId} started", queued, start.Run.Id);
            return 0;
        }
        var checkedCount = 0;
        while (true)
        {
            await using var db = await factory.CreateDbContextAsync(ct);
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            await DuplicateChecks.LockAsync(db, ct);
            var ids = await db.DuplicateCheckRequests.OrderBy(r => r.QueuedAt).ThenBy(r => r.CustomerId)
                .Select(r => r.CustomerId).Take(_options.CheckBatchSize).ToListAsync(ct);
            if (ids.Count == 0) return checkedCount;
            await DuplicateChecks.CheckAsync(db, ids, time.GetUtcNow().UtcDateTime, ct);
            await db.DuplicateCheckRequests.Where(r => ids.Contains(r.CustomerId)).ExecuteDeleteAsync(ct);
            await tx.CommitAsync(ct);
            checkedCount += ids.Count;
        }
    }
}
