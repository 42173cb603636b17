using System.ComponentModel.DataAnnotations;
using CustomerAdmin.Common;
using CustomerAdmin.Features.Customers.History;
using CustomerAdmin.Features.Customers.Search;
using CustomerAdmin.Features.Sms;
using CustomerAdmin.Features.Sms.Reminders;
using CustomerAdmin.Features.Sms.Sending;
using CustomerAdmin.Features.Sms.Templates;
using CustomerAdmin.Features.Sms.Webhooks;
using CustomerAdmin.Data;
using CustomerAdmin.Security;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace CustomerAdmin.Features.Events;

/// <summary>What the event form collects. The start is a wall-clock date and time at the venue.</summary>
public sealed class EventDraft
{
    [Required(ErrorMessage = "Enter the event's name.")]
    [StringLength(Event.NameMax, ErrorMessage = "Keep the name under {1} characters.")]
    public string? Name { get; set; }

    [Required(ErrorMessage = "Choose the date.")]
    public DateTime? Date { get; set; }

    [Required(ErrorMessage = "Choose the start time.")]
    public TimeSpan? Time { get; set; }

    [Range(1, EventOperations.MaxCapacity, ErrorMessage = "Capacity must be between {1} and {2} seats.")]
    public int Capacity { get; set; } = 50;

    [Range(typeof(decimal), "0", "10000000", ErrorMessage = "The price cannot be negative.")]
    public decimal Price { get; set; }

    [StringLength(Event.DescriptionMax, ErrorMessage = "Keep the description under {1} characters.")]
    public string? Description { get; set; }

    /// <summary>The start as typed, in the venue's time zone.</summary>
    public DateTime? VenueStart => Date is { } d && Time is { } t ? d.Date + t : null;

    public static EventDraft From(Event ev, VenueOptions venue)
    {
        var local = venue.ToVenue(ev.StartsAt);
        return new EventDraft
        {
            Name = ev.Name, Date = local.Date, Time = local.TimeOfDay, Capacity = ev.Capacity, Price = ev.Price, Description = ev.Description,
        };
    }
}

/// <summary>
/// Creating, changing and cancelling events. Each change runs in one transaction on a fresh context and starts by
/// write-locking the event row (<see cref="BookingOperations.LockEventAsync"/>), the same lock bookings take, so a
/// capacity cut and a booking of the last seats can never both pass their checks.
/// </summary>
/// <remarks>
/// Like every operation, these take no user and check no permission: the page's handler checks the one the change
/// needs (<see cref="Permissions.EventsCancel"/> to cancel or reopen, <see cref="Permissions.SmsBulk"/> to text the
/// attendees) on the server before calling, and <c>AuthorizationMatrixTests</c> fails a handler that does not.
/// </remarks>
public sealed class EventOperations(
    IDbContextFactory<AppDbContext> dbFactory, SmsOutbox outbox, IOptions<VenueOptions> venue, TimeProvider time)
{
    /// <summary>Far above any real room; a typo with extra zeros is refused.</summary>
    public const int MaxCapacity = 100_000;

    public const string MovedCode = "event-moved";
    public const string CancelledCode = "event-cancelled";
    public const string ReopenedCode = "event-reopened";

    public VenueOptions Venue => venue.Value;

    /// <summary>The rules the form's annotations cannot express; field name to message.</summary>
    /// <param name="startChanged">Only a new or moved event must lie in the future: a past event's notes may still be fixed.</param>
    public static Dictionary<string, string> Validate(EventDraft d, VenueOptions venue, DateTime nowUtc, bool startChanged = true)
    {
        var errors = new Dictionary<string, string>();
        var results = new List<ValidationResult>();
        Validator.TryValidateObject(d, new ValidationContext(d), results, validateAllProperties: true);
        foreach (var r in results)
            foreach (var member in r.MemberNames)
                errors.TryAdd(member, r.ErrorMessage ?? "Check this field.");
        if (string.IsNullOrWhiteSpace(d.Name)) errors.TryAdd(nameof(EventDraft.Name), "Enter the event's name.");
        if (Money.Check(d.Price, "price") is { } money) errors.TryAdd(nameof(EventDraft.Price), money);
        if (startChanged && d.VenueStart is { } start && venue.ToUtc(start) <= nowUtc)
            errors.TryAdd(nameof(EventDraft.Date), "The event would start in the past; choose a later date or time.");
        return errors;
    }

    public async Task<Event> CreateAsync(EventDraft draft, string? actor = null, CancellationToken ct = default)
    {
        var now = time.GetUtcNow().UtcDateTime;
        RuleViolationException.ThrowFirst(Validate(draft, Venue, now));
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        if (actor is not null) db.Actor = actor;
        var ev = new Event
        {
            Name = draft.Name!.Trim(), StartsAt = Venue.ToUtc(draft.VenueStart!.Value), Capacity = draft.Capacity, Price = draft.Price,
            Description = TextInput.Blank(draft.Description), Status = EventStatus.Scheduled,
            CreatedAt = now, CreatedBy = db.Actor, UpdatedAt = now, UpdatedBy = db.Actor, Version = 1,
        };
        db.Events.Add(ev);
        await db.SaveChangesAsync(ct);
        return ev;
    }

    /// <param name="expectedVersion">The version the user edited, so a change made meanwhile is not overwritten blindly.</param>
    /// <param name="notifyCustomers">When the start moves, text every booked customer the new time (the caller checks <see cref="Permissions.SmsBulk"/>).</param>
    public async Task<Event> UpdateAsync(int eventId, int expectedVersion, EventDraft draft, bool notifyCustomers = false,
        string? actor = null, CancellationToken ct = default)
    {
        var now = time.GetUtcNow().UtcDateTime;
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        if (actor is not null) db.Actor = actor;
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var ev = await BookingOperations.LockedEventAsync(db, eventId, ct);
        if (ev.Version != expectedVersion) throw new StaleEventException();
        if (ev.Status == EventStatus.Cancelled) throw new RuleViolationException("This event is cancelled and can no longer be changed.");

        var startsAt = draft.VenueStart is { } start ? Venue.ToUtc(start) : ev.StartsAt;
        var moved = startsAt != ev.StartsAt;
        RuleViolationException.ThrowFirst(Validate(draft, Venue, now, moved));
        var booked = await BookingOperations.BookedSeatsAsync(db, eventId, ct);
        if (draft.Capacity < booked)
            throw new RuleViolationException(
                $"{booked} seats are already booked, so the capacity cannot go below {booked}. Change or delete bookings first.",
                nameof(EventDraft.Capacity));

        ev.Name = draft.Name!.Trim();
        ev.StartsAt = startsAt;
        ev.Capacity = draft.Capacity;
        ev.Price = draft.Price;
        ev.Description = TextInput.Blank(draft.Description);
        ev.UpdatedAt = now;
        ev.UpdatedBy = db.Actor;
        ev.Version = expectedVersion + 1;
        // Reminders computed from the old start would arrive on the wrong day; the reminder scan enqueues new ones
        // for the new start (its unique key includes the start), so only the pending ones are skipped here, and those
        // skipped by an earlier move away from the new start come back.
        if (moved)
        {
            await SkipPendingRemindersAsync(db, eventId, MovedCode, "The event was moved to another time.", now, ct);
            await RestoreRemindersAsync(db, eventId, startsAt, MovedCode, now, ct);
            // A notice of an earlier move still waiting (quiet hours) would name a time that no longer holds.
            await SkipPendingAsync(db, eventId, SmsKind.EventMoved, MovedCode, "The event was moved again.", now, ct);
            if (notifyCustomers) await EnqueueForBookingsAsync(db, ev, SmsKind.EventMoved, ct);
        }
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return ev;
    }

    /// <summary>Cancels the event, skips its pending reminders and, when asked, tells every booked customer.</summary>
    /// <returns>The cancelled event and how many cancellation messages were written to the outbox.</returns>
    public async Task<(Event Event, int Notified)> CancelAsync(int eventId, bool notifyCustomers, string? actor = null, CancellationToken ct = default)
    {
        var now = time.GetUtcNow().UtcDateTime;
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        if (actor is not null) db.Actor = actor;
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var ev = await BookingOperations.LockedEventAsync(db, eventId, ct);
        if (ev.Status == EventStatus.Cancelled) throw new RuleViolationException("This event is already cancelled.");

        ev.Status = EventStatus.Cancelled;
        ev.CancelledAt = now;
        ev.UpdatedAt = now;
        ev.UpdatedBy = db.Actor;
        ev.Version++;
        await SkipPendingRemindersAsync(db, eventId, CancelledCode, "The event was cancelled.", now, ct);

        var notified = notifyCustomers ? await EnqueueForBookingsAsync(db, ev, SmsKind.EventCancelled, ct) : 0;
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return (ev, notified);
    }

    /// <summary>
    /// Puts a cancelled event back on the schedule. Its bookings stand; the reminders the cancellation dropped come back
    /// (the reminder scan writes any that fell due meanwhile), and nobody is sent a confirmation again.
    /// </summary>
    public async Task<Event> ReopenAsync(int eventId, string? actor = null, CancellationToken ct = default)
    {
        var now = time.GetUtcNow().UtcDateTime;
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        if (actor is not null) db.Actor = actor;
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var ev = await BookingOperations.LockedEventAsync(db, eventId, ct);
        if (ev.Status != EventStatus.Cancelled) throw new RuleViolationException("This event is not cancelled.");
        if (ev.StartsAt <= now)
            throw new RuleViolationException("This event's start has passed, so it cannot be reopened. Create a new event instead.");

        ev.Status = EventStatus.Scheduled;
        ev.CancelledAt = null;
        ev.UpdatedAt = now;
        ev.UpdatedBy = db.Actor;
        ev.Version++;
        await RestoreRemindersAsync(db, eventId, ev.StartsAt, CancelledCode, now, ct);
        // Cancellation notices still waiting (quiet hours) must not tell anyone the event is off now that it is on.
        await SkipPendingAsync(db, eventId, SmsKind.EventCancelled, ReopenedCode, "The event was reopened before this was sent.", now, ct);
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return ev;
    }

    private async Task<int> EnqueueForBookingsAsync(AppDbContext db, Event ev, SmsKind kind, CancellationToken ct)
    {
        var bookings = await db.Bookings.AsNoTracking().Include(b => b.Customer).Where(b => b.EventId == ev.Id).ToListAsync(ct);
        var templates = await outbox.TemplatesAsync(db, ct);
        foreach (var booking in bookings)
            outbox.Enqueue(db, templates, kind, booking.Customer!, booking, ev, db.Actor);
        return bookings.Count;
    }

    private static Task<int> SkipPendingAsync(AppDbContext db, int eventId, SmsKind kind, string code, string message, DateTime now, CancellationToken ct) =>
        SmsStatusChanges.UpdateAsync(db, db.SmsMessages
            .Where(m => m.Status == SmsStatus.Pending && m.Kind == kind && m.EventId == eventId), s => s
                .SetProperty(m => m.Status, SmsStatus.Skipped)
                .SetProperty(m => m.ErrorCode, code)
                .SetProperty(m => m.ErrorMessage, message)
                .SetProperty(m => m.UpdatedAt, now), ct);

    /// <summary>
    /// Reminders for <paramref name="startsAt"/> that <paramref name="code"/> skipped while pending go back to pending,
    /// as long as they still make sense now: a 7-day reminder only while more than a day is left (otherwise the scan
    /// writes the 24-hour one), and only for bookings that still exist. The unique reminder key would otherwise keep
    /// the scan from writing them again, and the customer would get no reminder at all.
    /// </summary>
    public static Task<int> RestoreRemindersAsync(AppDbContext db, int eventId, DateTime startsAt, string code, DateTime now, CancellationToken ct)
    {
        var dayLeft = startsAt > now + ReminderScan.DayLead;
        return SmsStatusChanges.UpdateAsync(db, db.SmsMessages
            .Where(m => m.Status == SmsStatus.Skipped && m.ErrorCode == code && m.EventId == eventId && m.EventStartsAt == startsAt
                && m.BookingId != null && startsAt > now
                && (m.Kind == SmsKind.Reminder24Hour || (m.Kind == SmsKind.Reminder7Day && dayLeft))), s => s
                .SetProperty(m => m.Status, SmsStatus.Pending)
                .SetProperty(m => m.ErrorCode, (string?)null)
                .SetProperty(m => m.ErrorMessage, (string?)null)
                .SetProperty(m => m.NextAttemptAt, now)
                .SetProperty(m => m.UpdatedAt, now), ct);
    }

    /// <summary>Pending reminders of the event's bookings become skipped, with the reason in ErrorCode.</summary>
    public static Task<int> SkipPendingRemindersAsync(AppDbContext db, int eventId, string code, string message, DateTime now, CancellationToken ct) =>
        SmsStatusChanges.UpdateAsync(db, db.SmsMessages
            .Where(m => m.Status == SmsStatus.Pending
                && (m.Kind == SmsKind.Reminder7Day || m.Kind == SmsKind.Reminder24Hour)
                && m.EventId == eventId), s => s
                .SetProperty(m => m.Status, SmsStatus.Skipped)
                .SetProperty(m => m.ErrorCode, code)
                .SetProperty(m => m.ErrorMessage, message)
                .SetProperty(m => m.UpdatedAt, now), ct);

}

/// <summary>Someone else changed the event since the user loaded it.</summary>
public sealed class StaleEventException() : Exception("Someone else changed this event meanwhile; it has been reloaded, please check and try again.");
