using System.Text;
using CustomerAdmin.Common;
using CustomerAdmin.Data;
using CustomerAdmin.Data.Sql;
using CustomerAdmin.Features.Customers.Documents;
using CustomerAdmin.Features.Privacy.Erasure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace CustomerAdmin.Features.Privacy.Retention;

/// <summary>
/// The retention policies and their run. A run applies the enabled policies in batches of
/// <see cref="RetentionOptions.BatchSize"/> (SMS text, then documents, then anonymisation through the erasure), writing its
/// <see cref="RetentionRun"/> report as it goes. What it applies to is <see cref="RetentionQuery"/>, which the dry run counts.
/// </summary>
public sealed class RetentionOperations(IDbContextFactory<AppDbContext> factory, ErasureOperations erasures, DocumentOperations documents,
    IOptions<RetentionOptions> options, TimeProvider time, ILogger<RetentionOperations> logger)
{
    /// <summary>Who a scheduled run is by, in its report and in the erasure log.</summary>
    public const string ScheduleActor = "retention schedule";

    /// <summary>A run unfinished for longer than this is taken to have died with its instance; "Run now" may start another.</summary>
    public static readonly TimeSpan StaleAfter = TimeSpan.FromHours(12);

    /// <summary>Stores the policies; refused when someone else saved them since <paramref name="edited"/> was read.</summary>
    public async Task<RetentionPolicy> SavePolicyAsync(RetentionPolicy edited, string actor, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var stored = await db.RetentionPolicies.FirstOrDefaultAsync(p => p.Id == RetentionPolicy.SingletonId, ct);
        if (stored is null)
        {
            stored = new RetentionPolicy();
            db.RetentionPolicies.Add(stored);
        }
        else if (stored.Version != edited.Version)
            throw new RuleViolationException($"{stored.UpdatedBy} changed the policies meanwhile; reload the page to see their version.");
        (stored.AnonymiseInactive, stored.InactiveMonths) = (edited.AnonymiseInactive, edited.InactiveMonths);
        (stored.ClearSmsBodies, stored.SmsBodyDays) = (edited.ClearSmsBodies, edited.SmsBodyDays);
        (stored.DeleteDocuments, stored.DocumentMonths) = (edited.DeleteDocuments, edited.DocumentMonths);
        (stored.UpdatedAt, stored.UpdatedBy) = (time.GetUtcNow().UtcDateTime, actor);
        stored.Version++;
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException)
        {
            throw new RuleViolationException("Someone else saved the policies meanwhile; reload the page to see their version.");
        }
        logger.LogInformation("Retention policies set by {Actor}: {Policies}", actor, RetentionQuery.Describe(stored));
        return stored.Copy();
    }

    /// <summary>The dry run of the stored policies: what a run started now would do.</summary>
    public async Task<RetentionPreview> PreviewAsync(CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        return await db.PreviewAsync(await db.RetentionPolicyAsync(ct), time.GetUtcNow().UtcDateTime, ct);
    }

    /// <summary>
    /// Applies the enabled policies. A scheduled run (<paramref name="scheduledDay"/> set) claims its venue day first by
    /// inserting its report row, which is unique per day: an instance that finds the day taken does nothing and gets null,
    /// as it does when every policy is off. A run started by hand is refused while another is running.
    /// </summary>
    public async Task<RetentionRun?> RunAsync(string actor, DateOnly? scheduledDay = null, CancellationToken ct = default)
    {
        var started = time.GetUtcNow().UtcDateTime;
        RetentionPolicy policy;
        RetentionRun run;
        await using (var db = await factory.CreateDbContextAsync(ct))
        {
            policy = await db.RetentionPolicyAsync(ct);
            if (scheduledDay is { } day)
            {
                if (!policy.AnonymiseInactive && !policy.ClearSmsBodies && !policy.DeleteDocuments) return null;
                if (await db.RetentionRuns.AnyAsync(r => r.ScheduledDay == day, ct)) return null;
            }
            else if (await db.RetentionRuns.Where(r => r.FinishedAt == null && r.StartedAt > started - StaleAfter)
                         .Select(r => (DateTime?)r.StartedAt).FirstOrDefaultAsync(ct) is { } running)
                throw new RuleViolationException($"A retention run started at {db.Venue.DisplayMoment(running)} is still running; wait for its report.");
            run = new RetentionRun { ScheduledDay = scheduledDay, StartedAt = started, StartedBy = actor, Policies = RetentionQuery.Describe(policy) };
            db.RetentionRuns.Add(run);
            try
            {
                await db.SaveChangesAsync(ct);
            }
            catch (DbUpdateException ex) when (scheduledDay is not null
                && SqlDialects.IsUniqueViolation(ex, db.Model.FindEntityType(typeof(RetentionRun))!.GetIndexes().Single(i => i.IsUnique)))
            {
                logger.LogInformation("Retention run of {Day} already started by another instance", scheduledDay);
                return null;
            }
        }
        logger.LogInformation("Retention run {RunId} started by {Actor}: {Policies}", run.Id, actor, run.Policies);
        var refusals = new StringBuilder();
        try
        {
            if (policy.ClearSmsBodies)
            {
                run.SmsBodiesCleared = await ClearSmsBodiesAsync(started.AddDays(-policy.SmsBodyDays), ct);
                await SaveAsync(run, refusals, ct);
            }
            if (policy.DeleteDocuments)
            {
                run.DocumentsDeleted = await DeleteDocumentsAsync(started.AddMonths(-policy.DocumentMonths), ct);
                await SaveAsync(run, refusals, ct);
            }
            if (policy.AnonymiseInactive)
                await AnonymiseAsync(run, policy, started, actor, refusals, ct);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logger.LogError(ex, "Retention run {RunId} stopped", run.Id);
            run.Error = TextInput.Truncate($"{ex.GetType().Name}: {ex.Message}", 1000);
        }
        finally
        {
            run.FinishedAt = time.GetUtcNow().UtcDateTime;
            await SaveAsync(run, refusals, CancellationToken.None);
        }
        logger.LogInformation("Retention run {RunId} finished: {Anonymised} anonymised, {Refused} refused, {Sms} SMS texts cleared, {Documents} documents deleted",
            run.Id, run.CustomersAnonymised, run.CustomersRefused, run.SmsBodiesCleared, run.DocumentsDeleted);
        return run;
    }

    private int Batch => options.Value.BatchSize;

    private async Task<int> ClearSmsBodiesAsync(DateTime cutoff, CancellationToken ct) =>
        // The filter again in the update: a message claimed for sending meanwhile keeps its text.
        await InBatchesAsync(db => db.SmsBodiesBefore(cutoff), m => m.Id,
            (db, ids) => db.SmsBodiesBefore(cutoff).Where(m => ids.Contains(m.Id)).ExecuteUpdateAsync(s => s.SetProperty(m => m.Body, ""), ct), ct)
        + await InBatchesAsync(db => db.SmsRepliesBefore(cutoff), a => a.Id,
            (db, ids) => db.Activities.Where(a => ids.Contains(a.Id)).ExecuteUpdateAsync(s => s.SetProperty(a => a.Body, (string?)null), ct), ct);

    /// <summary>Applies <paramref name="apply"/> to the rows <paramref name="rows"/> finds, <see cref="Batch"/> ids at a time in id order; returns the rows it changed.</summary>
    private async Task<int> InBatchesAsync<T, TKey>(Func<AppDbContext, IQueryable<T>> rows, System.Linq.Expressions.Expression<Func<T, TKey>> id,
        Func<AppDbContext, List<TKey>, Task<int>> apply, CancellationToken ct) where TKey : struct, IComparable<TKey>
    {
        var changed = 0;
        TKey? last = null;
        while (true)
        {
            await using var db = await factory.CreateDbContextAsync(ct);
            var query = rows(db).Select(id);
            if (last is { } after) query = query.Where(k => k.CompareTo(after) > 0);
            var ids = await query.OrderBy(k => k).Take(Batch).ToListAsync(ct);
            if (ids.Count == 0) return changed;
            changed += await apply(db, ids);
            last = ids[^1];
        }
    }

    private async Task<int> DeleteDocumentsAsync(DateTime cutoff, CancellationToken ct)
    {
        var deleted = 0;
        for (var last = 0; ;)
        {
            List<int> ids;
            await using (var db = await factory.CreateDbContextAsync(ct))
                ids = await db.DocumentsToDelete(cutoff).Where(d => d.Id > last).OrderBy(d => d.Id).Select(d => d.Id).Take(Batch).ToListAsync(ct);
            if (ids.Count == 0) break;
            // Row, then content, one document at a time, as a user's delete does.
            foreach (var id in ids)
                if (await documents.DeleteAsync(id, ct)) deleted++;
            last = ids[^1];
        }
        return deleted;
    }

    private async Task AnonymiseAsync(RetentionRun run, RetentionPolicy policy, DateTime now, string actor, StringBuilder refusals, CancellationToken ct)
    {
        var cutoff = now.AddMonths(-policy.InactiveMonths);
        var reason = $"Retention: no activity for {policy.InactiveMonths} months (run #{run.Id})";
        for (var last = 0; ;)
        {
            List<int> ids;
            await using (var db = await factory.CreateDbContextAsync(ct))
                ids = await db.InactiveSince(cutoff).Where(c => c.Id > last).OrderBy(c => c.Id).Select(c => c.Id).Take(Batch).ToListAsync(ct);
            if (ids.Count == 0) break;
            foreach (var id in ids)
            {
                try
                {
                    await erasures.EraseAsync(id, reason, actor, purge: false, ct);
                    run.CustomersAnonymised++;
                }
                catch (RuleViolationException ex)
                {
                    run.CustomersRefused++;
                    refusals.Append('#').Append(id).Append(": ").AppendLine(ex.Message);
                }
            }
            last = ids[^1];
            // Once per batch rather than per customer: SQLite's VACUUM rewrites the whole file.
            if (!await erasures.PurgeAsync(ct))
                logger.LogWarning("Retention run {RunId}: the write-ahead log was busy, so the checkpoint that clears it did not finish", run.Id);
            await SaveAsync(run, refusals, ct);
        }
    }

    /// <summary>The report so far, so the page shows a long run's progress.</summary>
    private async Task SaveAsync(RetentionRun run, StringBuilder refusals, CancellationToken ct)
    {
        run.Refusals = refusals.Length == 0 ? null : TextInput.Truncate(refusals.ToString(), RetentionRun.RefusalsMax);
        await using var db = await factory.CreateDbContextAsync(ct);
        db.RetentionRuns.Update(run);
        await db.SaveChangesAsync(ct);
    }
}
