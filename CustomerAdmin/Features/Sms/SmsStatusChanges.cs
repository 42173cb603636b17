using CustomerAdmin.Data;
using CustomerAdmin.Features.Webhooks;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Query;

namespace CustomerAdmin.Features.Sms;

/// <summary>
/// Every write that can move an SMS's status goes through <see cref="UpdateAsync"/>, which writes the
/// <c>sms.status_changed</c> webhook event of each message whose status it moved, in the same transaction.
/// <see cref="SmsStatus.Sending"/> is the dispatcher's lease on a pending message, not a status of its own for a
/// receiver: pending → sending (a claim) raises nothing, and sending → pending (sent back for later) raises nothing
/// either, since the receiver last heard "pending".
/// </summary>
public static class SmsStatusChanges
{
    /// <summary>
    /// Runs <paramref name="set"/> on <paramref name="rows"/> (one UPDATE, as <c>ExecuteUpdateAsync</c>) and, when an
    /// enabled endpoint subscribes, adds and saves one event per message whose status it changed, in the caller's
    /// transaction (or one of its own). Returns the rows updated.
    /// </summary>
    public static async Task<int> UpdateAsync(AppDbContext db, IQueryable<SmsMessage> rows,
        Action<UpdateSettersBuilder<SmsMessage>> set, CancellationToken ct)
    {
        if (!await WebhookOutbox.SubscribedAsync(db, WebhookEvents.SmsStatusChanged, ct))
            return await rows.ExecuteUpdateAsync(set, ct);

        var own = db.Database.CurrentTransaction is null ? await db.Database.BeginTransactionAsync(ct) : null;
        try
        {
            var before = await rows.Select(m => new { m.Id, m.Status }).ToDictionaryAsync(m => m.Id, m => m.Status, ct);
            var updated = 0;
            if (before.Count > 0)
            {
                var ids = before.Keys.ToList();
                updated = await rows.Where(m => ids.Contains(m.Id)).ExecuteUpdateAsync(set, ct);
                var moved = (await db.SmsMessages.AsNoTracking().Where(m => ids.Contains(m.Id))
                        .Select(m => new SmsStatusChanged(m.Id, m.CustomerId, m.Status, m.ErrorCode)).ToListAsync(ct))
                    .Where(m => Reported(m.Status) != Reported(before[m.Id])).OrderBy(m => m.Id).ToList();
                if (await WebhookOutbox.AddEachAsync(db, WebhookEvents.SmsStatusChanged, moved.Select(m => (Func<object>)(() => m)).ToList(), ct) > 0)
                    await db.SaveChangesAsync(ct);
            }
            if (own is not null) await own.CommitAsync(ct);
            return updated;
        }
        finally
        {
            if (own is not null) await own.DisposeAsync();
        }
    }

    private static SmsStatus Reported(SmsStatus status) => status == SmsStatus.Sending ? SmsStatus.Pending : status;
}

/// <summary>The <c>data</c> of an <c>sms.status_changed</c> event.</summary>
public sealed record SmsStatusChanged(long Id, int CustomerId, SmsStatus Status, string? ErrorCode);
