using CustomerAdmin.Data;
using Microsoft.EntityFrameworkCore;
using CustomerAdmin.Features.Privacy.Consent;
using CustomerAdmin.Features.Sms.Sending;
using CustomerAdmin.Features.Sms.Templates;
using CustomerAdmin.Features.Sms.Webhooks;

namespace CustomerAdmin.Features.Sms;

/// <summary>
/// A customer's SMS consent changed by the customer (a STOP or START reply, or the provider refusing a number that
/// unsubscribed), through the consent register. The change, its timeline entry and (on opt-out) skipping what is still waiting commit together.
/// </summary>
public static class SmsConsent
{
    public const string OptedOutCode = "opted-out";

    public static async Task OptOutAsync(AppDbContext db, int customerId, string source, DateTime now, string? dedupeKey, CancellationToken ct)
    {
        await ChangeAsync(db, customerId, ct, customer =>
        {
            // A STOP ends every SMS purpose; only an explicit opt-in brings one back.
            ConsentOperations.Apply(db, customer, ConsentOptions.SmsService, granted: false, source, now, wordingVersion: null);
            ConsentOperations.Apply(db, customer, ConsentOptions.SmsMarketing, granted: false, source, now, wordingVersion: null);
            return new Activity
            {
                CustomerId = customerId, Kind = ActivityKind.SmsOptedOut, Subject = "Opted out of SMS",
                Body = $"Source: {source}", OccurredAt = now, CreatedAt = now, CreatedBy = dedupeKey ?? db.Actor,
            };
        }, async () =>
            await SmsStatusChanges.UpdateAsync(db, db.SmsMessages.Where(m => m.CustomerId == customerId && m.Status == SmsStatus.Pending), s => s
                    .SetProperty(m => m.Status, SmsStatus.Skipped)
                    .SetProperty(m => m.ErrorCode, OptedOutCode)
                    .SetProperty(m => m.ErrorMessage, "The customer opted out of SMS.")
                    .SetProperty(m => m.UpdatedAt, now), ct));
    }

    public static Task OptInAsync(AppDbContext db, int customerId, string source, DateTime now, string? dedupeKey, CancellationToken ct) =>
        ChangeAsync(db, customerId, ct, customer =>
        {
            // START resubscribes to the service messages; marketing needs its own opt-in.
            ConsentOperations.Apply(db, customer, ConsentOptions.SmsService, granted: true, source, now, wordingVersion: null);
            return new Activity
            {
                CustomerId = customerId, Kind = ActivityKind.SmsOptedIn, Subject = "Opted in to SMS",
                Body = $"Source: {source}", OccurredAt = now, CreatedAt = now, CreatedBy = dedupeKey ?? db.Actor,
            };
        }, () => Task.CompletedTask);

    private static async Task ChangeAsync(AppDbContext db, int customerId, CancellationToken ct, Func<Customer, Activity> change, Func<Task> alsoAsync)
    {
        // Staff may be saving the same customer; the consent change must win, so reload and apply again on a conflict.
        for (var attempt = 1; ; attempt++)
        {
            await using var transaction = await db.Database.BeginTransactionAsync(ct);
            try
            {
                var customer = await db.Customers.SingleAsync(c => c.Id == customerId, ct);
                db.Activities.Add(change(customer));
                await db.SaveChangesAsync(ct);
                await alsoAsync();
                await transaction.CommitAsync(ct);
                return;
            }
            catch (DbUpdateConcurrencyException) when (attempt < 3)
            {
                await transaction.RollbackAsync(ct);
                db.ChangeTracker.Clear();
            }
        }
    }
}
