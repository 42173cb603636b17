using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using CustomerAdmin.Common;
using CustomerAdmin.Data;
using CustomerAdmin.Features.Customers.Search;
using CustomerAdmin.Features.Sms;
using Microsoft.EntityFrameworkCore;
using CustomerAdmin.Features.Webhooks;

namespace CustomerAdmin.Features.Customers.Bulk;

/// <summary>
/// Tags added, removed or renamed and customers deleted, many at once: a preview first ("this changes N customers, M are
/// unchanged, R may not be touched and why"), then the change in the background, a batch of customers per transaction,
/// each saved as a single edit is, so the keepers write their history rows, search tokens and duplicate checks. Delete
/// applies the single delete's guards (<see cref="CustomerDeletion"/>) and reports the customers it refused.
/// </summary>
public sealed class CustomerBulkOperations(IDbContextFactory<AppDbContext> dbFactory, PhoneNormalizer phones, TimeProvider time,
    CustomerAdmin.Features.Customers.Status.CustomerStatusOperations statuses, IHostApplicationLifetime lifetime, ILogger<CustomerBulkOperations> logger)
{
    public const int BatchSize = 200;
    private const int Attempts = 3;

    private readonly ConcurrentDictionary<string, CustomerBulkJob> _latest = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>The user's latest bulk job, running or done, while the app runs: a page opened later shows it.</summary>
    public CustomerBulkJob? LatestJobOf(string user) => _latest.GetValueOrDefault(user);

    public async Task<int> CountAsync(CustomerSelection selection, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await selection.Query(db, phones).CountAsync(ct);
    }

    /// <summary>What <paramref name="action"/> would do to the selection, computed by the same code that applies it.</summary>
    public async Task<BulkPreview> PreviewAsync(CustomerSelection selection, BulkAction action, CancellationToken ct = default)
    {
        action.Validate();
        int changed = 0, unchanged = 0, refusedCount = 0;
        var refused = new List<BulkRefusal>();
        await foreach (var ids in BatchesAsync(selection, ct))
        {
            var batch = await ProcessAsync(ids, action, actor: null, ct);
            changed += batch.Changed;
            unchanged += batch.Unchanged;
            refusedCount += batch.Refused.Count;
            refused.AddRange(batch.Refused.Take(CustomerBulkJob.MaxListed - refused.Count));
        }
        return new BulkPreview(changed + unchanged + refusedCount, changed, unchanged, refusedCount, refused);
    }

    /// <summary>Starts the action in the background; refused (a rule violation) while the user's previous one still runs.</summary>
    public async Task<CustomerBulkJob> StartAsync(CustomerSelection selection, BulkAction action, string actor, CancellationToken ct = default)
    {
        action.Validate();
        var total = await CountAsync(selection, ct);
        var job = new CustomerBulkJob(action, total, actor, time.GetUtcNow().UtcDateTime);
        var current = _latest.AddOrUpdate(actor, job, (_, existing) => existing.State == BulkJobState.Running ? existing : job);
        if (current != job)
            throw new RuleViolationException($"Your previous bulk change ({current.Action.Describe()}) is still running: {current.Done:N0} of {current.Total:N0} done.");
        _ = Task.Run(() => RunAsync(job, selection, lifetime.ApplicationStopping), CancellationToken.None);
        return job;
    }

    private async Task RunAsync(CustomerBulkJob job, CustomerSelection selection, CancellationToken ct)
    {
        try
        {
            await foreach (var ids in BatchesAsync(selection, ct))
                job.Add(await ApplyBatchAsync(ids, job.Action, job.StartedBy, ct));
            logger.LogInformation("Bulk change by {Actor} ({Action}): {Changed} changed, {Unchanged} unchanged, {Refused} refused",
                job.StartedBy, job.Action.Kind, job.Changed, job.Unchanged, job.RefusedCount);
            job.Finish(BulkJobState.Finished);
        }
        catch (OperationCanceledException)
        {
            logger.LogWarning("Bulk change by {Actor} ({Action}) stopped with the app after {Done} of {Total}", job.StartedBy, job.Action.Kind, job.Done, job.Total);
            job.Finish(BulkJobState.Cancelled, "The app stopped while the change was running; the customers done so far keep it.");
        }
        catch (Exception ex)
        {
            logger.LogError(ex, "Bulk change by {Actor} ({Action}) failed after {Done} of {Total}", job.StartedBy, job.Action.Kind, job.Done, job.Total);
            job.Finish(BulkJobState.Failed, ex.GetBaseException().Message);
        }
    }

    /// <summary>
    /// The selection's ids, a batch at a time in id order, each batch read after the previous one is written: a customer
    /// the change moves out of the filter (a tag removed, a status set) is never read again, nor skipped.
    /// </summary>
    private async IAsyncEnumerable<List<int>> BatchesAsync(CustomerSelection selection, [EnumeratorCancellation] CancellationToken ct)
    {
        var after = 0;
        while (true)
        {
            List<int> ids;
            await using (var db = await dbFactory.CreateDbContextAsync(ct))
                ids = await selection.Query(db, phones).Where(c => c.Id > after).OrderBy(c => c.Id).Select(c => c.Id).Take(BatchSize).ToListAsync(ct);
            if (ids.Count == 0) yield break;
            after = ids[^1];
            yield return ids;
        }
    }

    private async Task<BatchOutcome> ApplyBatchAsync(List<int> ids, BulkAction action, string actor, CancellationToken ct)
    {
        if (action.Kind == BulkActionKind.SetStatus)
        {
            // The status operation writes the reason into each customer's history and timeline.
            var report = await statuses.ChangeManyAsync(ids, action.Status!.Value, action.Reason!, actor, ct: ct);
            return new BatchOutcome(report.Changed, report.AlreadySo + report.Gone, []);
        }
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await ProcessAsync(ids, action, actor, ct);
            }
            catch (DbUpdateConcurrencyException) when (attempt < Attempts)
            {
                // Someone saved one of these customers between our read and our write: read the batch again.
            }
        }
    }

    /// <summary>One batch: decided per customer, and written in one transaction unless this is a preview (no actor).</summary>
    private async Task<BatchOutcome> ProcessAsync(List<int> ids, BulkAction action, string? actor, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var preview = actor is null;
        if (!preview) db.Actor = actor!;
        await using var tx = preview ? null : await db.Database.BeginTransactionAsync(ct);
        var query = db.Customers.Where(c => ids.Contains(c.Id));
        var customers = await (preview ? query.AsNoTracking() : query).OrderBy(c => c.Id).ToListAsync(ct);
        var refusals = action.Kind == BulkActionKind.Delete
            ? await db.RefusalsAsync(customers.Where(c => !c.Status.IsGone()).ToList(), time.GetUtcNow().UtcDateTime, ct)
            : new Dictionary<int, string>();
        int changed = 0, unchanged = 0;
        var refused = new List<BulkRefusal>();
        var deleted = new List<Func<object>>();
        var updated = new List<Func<object>>();
        foreach (var customer in customers)
        {
            var reason = Apply(customer, action, refusals.GetValueOrDefault(customer.Id));
            if (reason is null) changed++;
            else if (reason.Length == 0) unchanged++;
            else refused.Add(new BulkRefusal(customer.Id, customer.FullName, reason));
            if (reason is null && action.Kind == BulkActionKind.Delete) deleted.Add(() => new { id = customer.Id });
            else if (reason is null) updated.Add(() => WebhookData.Customer(customer));
        }
        if (tx is not null)
        {
            await WebhookOutbox.AddEachAsync(db, WebhookEvents.CustomerDeleted, deleted, ct);
            await db.SaveChangesAsync(ct);
            // After the save: the events carry the new versions.
            if (await WebhookOutbox.AddEachAsync(db, WebhookEvents.CustomerUpdated, updated, ct) > 0) await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
        }
        return new BatchOutcome(changed, unchanged, refused);
    }

    /// <summary>Applies the action to one customer.</summary>
    /// <returns>Null when the customer changed, "" when there was nothing to change, otherwise why they may not be changed.</returns>
    private static string? Apply(Customer customer, BulkAction action, string? deleteRefusal)
    {
        if (customer.Status.IsGone())
            return action.Kind == BulkActionKind.Delete && customer.Status == CustomerStatus.Deleted ? ""
                : customer.Status == CustomerStatus.Merged ? $"{customer.FullName} was merged into customer {customer.MergedIntoId}."
                : $"{customer.FullName} is deleted.";
        if (action.Kind == BulkActionKind.SetStatus)
        {
            // Only a preview comes here: ApplyBatchAsync hands the change to the status operation.
            if (customer.Status == action.Status) return "";
            customer.Status = action.Status!.Value;
            return null;
        }
        if (action.Kind == BulkActionKind.Delete)
        {
            if (deleteRefusal is not null) return deleteRefusal;
            customer.Status = CustomerStatus.Deleted;
            return null;
        }
        var before = CustomerTags.Parse(customer.Tags);
        var after = action.ApplyTo(before);
        if (after.SequenceEqual(before)) return "";
        var joined = CustomerTags.Join(after);
        if (joined?.Length > Customer.TagsMax)
            return $"{customer.FullName}'s tags would be longer than the {Customer.TagsMax} characters a customer's tags may take.";
        customer.Tags = joined;
        return null;
    }
}
