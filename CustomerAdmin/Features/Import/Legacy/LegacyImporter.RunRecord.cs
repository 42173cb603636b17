using CustomerAdmin.Data;
using Microsoft.EntityFrameworkCore;

namespace CustomerAdmin.Features.Import.Legacy;

public sealed partial class LegacyImporter
{
    private async Task FinishRunAsync(ImportRun run, ImportReport report, ImportRunStatus status, string? error)
    {
        // Not the caller's token: a cancelled import must still record how it ended. Every count is written, not
        // only those that differ from the last batch's copy: a rolled-back batch's counts never reached the row.
        // Only a run still marked running is finished here; one declared interrupted meanwhile keeps what the undo
        // or the admin made of it.
        await using var db = await factory.CreateDbContextAsync();
        CopyCounts(report, run);
        var now = time.GetUtcNow().UtcDateTime;
        var message = error is null ? null : error[..Math.Min(error.Length, 2000)];
        var updated = await db.ImportRuns.Where(r => r.Id == run.Id && r.Status == ImportRunStatus.Running).ExecuteUpdateAsync(s => s
            .SetProperty(r => r.Status, status).SetProperty(r => r.FinishedAt, now).SetProperty(r => r.HeartbeatAt, now)
            .SetProperty(r => r.Error, message)
            .SetProperty(r => r.RowsRead, run.RowsRead).SetProperty(r => r.TicketsImported, run.TicketsImported)
            .SetProperty(r => r.TicketsAlreadyImported, run.TicketsAlreadyImported).SetProperty(r => r.CustomersCreated, run.CustomersCreated)
            .SetProperty(r => r.CustomersMatched, run.CustomersMatched).SetProperty(r => r.RowsRejected, run.RowsRejected)
            .SetProperty(r => r.Conflicts, run.Conflicts));
        if (updated == 1) run.Status = status;
    }

    /// <summary>
    /// Marks runs that are still "Running" but have been silent for longer than
    /// <see cref="LegacyImportOptions.InterruptedAfter"/> as <see cref="ImportRunStatus.Interrupted"/>: their process
    /// stopped without finishing (a crash, a restart, a lost database). What they committed stays, whole batches
    /// only, and can be undone or finished by importing the file again.
    /// </summary>
    /// <returns>How many runs were marked.</returns>
    public async Task<int> MarkInterruptedAsync(int? runId = null, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        return await ImportRuns.MarkInterruptedAsync(db, ImportRunKind.LegacyTickets, time.GetUtcNow().UtcDateTime - _options.InterruptedAfter, runId,
            InterruptedMessage, ct);
    }

    private const string InterruptedMessage = "The import stopped without finishing (its process ended). The tickets of the batches it had "
        + "completed are kept: undo the import, or run the same file again to finish it (nothing is imported twice).";

    private static void CopyCounts(ImportReport report, ImportRun run)
    {
        run.RowsRead = report.RowsRead;
        run.TicketsImported = report.Tickets;
        run.TicketsAlreadyImported = report.TicketsAlreadyImported;
        run.CustomersCreated = report.CustomersCreated;
        run.CustomersMatched = report.CustomersMatched;
        run.RowsRejected = report.RowsRejected;
        run.Conflicts = report.Conflicts;
    }
}
