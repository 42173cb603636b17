using CustomerAdmin.Common;
using CustomerAdmin.Data;
using CustomerAdmin.Features.Webhooks;
using Microsoft.EntityFrameworkCore;

namespace CustomerAdmin.Features.Customers.Status;

/// <summary>What a change of many customers' status did: changed, already so, or gone (deleted, merged, unknown id).</summary>
public sealed record StatusChangeReport(int Changed, int AlreadySo, int Gone)
{
    public int Total => Changed + AlreadySo + Gone;
}

/// <summary>
/// Active, Inactive and Blocked, set with a reason: the status moves, the field history records the reason with it
/// (<see cref="AppDbContext.ChangeReason"/>), and the customer's timeline says who changed it and why, in one
/// transaction. Deleted and Merged are not statuses a person sets here: they have their own operations (delete and
/// restore, merge and undo).
/// </summary>
public sealed class CustomerStatusOperations(IDbContextFactory<AppDbContext> dbFactory, TimeProvider time)
{
    /// <summary>Customers per transaction in <see cref="ChangeManyAsync"/>: big enough to be quick, small enough to hold no lock for long.</summary>
    public const int BatchSize = 500;

    public const string ReasonField = "Reason";
    public const string StatusField = nameof(Customer.Status);

    public static IReadOnlyList<CustomerStatus> Settable { get; } = [CustomerStatus.Active, CustomerStatus.Inactive, CustomerStatus.Blocked];

    /// <summary>Problems keyed by field (<see cref="StatusField"/>, <see cref="ReasonField"/>); empty when the change can be made.</summary>
    public static Dictionary<string, string> Validate(CustomerStatus status, string? reason)
    {
        var errors = new Dictionary<string, string>();
        if (!Settable.Contains(status)) errors[StatusField] = "Choose Active, Inactive or Blocked.";
        if (string.IsNullOrWhiteSpace(reason)) errors[ReasonField] = "Say why the status changes.";
        else if (reason.Trim().Length > CustomerChange.ReasonMax) errors[ReasonField] = $"Keep the reason under {CustomerChange.ReasonMax} characters.";
        return errors;
    }

    /// <summary>Sets one customer's status. Refused (at <see cref="StatusField"/>) when they are gone or already have it.</summary>
    /// <returns>The customer as now stored.</returns>
    public async Task<Customer> ChangeAsync(int customerId, CustomerStatus status, string reason, string actor, CancellationToken ct = default)
    {
        RuleViolationException.ThrowFirst(Validate(status, reason));
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        db.Actor = actor;
        db.ChangeReason = reason.Trim();
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var customer = await db.Customers.FirstOrDefaultAsync(c => c.Id == customerId, ct);
        if (customer is null || customer.Status.IsGone())
            throw new RuleViolationException("This customer has been deleted or merged; their status cannot be changed.", StatusField);
        if (customer.Status == status)
            throw new RuleViolationException($"{customer.FullName} is already {CustomerLabels.Of(status)}.", StatusField);
        Apply(db, customer, status, time.GetUtcNow().UtcDateTime);
        await db.SaveChangesAsync(ct);
        // After the save: the event carries the new version.
        if (await WebhookOutbox.AddAsync(db, WebhookEvents.CustomerUpdated, () => WebhookData.Customer(customer), ct) > 0) await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return customer;
    }

    /// <summary>
    /// Sets the status of many customers (thousands: the bulk actions of the customer list), <see cref="BatchSize"/> per
    /// transaction, each one with the history and timeline of a single change. Customers already in that status, and
    /// those deleted or merged, are counted and left alone. A failure keeps the batches already committed.
    /// </summary>
    /// <param name="progress">Receives the number of customers handled so far after each batch.</param>
    public async Task<StatusChangeReport> ChangeManyAsync(IReadOnlyCollection<int> customerIds, CustomerStatus status, string reason,
        string actor, IProgress<int>? progress = null, CancellationToken ct = default)
    {
        RuleViolationException.ThrowFirst(Validate(status, reason));
        int changed = 0, already = 0, gone = 0, done = 0;
        foreach (var batch in customerIds.Distinct().Chunk(BatchSize))
        {
            await using var db = await dbFactory.CreateDbContextAsync(ct);
            db.Actor = actor;
            db.ChangeReason = reason.Trim();
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            var customers = await db.Customers.Where(c => batch.Contains(c.Id)).ToListAsync(ct);
            gone += batch.Length - customers.Count;
            var now = time.GetUtcNow().UtcDateTime;
            var updated = new List<Func<object>>();
            foreach (var customer in customers)
            {
                if (customer.Status.IsGone()) gone++;
                else if (customer.Status == status) already++;
                else
                {
                    Apply(db, customer, status, now);
                    updated.Add(() => WebhookData.Customer(customer));
                    changed++;
                }
            }
            await db.SaveChangesAsync(ct);
            if (await WebhookOutbox.AddEachAsync(db, WebhookEvents.CustomerUpdated, updated, ct) > 0) await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
            done += batch.Length;
            progress?.Report(done);
        }
        return new StatusChangeReport(changed, already, gone);
    }

    private static void Apply(AppDbContext db, Customer customer, CustomerStatus status, DateTime now)
    {
        db.Activities.Add(new Activity
        {
            CustomerId = customer.Id, Kind = ActivityKind.StatusChanged,
            Subject = $"Status: {CustomerLabels.Of(customer.Status)} → {CustomerLabels.Of(status)}",
            Body = db.ChangeReason, OccurredAt = now, CreatedAt = now, CreatedBy = db.Actor,
        });
        customer.Status = status;
    }
}
