using CustomerAdmin.Data;
using Microsoft.EntityFrameworkCore;

namespace CustomerAdmin.Features.Import;

/// <summary>
/// The run record both imports share (<see cref="ImportRun"/>): a run that has been silent for longer than its import's
/// "interrupted after" died with its process, and a live run says so with a heartbeat.
/// </summary>
public static class ImportRuns
{
    /// <summary>Starts of writing imports (both kinds) queue on this lock, so two cannot both find no run and start.</summary>
    public const long StartLockKey = 0x437573744970; // "CustIp"

    /// <summary>The message for a start refused because <paramref name="running"/> is still running.</summary>
    public static string StillRunning(ImportRun running) =>
        $"Import #{running.Id} ({running.FileName}, started {running.StartedAt:yyyy-MM-dd HH:mm} UTC by {running.StartedBy}) is still running: "
        + "start this one when it has finished.";

    /// <summary>
    /// Whether a writing import (either kind, dry runs aside) is running and alive: "Running" and heard from within its
    /// kind's "interrupted after" (<see cref="Customers.CustomerImportOptions.InterruptedAfter"/>,
    /// <see cref="Legacy.LegacyImportOptions.InterruptedAfter"/>), the rule <see cref="MarkInterruptedAsync"/> applies:
    /// a run silent for longer died with its process and holds nothing back.
    /// </summary>
    public static Task<bool> AnyLiveAsync(AppDbContext db, DateTime now, TimeSpan customersInterruptedAfter, TimeSpan legacyInterruptedAfter,
        CancellationToken ct)
    {
        var customersAlive = now - customersInterruptedAfter;
        var legacyAlive = now - legacyInterruptedAfter;
        return db.ImportRuns.AnyAsync(r => r.Status == ImportRunStatus.Running && !r.DryRun
            && (r.HeartbeatAt ?? r.StartedAt) > (r.Kind == ImportRunKind.Customers ? customersAlive : legacyAlive), ct);
    }

    /// <summary>
    /// Marks runs that are still "Running" but have given no sign of life since <paramref name="silentSince"/> as
    /// <see cref="ImportRunStatus.Interrupted"/>, with <paramref name="message"/>: what they committed stays (whole
    /// batches only) and can be undone.
    /// </summary>
    /// <returns>How many runs were marked.</returns>
    public static Task<int> MarkInterruptedAsync(AppDbContext db, ImportRunKind kind, DateTime silentSince, int? runId, string message,
        CancellationToken ct) =>
        db.ImportRuns
            .Where(r => r.Kind == kind && r.Status == ImportRunStatus.Running && (r.HeartbeatAt ?? r.StartedAt) < silentSince
                && (runId == null || r.Id == runId))
            .ExecuteUpdateAsync(s => s
                .SetProperty(r => r.Status, ImportRunStatus.Interrupted)
                .SetProperty(r => r.FinishedAt, r => r.HeartbeatAt ?? r.StartedAt)
                .SetProperty(r => r.Error, message), ct);
}

/// <summary>
/// Tells other processes (other app instances showing the run) a run is alive and how far it got, at most once per
/// <paramref name="every"/>.
/// </summary>
public sealed class ImportHeartbeat(IDbContextFactory<AppDbContext> factory, TimeProvider time, TimeSpan every, ImportRun run)
{
    private DateTime _last = run.HeartbeatAt ?? run.StartedAt;

    /// <param name="rowsRead">Rows read so far: the run's progress as other instances show it.</param>
    public async Task BeatIfDueAsync(int rowsRead, CancellationToken ct)
    {
        var now = time.GetUtcNow().UtcDateTime;
        if (now - _last < every) return;
        await using var db = await factory.CreateDbContextAsync(ct);
        var alive = await db.ImportRuns.Where(r => r.Id == run.Id && r.Status == ImportRunStatus.Running)
            .ExecuteUpdateAsync(s => s.SetProperty(r => r.HeartbeatAt, now).SetProperty(r => r.RowsRead, rowsRead), ct);
        // Declared interrupted (and perhaps undone) while this process was too slow to say otherwise: writing on would
        // add rows to a run that no longer owns them.
        if (alive == 0)
            throw new InvalidOperationException($"Import #{run.Id} was marked as interrupted by another process, so it stopped.");
        _last = now;
    }
}
