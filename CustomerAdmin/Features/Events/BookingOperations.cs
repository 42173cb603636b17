using System.ComponentModel.DataAnnotations;
using CustomerAdmin.Common;
using CustomerAdmin.Features.Customers.History;
using CustomerAdmin.Features.Customers.Status;
using CustomerAdmin.Features.Customers.Search;
using CustomerAdmin.Features.Sms;
using CustomerAdmin.Features.Sms.Sending;
using CustomerAdmin.Features.Sms.Templates;
using CustomerAdmin.Features.Sms.Webhooks;
using CustomerAdmin.Features.Webhooks;
using CustomerAdmin.Data;
using CustomerAdmin.Data.Sql;
using Microsoft.EntityFrameworkCore;

namespace CustomerAdmin.Features.Events;

/// <summary>What the booking dialog collects; the operation checks it again, whatever the form let through.</summary>
public sealed class BookingDraft
{
    [Required(ErrorMessage = "Choose the customer.")]
    public int? CustomerId { get; set; }

    [Required(ErrorMessage = "Choose the event.")]
    public int? EventId { get; set; }

    [Range(0, EventOperations.MaxCapacity, ErrorMessage = "Seats cannot be negative (0 = reminder only).")]
    public int Seats { get; set; } = 1;

    [StringLength(Booking.NotesMax, ErrorMessage = "Keep the notes under {1} characters.")]
    public string? Notes { get; set; }
}

/// <summary>The outcome of a booking attempt: the saved booking, or the one the customer already had for that event.</summary>
public sealed record BookingResult(Booking Booking, bool AlreadyBooked);

/// <summary>
/// Booking rules: one booking per customer and event, never more seats than the event holds, no booking on a
/// cancelled or started event, and an SMS and a timeline entry written in the same transaction as the change.
/// </summary>
/// <remarks>
/// Capacity is checked inside a transaction whose first statement write-locks the event row. On PostgreSQL that row
/// lock queues concurrent bookings of one event (read committed: the seat sum that follows sees what the previous
/// holder committed); on SQLite the transaction is opened <c>BEGIN IMMEDIATE</c> (Microsoft.Data.Sqlite's default), so
/// it holds the database's single write lock before it reads anything.
/// </remarks>
public sealed class BookingOperations(IDbContextFactory<AppDbContext> dbFactory, SmsOutbox outbox, TimeProvider time)
{
    public const string DeletedCode = "booking-deleted";

    public static Dictionary<string, string> Validate(BookingDraft d)
    {
        var errors = new Dictionary<string, string>();
        if (d.CustomerId is null) errors[nameof(BookingDraft.CustomerId)] = "Choose the customer.";
        if (d.EventId is null) errors[nameof(BookingDraft.EventId)] = "Choose the event.";
        if (d.Seats < 0) errors[nameof(BookingDraft.Seats)] = "Seats cannot be negative (0 = reminder only).";
        else if (d.Seats > EventOperations.MaxCapacity) errors[nameof(BookingDraft.Seats)] = "That is more seats than any event has.";
        if ((d.Notes?.Trim().Length ?? 0) > Booking.NotesMax) errors[nameof(BookingDraft.Notes)] = $"Keep the notes under {Booking.NotesMax} characters.";
        return errors;
    }

    /// <summary>
    /// Books the customer onto the event. When they already have a booking for it (typed twice, or two people at once),
    /// nothing is written and that booking comes back with <see cref="BookingResult.AlreadyBooked"/> set.
    /// </summary>
    /// <param name="blockOverride">A manager's override, needed to book a blocked customer (<see cref="CustomerBlocks"/>).</param>
    public async Task<BookingResult> CreateAsync(BookingDraft draft, string? actor = null, CancellationToken ct = default,
        BlockOverride? blockOverride = null)
    {
        RuleViolationException.ThrowFirst(Validate(draft));
        try
        {
            await using var db = await dbFactory.CreateDbContextAsync(ct);
            if (actor is not null) db.Actor = actor;
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            var ev = await LockedEventAsync(db, draft.EventId!.Value, ct);
            if (await db.Bookings.AsNoTracking().FirstOrDefaultAsync(b => b.CustomerId == draft.CustomerId && b.EventId == ev.Id, ct) is { } existing)
                return new BookingResult(existing, AlreadyBooked: true);
            var customer = await db.Customers.AsNoTracking().FirstOrDefaultAsync(c => c.Id == draft.CustomerId, ct);
            if (customer is null || customer.Status.IsGone())
                throw new RuleViolationException("This customer has been deleted, so they cannot be booked. Choose another customer.", nameof(BookingDraft.CustomerId));
            var now = time.GetUtcNow().UtcDateTime;
            ThrowIfNotBookable(ev, now);
            await CustomerBlocks.CheckAsync(db, customer, blockOverride, $"a booking for {ev.Name}", nameof(BookingDraft.CustomerId), now, ct);
            await ThrowIfOverCapacityAsync(db, ev, draft.Seats, exceptBookingId: null, ct);

            var booking = new Booking
            {
                CustomerId = customer.Id, EventId = ev.Id, Seats = draft.Seats, Notes = TextInput.Blank(draft.Notes),
                CreatedAt = now, CreatedBy = db.Actor, UpdatedAt = now, UpdatedBy = db.Actor, Version = 1,
            };
            db.Bookings.Add(booking);
            db.Activities.Add(Entry(customer.Id, ActivityKind.BookingMade, $"Booked {ev.Name}", Describe(booking.Seats, ev), now, db.Actor));
            // A reminder-only booking has no seats to confirm: it gets its own wording ("we'll remind you").
            var kind = booking.IsReminderOnly ? SmsKind.ReminderOnlyConfirmation : SmsKind.BookingConfirmation;
            outbox.Enqueue(db, await outbox.TemplatesAsync(db, ct), kind, customer, booking, ev, db.Actor);
            await db.SaveChangesAsync(ct);
            // After the save: the event carries the new id.
            if (await WebhookOutbox.AddAsync(db, WebhookEvents.BookingCreated, () => WebhookData.Booking(booking, customer, ev), ct) > 0) await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
            return new BookingResult(booking, AlreadyBooked: false);
        }
        catch (DbUpdateException ex) when (IsDuplicate(ex))
        {
            // Someone booked this customer onto the event between our check and our insert: show theirs.
            await using var db = await dbFactory.CreateDbContextAsync(ct);
            var existing = await db.Bookings.AsNoTracking().FirstAsync(b => b.CustomerId == draft.CustomerId && b.EventId == draft.EventId, ct);
            return new BookingResult(existing, AlreadyBooked: true);
        }
    }

    /// <summary>Changes seats and notes. A change of seats sends the customer an update and goes on their timeline.</summary>
    /// <param name="expectedVersion">The version the user edited, so a change made meanwhile is not overwritten blindly.</param>
    public async Task<Booking> UpdateAsync(int bookingId, int expectedVersion, int seats, string? notes, string? actor = null, CancellationToken ct = default)
    {
        RuleViolationException.ThrowFirst(Validate(new BookingDraft { CustomerId = 0, EventId = 0, Seats = seats, Notes = notes }));
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        if (actor is not null) db.Actor = actor;
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var eventId = await db.Bookings.Where(b => b.Id == bookingId).Select(b => (int?)b.EventId).FirstOrDefaultAsync(ct)
            ?? throw new RuleViolationException("This booking no longer exists; it may have been deleted meanwhile.");
        var ev = await LockedEventAsync(db, eventId, ct);
        var booking = await db.Bookings.FirstOrDefaultAsync(b => b.Id == bookingId, ct)
            ?? throw new RuleViolationException("This booking no longer exists; it may have been deleted meanwhile.");
        if (booking.Version != expectedVersion) throw new StaleBookingException();

        var now = time.GetUtcNow().UtcDateTime;
        var seatsChanged = seats != booking.Seats;
        if (seatsChanged)
        {
            ThrowIfNotBookable(ev, now);
            await ThrowIfOverCapacityAsync(db, ev, seats, exceptBookingId: booking.Id, ct);
            var customer = await db.Customers.AsNoTracking().FirstAsync(c => c.Id == booking.CustomerId, ct);
            db.Activities.Add(Entry(customer.Id, ActivityKind.BookingChanged, $"Booking for {ev.Name} changed",
                $"{Seats(booking.Seats)} → {Describe(seats, ev)}", now, db.Actor));
            booking.Seats = seats;
            outbox.Enqueue(db, await outbox.TemplatesAsync(db, ct), SmsKind.BookingUpdate, customer, booking, ev, db.Actor);
        }
        booking.Notes = TextInput.Blank(notes);
        booking.UpdatedAt = now;
        booking.UpdatedBy = db.Actor;
        booking.Version = expectedVersion + 1;
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return booking;
    }

    /// <summary>
    /// Removes the booking without messaging the customer: whatever is still pending for it (a confirmation, a reminder)
    /// is skipped, and the timeline says it was cancelled. Sent messages stay in the log, their booking link cleared.
    /// </summary>
    public async Task DeleteAsync(int bookingId, string? actor = null, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        if (actor is not null) db.Actor = actor;
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var booking = await db.Bookings.Include(b => b.Event).Include(b => b.Customer).FirstOrDefaultAsync(b => b.Id == bookingId, ct);
        if (booking is null) return;
        await WebhookOutbox.AddAsync(db, WebhookEvents.BookingCancelled, () => WebhookData.Booking(booking, booking.Customer!, booking.Event!), ct);
        var now = time.GetUtcNow().UtcDateTime;
        await SmsStatusChanges.UpdateAsync(db, db.SmsMessages.Where(m => m.BookingId == bookingId && m.Status == SmsStatus.Pending), s => s
                .SetProperty(m => m.Status, SmsStatus.Skipped)
                .SetProperty(m => m.ErrorCode, DeletedCode)
                .SetProperty(m => m.ErrorMessage, "The booking was deleted.")
                .SetProperty(m => m.UpdatedAt, now), ct);
        db.Bookings.Remove(booking);
        db.Activities.Add(Entry(booking.CustomerId, ActivityKind.BookingCancelled, $"Booking for {booking.Event!.Name} cancelled",
            Describe(booking.Seats, booking.Event), now, db.Actor));
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
    }

    /// <summary>
    /// Write-locks the event row as the transaction's first statement. The update changes nothing (capacity set to
    /// itself) so it neither bumps the event's version, which would fail a concurrent edit of the event for no reason,
    /// nor moves its audit stamps.
    /// </summary>
    /// <returns>False when there is no such event.</returns>
    public static async Task<bool> LockEventAsync(AppDbContext db, int eventId, CancellationToken ct) =>
        await db.Events.Where(e => e.Id == eventId).ExecuteUpdateAsync(s => s.SetProperty(e => e.Capacity, e => e.Capacity), ct) > 0;

    public static Task<int> BookedSeatsAsync(AppDbContext db, int eventId, CancellationToken ct) =>
        db.Bookings.Where(b => b.EventId == eventId).SumAsync(b => b.Seats, ct);

    /// <summary>Why no seats can be booked or changed on this event now, or null when they can.</summary>
    public static string? NotBookableReason(Event ev, DateTime nowUtc) =>
        ev.Status == EventStatus.Cancelled ? $"{ev.Name} is cancelled; it cannot be booked."
        : ev.StartsAt <= nowUtc ? $"{ev.Name} has already started; it can no longer be booked."
        : null;

    /// <summary>The refusal when <paramref name="seats"/> more seats do not fit, or null when they do.</summary>
    public static string? CapacityRefusal(Event ev, int bookedByOthers, int seats)
    {
        var remaining = Math.Max(0, ev.Capacity - bookedByOthers);
        if (seats <= remaining) return null;
        return remaining == 0
            ? $"{ev.Name} is full: no seats are left. Book 0 seats to send the customer reminders only."
            : $"Only {remaining} {(remaining == 1 ? "seat is" : "seats are")} left on {ev.Name}; {seats} cannot be booked.";
    }

    public static bool IsDuplicate(DbUpdateException ex) =>
        ex.UniqueIndex<Booking>(nameof(Booking.CustomerId), nameof(Booking.EventId)) is { } index && SqlDialects.IsUniqueViolation(ex, index);

    /// <summary>The event (tracked), its row write-locked for the rest of the transaction: see <see cref="LockEventAsync"/>.</summary>
    internal static async Task<Event> LockedEventAsync(AppDbContext db, int eventId, CancellationToken ct)
    {
        if (!await LockEventAsync(db, eventId, ct))
            throw new RuleViolationException("This event no longer exists.", nameof(BookingDraft.EventId));
        return await db.Events.FirstAsync(e => e.Id == eventId, ct);
    }

    private static void ThrowIfNotBookable(Event ev, DateTime now)
    {
        if (NotBookableReason(ev, now) is { } reason) throw new RuleViolationException(reason, nameof(BookingDraft.EventId));
    }

    private static async Task ThrowIfOverCapacityAsync(AppDbContext db, Event ev, int seats, int? exceptBookingId, CancellationToken ct)
    {
        var others = await db.Bookings.Where(b => b.EventId == ev.Id && b.Id != (exceptBookingId ?? 0)).SumAsync(b => b.Seats, ct);
        if (CapacityRefusal(ev, others, seats) is { } refusal) throw new RuleViolationException(refusal, nameof(BookingDraft.Seats));
    }

    private static Activity Entry(int customerId, ActivityKind kind, string subject, string body, DateTime now, string actor) => new()
    {
        CustomerId = customerId, Kind = kind, Subject = TextInput.Truncate(subject, Activity.SubjectMax), Body = body, OccurredAt = now, CreatedAt = now, CreatedBy = actor,
    };

    public static string Seats(int seats) => seats == 0 ? "reminder only" : seats == 1 ? "1 seat" : $"{seats} seats";

    private string Describe(int seats, Event ev) => $"{Seats(seats)}, event on {outbox.Venue.Display(ev.StartsAt)}";

}

/// <summary>Someone else changed the booking since the user loaded it.</summary>
public sealed class StaleBookingException() : Exception("Someone else changed this booking meanwhile; it has been reloaded, please check and try again.");
