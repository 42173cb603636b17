using CustomerAdmin.Data;
using CustomerAdmin.Data.Sql;
using CustomerAdmin.Features.Duplicates.Matching;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace CustomerAdmin.Features.Duplicates.Scanning;

/// <summary>What asking for a scan gave: the new run, or the one already running (here or on another instance).</summary>
public sealed record ScanStart(DuplicateScanRun Run, bool Started);

/// <summary>
/// The full duplicate scan: reads the matching fields of every matchable customer, lets <see cref="PairFinder"/> block,
/// estimate the model and score on both cores, rebuilds the blocking keys, reconciles the stored pairs range by range
/// (<see cref="DuplicatePairWriter"/>), then re-checks the customers changed while it ran. Its progress and outcome
/// are on its <see cref="DuplicateScanRun"/> row, so every instance and a reloaded page see them; one scan runs at a
/// time across instances (a lock around the start, a unique index on the running row, a heartbeat for crashed ones).
/// </summary>
public sealed partial class DuplicateScanner(
    IDbContextFactory<AppDbContext> factory,
    IOptions<DuplicatesOptions> options,
    TimeProvider time,
    IHostApplicationLifetime lifetime,
    ILogger<DuplicateScanner> logger)
{
    private const long StartLockKey = 0x4475705363616E; // "DupScan"
    /// <summary>Customers whose keys are rewritten per transaction: short write transactions, so staff saves wait little.</summary>
    private const int KeysPerTransaction = 20_000;
    /// <summary>Found pairs reconciled per transaction.</summary>
    private const int PairsPerTransaction = 5_000;
    private const int ReadBatch = 8_192;
    private const int OversizedListed = 20;

    private readonly DuplicatesOptions _options = options.Value;
    private Task _running = Task.CompletedTask;

    private DateTime Now => time.GetUtcNow().UtcDateTime;

    /// <summary>The scan started here last (for tests and the command); completed when none runs here.</summary>
    public Task Running => _running;

    /// <summary>Starts a scan in the background of this instance, unless one is running anywhere.</summary>
    public async Task<ScanStart> StartAsync(string actor, CancellationToken ct = default)
    {
        var start = await CreateRunAsync(actor, ct);
        if (start.Started)
        {
            var stopping = lifetime.ApplicationStopping;
            _running = Task.Run(() => RunAsync(start.Run.Id, stopping), CancellationToken.None);
        }
        return start;
    }

    /// <summary>The newest run (a running one whose heartbeat went silent shown as interrupted), or null before the first.</summary>
    public async Task<DuplicateScanRun?> FindLatestAsync(CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var run = await db.DuplicateScanRuns.AsNoTracking().OrderByDescending(r => r.Id).FirstOrDefaultAsync(ct);
        if (run is { Status: DuplicateScanStatus.Running } && run.HeartbeatAt < Now - _options.InterruptedAfter)
            run.Status = DuplicateScanStatus.Interrupted;
        return run;
    }

    /// <summary>The newest completed run, whose summary the panel shows beside a running one.</summary>
    public async Task<DuplicateScanRun?> FindLastCompletedAsync(CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        return await db.DuplicateScanRuns.AsNoTracking().Where(r => r.Status == DuplicateScanStatus.Completed)
            .OrderByDescending(r => r.Id).FirstOrDefaultAsync(ct);
    }

    /// <summary>Records a new running scan unless one is running (a silent one is marked interrupted first).</summary>
    public async Task<ScanStart> CreateRunAsync(string actor, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        await db.Sql().AdvisoryLockAsync(db, StartLockKey, ct);
        var now = Now;
        var silentSince = now - _options.InterruptedAfter;
        await db.DuplicateScanRuns.Where(r => r.Status == DuplicateScanStatus.Running && r.HeartbeatAt < silentSince)
            .ExecuteUpdateAsync(s => s.SetProperty(r => r.Status, DuplicateScanStatus.Interrupted)
                .SetProperty(r => r.FinishedAt, r => r.HeartbeatAt)
                .SetProperty(r => r.Error, "The scan stopped without finishing (its process ended)."), ct);
        var running = await db.DuplicateScanRuns.AsNoTracking().FirstOrDefaultAsync(r => r.Status == DuplicateScanStatus.Running, ct);
        if (running is not null) return new ScanStart(running, false);
        var run = new DuplicateScanRun
        {
            Status = DuplicateScanStatus.Running, Stage = "starting", StartedAt = now, HeartbeatAt = now,
            StartedBy = actor.Length > 100 ? actor[..100] : actor,
        };
        db.DuplicateScanRuns.Add(run);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException ex) when (SqlDialects.IsUniqueViolation(ex, db.Model.UniqueIndex<DuplicateScanRun>(nameof(DuplicateScanRun.Status))))
        {
            // Another instance started one between the check and the insert.
            await tx.RollbackAsync(ct);
            await using var again = await factory.CreateDbContextAsync(ct);
            return new ScanStart(await again.DuplicateScanRuns.AsNoTracking().FirstAsync(r => r.Status == DuplicateScanStatus.Running, ct), false);
        }
        await tx.CommitAsync(ct);
        return new ScanStart(run, true);
    }

    /// <summary>Runs the recorded scan to its end (or failure, or cancellation) in the caller's time; returns its final row.</summary>
    public async Task<DuplicateScanRun> RunAsync(int runId, CancellationToken ct, IProgress<PairFinderProgress>? observer = null)
    {
        var progress = new DuplicateScanProgress(observer);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var heartbeat = Task.Run(() => HeartbeatAsync(runId, progress, stop), CancellationToken.None);
        DuplicateScanStatus status;
        string? error = null;
        Outcome? outcome = null;
        try
        {
            outcome = await ScanAsync(progress, stop.Token);
            status = DuplicateScanStatus.Completed;
        }
        catch (OperationCanceledException)
        {
            status = DuplicateScanStatus.Cancelled;
            error = ct.IsCancellationRequested ? "The scan was cancelled (the app stopped)." : "The scan was stopped: another process declared it interrupted.";
        }
        catch (Exception ex)
        {
            logger.LogError(ex, "Duplicate scan {RunId} failed", runId);
            status = DuplicateScanStatus.Failed;
            error = "The scan failed: " + ex.GetBaseException().Message;
        }
        finally
        {
            await stop.CancelAsync();
            await heartbeat;
        }
        return await FinishAsync(runId, status, error, outcome);
    }
}
