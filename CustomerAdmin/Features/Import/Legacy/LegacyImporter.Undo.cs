using CustomerAdmin.Data;
using CustomerAdmin.Features.Customers;
using CustomerAdmin.Features.Dashboard;
using Microsoft.EntityFrameworkCore;

namespace CustomerAdmin.Features.Import.Legacy;

public sealed partial class LegacyImporter
{
    /// <summary>
    /// Removes exactly what the import created: its tickets, the customers it created and the legacy-id links it
    /// wrote; customers it only matched get their stats back. Refused while a customer it created has anything the
    /// import did not create (a ticket opened since, a sale, equipment, a later import's ticket).
    /// </summary>
    public async Task<UndoResult> UndoAsync(int runId, string actor, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        db.Actor = actor;
        await MarkInterruptedAsync(runId, ct);
        var run = await db.ImportRuns.FirstOrDefaultAsync(r => r.Id == runId && r.Kind == ImportRunKind.LegacyTickets, ct);
        if (run is null) return new(false, $"There is no legacy ticket import #{runId}.");
        if (run.Status == ImportRunStatus.Undone) return new(false, $"Import #{runId} was already undone on {run.UndoneAt:yyyy-MM-dd HH:mm} by {run.UndoneBy}.");
        if (run.Status == ImportRunStatus.Running)
            return new(false, $"Import #{runId} is still running (last sign of life {run.HeartbeatAt ?? run.StartedAt:yyyy-MM-dd HH:mm:ss} UTC); "
                + $"cancel it first. A run silent for {_options.InterruptedAfter.TotalMinutes:N0} minutes counts as interrupted and can then be undone.");

        var blockers = db.Customers.Where(c => c.ImportRunId == runId
            && (db.Tickets.Any(t => t.CustomerId == c.Id && (t.ImportRunId == null || t.ImportRunId != runId))
                || db.Sales.Any(s => s.CustomerId == c.Id)
                || db.Equipment.Any(q => q.CustomerId == c.Id)
                || db.Activities.Any(a => a.CustomerId == c.Id && (a.ImportRunId == null || a.ImportRunId != runId))
                || db.Documents.Any(d => d.CustomerId == c.Id)
                || db.LegacyCustomerLinks.Any(l => l.CustomerId == c.Id && l.ImportRunId != runId)));
        var blockerCount = await blockers.CountAsync(ct);
        if (blockerCount > 0)
        {
            var names = await blockers.OrderBy(c => c.Id).Take(5)
                .Select(c => "#" + c.Id + " " + c.FirstName + " " + c.LastName).ToListAsync(ct);
            return new(false, $"Import #{runId} cannot be undone: {blockerCount:N0} customers it created have since got tickets, sales, "
                + $"equipment, timeline entries, documents or links that the import did not create ({string.Join(", ", names)}{(blockerCount > 5 ? ", …" : "")}). "
                + "Undoing it would delete that work too. Move or delete those first (or undo the later import that used them).");
        }

        var annotated = await db.Activities.CountAsync(a => a.TicketId != null && (a.ImportRunId == null || a.ImportRunId != runId)
            && db.Tickets.Any(t => t.Id == a.TicketId && t.ImportRunId == runId), ct);
        if (annotated > 0)
        {
            return new(false, $"Import #{runId} cannot be undone: {annotated:N0} timeline entries (notes, status changes) have been written "
                + "about tickets it imported since; undoing it would delete that history too.");
        }

        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var summary = await DashboardSummaryKeeper.BeginChangeAsync(db, await db.Tickets.Where(t => t.ImportRunId == runId).Select(t => t.CustomerId)
            .Union(db.Customers.Where(c => c.ImportRunId == runId).Select(c => c.Id)).ToListAsync(ct), ct);
        // Customers the import only matched: recounted once the import's tickets are gone.
        var matched = await db.Tickets
            .Where(t => t.ImportRunId == runId && t.Status == TicketStatus.Closed && t.Customer!.ImportRunId != runId)
            .Select(t => t.CustomerId).Distinct().ToListAsync(ct);
        // The timeline entries the import wrote about its tickets go with them.
        await db.Activities.Where(a => a.ImportRunId == runId).ExecuteDeleteAsync(ct);
        var tickets = await db.Tickets.Where(t => t.ImportRunId == runId).ExecuteDeleteAsync(ct);
        await db.LegacyCustomerLinks.Where(l => l.ImportRunId == runId).ExecuteDeleteAsync(ct);
        var customersDeleted = await db.Customers.Where(c => c.ImportRunId == runId).ExecuteDeleteAsync(ct);
        await CustomerStatsKeeper.RecountAsync(db, matched, new SaveInfo(time.GetUtcNow().UtcDateTime, actor), ct);
        await db.ImportRuns.Where(r => r.Id == runId).ExecuteUpdateAsync(s => s
            .SetProperty(r => r.Status, ImportRunStatus.Undone)
            .SetProperty(r => r.UndoneAt, time.GetUtcNow().UtcDateTime)
            .SetProperty(r => r.UndoneBy, actor), ct);
        await DashboardSummaryKeeper.CompleteChangeAsync(db, summary, ct);
        await tx.CommitAsync(ct);
        return new(true, $"Import #{runId} undone: {tickets:N0} tickets and {customersDeleted:N0} customers it created were deleted; "
            + $"{matched.Count:N0} existing customers got their stats back.", tickets, customersDeleted, matched.Count);
    }
}
