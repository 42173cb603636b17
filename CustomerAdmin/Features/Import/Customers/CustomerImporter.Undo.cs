using System.Linq.Expressions;
using System.Reflection;
using CustomerAdmin.Data;
using CustomerAdmin.Features.Dashboard;
using CustomerAdmin.Features.Duplicates.Merging;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;

namespace CustomerAdmin.Features.Import.Customers;

public sealed partial class CustomerImporter
{
    private static readonly MethodInfo ReferencingMethod =
        typeof(CustomerImporter).GetMethod(nameof(ReferencingAsync), BindingFlags.NonPublic | BindingFlags.Static)!;

    /// <summary>
    /// Undoes a customer import (completed, cancelled, failed or interrupted): deletes the customers it created, except
    /// those that have since got anything attached (tickets, sales, bookings, SMS, documents, timeline entries, a
    /// merge, references of another import) or were edited by someone else: they stay, and the result says why; gives
    /// the customers it updated their previous values back, field by field, except the fields changed since. The undo
    /// is recorded on the run (who, when, what it did) and its restorations in the customers' history.
    /// </summary>
    public async Task<CustomerImportUndoResult> UndoAsync(int runId, string actor, CancellationToken ct = default)
    {
        await MarkInterruptedAsync(runId, ct);
        await using var db = await factory.CreateDbContextAsync(ct);
        var run = await db.ImportRuns.AsNoTracking().FirstOrDefaultAsync(r => r.Id == runId && r.Kind == ImportRunKind.Customers, ct);
        if (run is null) return new(false, $"There is no customer import #{runId}.");
        if (run.DryRun) return new(false, $"Import #{runId} was a dry run: it changed nothing, so there is nothing to undo.");
        if (run.Status == ImportRunStatus.Undone) return new(false, $"Import #{runId} was already undone on {run.UndoneAt:yyyy-MM-dd HH:mm} UTC by {run.UndoneBy}.");
        if (run.Status == ImportRunStatus.Running)
            return new(false, $"Import #{runId} is still running (last sign of life {run.HeartbeatAt ?? run.StartedAt:yyyy-MM-dd HH:mm:ss} UTC). "
                + $"A run silent for {_options.InterruptedAfter.TotalMinutes:N0} minutes counts as interrupted and can then be undone.");

        var importActor = ActorOf(runId);
        var undoActor = $"undo of import #{runId} by {actor}";
        db.Actor = undoActor[..Math.Min(undoActor.Length, 100)];
        await using var tx = await db.Database.BeginTransactionAsync(ct);

        var created = await db.Customers.Where(c => c.ImportRunId == runId).Select(c => c.Id).ToListAsync(ct);
        var kept = await AttachedAsync(db, created, importActor, runId, ct);
        foreach (var (id, by) in await db.CustomerChanges.Where(c => created.Contains(c.CustomerId) && c.ChangedBy != importActor)
            .GroupBy(c => c.CustomerId).Select(g => new { Id = g.Key, By = g.Min(c => c.ChangedBy) })
            .ToDictionaryAsync(x => x.Id, x => x.By, ct))
            kept.TryAdd(id, $"edited since by {by}");
        var deleting = created.Where(id => !kept.ContainsKey(id)).ToList();

        var notes = kept.OrderBy(k => k.Key).Select(k => $"customer #{k.Key} stays: {k.Value}").ToList();
        var (restored, fieldsKept) = await RestoreUpdatedAsync(db, runId, created, notes, ct);

        var summary = await DashboardSummaryKeeper.BeginChangeAsync(db, deleting, ct);
        foreach (var chunk in deleting.Chunk(1000))
        {
            var ids = chunk.ToList();
            // The import's own entries (its later rows' "contact details changed") go with the customers it created.
            await db.Activities.Where(a => ids.Contains(a.CustomerId) && a.CreatedBy == importActor).ExecuteDeleteAsync(ct);
            await db.Customers.Where(c => ids.Contains(c.Id)).ExecuteDeleteAsync(ct);
        }
        await DashboardSummaryKeeper.CompleteChangeAsync(db, summary, ct);
        // References it recorded on customers that existed before (those of the customers that stay, stay with them).
        var keptIds = kept.Keys.ToList();
        await db.LegacyCustomerLinks.Where(l => l.ImportRunId == runId && !keptIds.Contains(l.CustomerId)).ExecuteDeleteAsync(ct);

        var message = $"Import #{runId} undone: {deleting.Count:N0} customers it created were deleted"
            + (kept.Count > 0 ? $", {kept.Count:N0} kept (something was attached to them or they were edited since)" : "")
            + $"; {restored:N0} updated customers got their previous values back"
            + (fieldsKept > 0 ? $", except {fieldsKept:N0} fields changed since" : "") + ".";
        var recorded = notes.Count == 0 ? message : message + " " + string.Join("; ", notes) + ".";
        var now = Now;
        await db.ImportRuns.Where(r => r.Id == runId).ExecuteUpdateAsync(s => s
            .SetProperty(r => r.Status, ImportRunStatus.Undone).SetProperty(r => r.UndoneAt, now)
            .SetProperty(r => r.UndoneBy, actor[..Math.Min(actor.Length, 100)])
            .SetProperty(r => r.UndoSummary, recorded[..Math.Min(recorded.Length, 4000)]), ct);
        await tx.CommitAsync(ct);
        return new(true, message, deleting.Count, kept.Count, restored, fieldsKept, notes);
    }

    /// <summary>
    /// Gives the customers the run updated (and did not create) the values they had before it, newest row first, each
    /// field only while it still holds what the run wrote. Saved through the keepers: history, search, duplicates.
    /// </summary>
    private static async Task<(int Restored, int FieldsKept)> RestoreUpdatedAsync(AppDbContext db, int runId, List<int> created, List<string> notes,
        CancellationToken ct)
    {
        var createdSet = created.ToHashSet();
        var updates = await db.ImportReportRows.AsNoTracking()
            .Where(r => r.ImportRunId == runId && r.Action == ImportRowAction.Updated && r.CustomerId != null && r.Before != null)
            .OrderByDescending(r => r.Line).ToListAsync(ct);
        var restored = new HashSet<int>();
        var fieldsKept = 0;
        foreach (var chunk in updates.Where(u => !createdSet.Contains(u.CustomerId!.Value)).Chunk(500))
        {
            var ids = chunk.Select(u => u.CustomerId!.Value).Distinct().ToList();
            var customers = await db.Customers.Where(c => ids.Contains(c.Id)).ToDictionaryAsync(c => c.Id, ct);
            foreach (var update in chunk)
            {
                if (!customers.TryGetValue(update.CustomerId!.Value, out var customer)) continue;
                var before = MergeValues.Deserialize<Dictionary<string, string?>>(update.Before!);
                var after = MergeValues.Deserialize<Dictionary<string, string?>>(update.After!);
                foreach (var (field, was) in before)
                {
                    if (MergeValues.Text(customer, field) != after.GetValueOrDefault(field))
                    {
                        fieldsKept++;
                        notes.Add($"customer #{customer.Id} keeps its {field} (changed since the import)");
                        continue;
                    }
                    MergeValues.SetText(customer, field, was);
                    restored.Add(customer.Id);
                }
            }
            await db.SaveChangesAsync(ct);
            db.ChangeTracker.Clear();
        }
        return (restored.Count, fieldsKept);
    }

    /// <summary>
    /// The created customers that rows of another table now point at (every table with a customer key in the EF model,
    /// as <see cref="CustomerKeyedTables"/> finds them, except the derived ones), each with what it is.
    /// </summary>
    private static async Task<Dictionary<int, string>> AttachedAsync(AppDbContext db, List<int> ids, string importActor, int runId, CancellationToken ct)
    {
        var attached = new Dictionary<int, string>();
        if (ids.Count == 0) return attached;
        Expression<Func<Activity, bool>> notTheImports = a => a.CreatedBy != importActor;
        Expression<Func<LegacyCustomerLink, bool>> notThisRun = l => l.ImportRunId != runId;
        foreach (var (entity, key) in CustomerKeyedTables.ForeignKeys(db.Model))
        {
            var type = entity.ClrType;
            if (CustomerKeyedTables.Handling.GetValueOrDefault(type) == MergeHandling.Stays || type == typeof(DuplicatePair)) continue;
            LambdaExpression? filter = type == typeof(Activity) ? notTheImports : type == typeof(LegacyCustomerLink) ? notThisRun : null;
            foreach (var chunk in ids.Chunk(1000))
            {
                var found = await (Task<List<int>>)ReferencingMethod.MakeGenericMethod(type).Invoke(null, [db, key.Properties.Single(), chunk, filter, ct])!;
                foreach (var id in found) attached.TryAdd(id, $"it has {What(type)} since the import");
            }
        }
        return attached;
    }

    /// <summary>The distinct customers among <paramref name="ids"/> that rows of <typeparamref name="T"/> point at by <paramref name="column"/>.</summary>
    private static async Task<List<int>> ReferencingAsync<T>(AppDbContext db, IProperty column, int[] ids, Expression<Func<T, bool>>? filter,
        CancellationToken ct) where T : class
    {
        var e = Expression.Parameter(typeof(T), "e");
        Expression value = Expression.Call(typeof(EF), nameof(EF.Property), [column.ClrType], e, Expression.Constant(column.Name));
        if (value.Type != typeof(int?)) value = Expression.Convert(value, typeof(int?));
        var list = ids.Select(i => (int?)i).ToList();
        var contains = Expression.Call(typeof(Enumerable), nameof(Enumerable.Contains), [typeof(int?)], Expression.Constant(list), value);
        var rows = db.Set<T>().AsNoTracking().Where(Expression.Lambda<Func<T, bool>>(contains, e));
        if (filter is not null) rows = rows.Where(filter);
        var found = await rows.Select(Expression.Lambda<Func<T, int?>>(value, e)).Distinct().ToListAsync(ct);
        return found.OfType<int>().ToList();
    }

    private static string What(Type type) => type.Name switch
    {
        nameof(Ticket) => "tickets",
        nameof(Sale) => "sales",
        nameof(Booking) => "bookings",
        nameof(Equipment) => "equipment",
        nameof(SmsMessage) => "SMS messages",
        nameof(Activity) => "timeline entries",
        nameof(CustomerDocument) => "documents",
        nameof(LegacyCustomerLink) => "external references of another import",
        nameof(CustomerMerge) => "been merged",
        _ => type.Name + " rows",
    };
}
