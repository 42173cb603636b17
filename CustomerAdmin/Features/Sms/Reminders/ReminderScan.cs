using System.Data.Common;
using CustomerAdmin.Features.Events;
using CustomerAdmin.Features.Sms;
using CustomerAdmin.Features.Sms.Sending;
using CustomerAdmin.Features.Sms.Templates;
using CustomerAdmin.Features.Sms.Webhooks;
using CustomerAdmin.Data;
using CustomerAdmin.Data.Sql;
using Microsoft.EntityFrameworkCore;

namespace CustomerAdmin.Features.Sms.Reminders;

/// <summary>
/// Finds bookings whose 7-day or 24-hour reminder is due and writes it to the outbox, once per booking, kind and
/// event start. Safe to run on every app instance at once: the partial unique index UX_SmsMessages_Reminder is the
/// real guarantee, and a batch that meets a row another instance just wrote is retried row by row.
/// </summary>
public sealed class ReminderScan(
    IDbContextFactory<AppDbContext> dbFactory, SmsOutbox outbox, TimeProvider time, ILogger<ReminderScan> logger)
{
    public const int PageSize = 1000;
    public static readonly TimeSpan SevenDayLead = TimeSpan.FromDays(7);
    public static readonly TimeSpan DayLead = TimeSpan.FromHours(24);


    /// <summary>One pass over the due reminders; returns how many rows it wrote (sent or skipped).</summary>
    public async Task<int> RunOnceAsync(CancellationToken ct = default)
    {
        var now = time.GetUtcNow().UtcDateTime;
        List<DueEvent> events;
        SmsTemplateSet templates;
        await using (var db = await dbFactory.CreateDbContextAsync(ct))
        {
            // The window is a range on the (Status, StartsAt) index: only events starting within the next 7 days.
            var horizon = now + SevenDayLead;
            events = await db.Events.AsNoTracking()
                .Where(e => e.Status == EventStatus.Scheduled && e.StartsAt > now && e.StartsAt <= horizon)
                .OrderBy(e => e.StartsAt)
                .Select(e => new DueEvent(e.Id, e.Name, e.StartsAt))
                .ToListAsync(ct);
            if (events.Count == 0) return 0;
            templates = await outbox.TemplatesAsync(db, ct);
        }

        var written = 0;
        foreach (var ev in events)
        {
            // A 7-day reminder that only became due once the 24-hour one is due too (a late booking, or the app was
            // down for days) would arrive next to it; only the 24-hour one goes.
            var kind = ev.StartsAt > now + DayLead ? SmsKind.Reminder7Day : SmsKind.Reminder24Hour;
            try
            {
                written += await ScanAsync(ev, kind, templates, ct);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // One event that cannot be written must not hold back the reminders of the others; it is retried next run.
                logger.LogError(ex, "Reminder scan failed for event {EventId} ({Kind})", ev.Id, kind);
            }
        }
        if (written > 0)
            logger.LogInformation("Reminder scan wrote {Count} reminders for {Events} events", written, events.Count);
        return written;
    }

    private async Task<int> ScanAsync(DueEvent ev, SmsKind kind, SmsTemplateSet templates, CancellationToken ct)
    {
        var written = 0;
        var after = 0;
        while (true)
        {
            await using var db = await dbFactory.CreateDbContextAsync(ct);
            db.Actor = "reminders";
            var page = await MissingAsync(db, ev, kind, after, ct);
            if (page.Count == 0) return written;
            after = page[^1].BookingId;

            var messages = page.Select(row => NewReminder(db, templates, kind, ev, row)).ToList();
            // Multi-row INSERTs in one transaction rather than the change tracker's statement per row: a page of a
            // thousand reminders costs a small fraction of the time (docs/benchmarks.md).
            db.ChangeTracker.Clear();
            try
            {
                await db.InsertRowsAsync(messages, ct);
                written += messages.Count;
            }
            catch (DbException ex) when (IsDuplicateReminder(db, ex))
            {
                // Another instance wrote some of this page between our read and our insert: keep the rest.
                logger.LogInformation("Reminder batch for event {EventId} met reminders written elsewhere; inserting one by one", ev.Id);
                db.ChangeTracker.Clear();
                written += await InsertOneByOneAsync(templates, kind, ev, page, ct);
            }
            if (page.Count < PageSize) return written;
        }
    }

    private async Task<int> InsertOneByOneAsync(SmsTemplateSet templates, SmsKind kind, DueEvent ev, List<SmsRecipient> rows, CancellationToken ct)
    {
        var written = 0;
        foreach (var row in rows)
        {
            await using var db = await dbFactory.CreateDbContextAsync(ct);
            db.Actor = "reminders";
            NewReminder(db, templates, kind, ev, row);
            try
            {
                await db.SaveChangesAsync(ct);
                written++;
            }
            catch (DbUpdateException ex) when (IsDuplicateReminder(db, ex))
            {
                logger.LogDebug("Reminder {Kind} for booking {BookingId} already written by another instance", kind, row.BookingId);
            }
        }
        return written;
    }

    /// <summary>
    /// The next page of the event's bookings that lack this reminder for the event's current start time. A booking made
    /// after the reminder fell due is left out: its confirmation, seconds old, already says when the event is.
    /// </summary>
    private static Task<List<SmsRecipient>> MissingAsync(AppDbContext db, DueEvent ev, SmsKind kind, int after, CancellationToken ct)
    {
        var eventId = ev.Id;
        var startsAt = ev.StartsAt;
        var dueAt = startsAt - (kind == SmsKind.Reminder7Day ? SevenDayLead : DayLead);
        // NOT EXISTS must be answered from UX_SmsMessages_Reminder, whose filter is Kind IN ('Reminder7Day',
        // 'Reminder24Hour'). SQLite uses a partial index only when the query repeats that filter term as written
        // (Kind = 'Reminder7Day' alone is not enough: it scans the table per booking), so both are here, as literals.
        return db.Bookings.AsNoTracking()
            .Where(b => b.EventId == eventId && b.Id > after && b.CreatedAt <= dueAt)
            .Where(b => !db.SmsMessages.Any(m => m.BookingId == b.Id
                && (m.Kind == SmsKind.Reminder7Day || m.Kind == SmsKind.Reminder24Hour)
                && m.Kind == EF.Constant(kind) && m.EventStartsAt == startsAt))
            .OrderBy(b => b.Id)
            .Take(PageSize)
            .AsRecipients()
            .ToListAsync(ct);
    }

    private SmsMessage NewReminder(AppDbContext db, SmsTemplateSet templates, SmsKind kind, DueEvent ev, SmsRecipient row)
    {
        var @event = new Event { Id = ev.Id, Name = ev.Name, StartsAt = ev.StartsAt };
        return outbox.Enqueue(db, templates, kind, row.ToCustomer(), row.ToBooking(ev.Id), @event);
    }

    /// <summary>A violation of the unique key that makes a reminder impossible to enqueue twice.</summary>
    public static bool IsDuplicateReminder(AppDbContext db, Exception ex) =>
        db.Sql().IsUniqueViolation(ex, db.Model.UniqueIndex<SmsMessage>(nameof(SmsMessage.BookingId), nameof(SmsMessage.Kind), nameof(SmsMessage.EventStartsAt)));

    private sealed record DueEvent(int Id, string Name, DateTime StartsAt);
}
