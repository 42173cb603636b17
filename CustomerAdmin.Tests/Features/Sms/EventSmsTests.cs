using CustomerAdmin.Common;
using CustomerAdmin.Features.Customers;
using CustomerAdmin.Features.Customers.History;
using CustomerAdmin.Features.Customers.Search;
using CustomerAdmin.Features.Events;
using CustomerAdmin.Features.Sms;
using CustomerAdmin.Features.Sms.Reminders;
using CustomerAdmin.Features.Sms.Sending;
using CustomerAdmin.Features.Sms.Templates;
using CustomerAdmin.Features.Sms.Webhooks;
using CustomerAdmin.Data;
using CustomerAdmin.Security;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace CustomerAdmin.Tests.Features.Sms;

/// <summary>
/// What bookings, moves, cancellations and reopenings write to the outbox, on both databases (who may do them is the
/// pages' check: <see cref="EventRightsComponentTests"/>).
/// A New York venue with the default quiet hours; the clock starts on a Sunday afternoon and the event is ten days later.
/// </summary>
public sealed class EventSmsTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 3, 1, 19, 0, 0, TimeSpan.Zero));
    private readonly IOptions<VenueOptions> _venue = Options.Create(new VenueOptions { TimeZone = "America/New_York", Phone = "+1 555 0100" });
    private int _phone;

    private DateTime Now => _time.GetUtcNow().UtcDateTime;
    private void SetNow(DateTime utc) => _time.SetUtcNow(new DateTimeOffset(utc));

    [Theory, InlineData(DatabaseProvider.Sqlite), InlineData(DatabaseProvider.Postgres)]
    public async Task BookingInsideAReminderWindowGetsTheConfirmationInsteadOfThatReminder(DatabaseProvider provider)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var database = await TestDatabase.CreateAsync(provider, _time, ct: ct);
        var (bookings, _, scan) = Operations(database);
        var ev = await new TestData(database.Factory, _time).EventAsync("Gala", Now.AddDays(10), 500);
        var early = await BookAsync(bookings, database, ev, seats: 2, ct);

        SetNow(ev.StartsAt - TimeSpan.FromDays(7) + TimeSpan.FromMinutes(1));
        Assert.Equal(1, await scan.RunOnceAsync(ct));
        SetNow(ev.StartsAt - TimeSpan.FromDays(3));
        var threeDays = await BookAsync(bookings, database, ev, seats: 1, ct);
        Assert.Equal(0, await scan.RunOnceAsync(ct));
        SetNow(ev.StartsAt - TimeSpan.FromHours(10));
        var tenHours = await BookAsync(bookings, database, ev, seats: 1, ct);
        Assert.Equal(2, await scan.RunOnceAsync(ct));
        Assert.Equal(0, await scan.RunOnceAsync(ct));

        var messages = await MessagesAsync(database, ct);
        SmsKind[] Kinds(Booking b) => messages.Where(m => m.BookingId == b.Id).Select(m => m.Kind).ToArray();
        Assert.Equal([SmsKind.BookingConfirmation, SmsKind.Reminder7Day, SmsKind.Reminder24Hour], Kinds(early));
        Assert.Equal([SmsKind.BookingConfirmation, SmsKind.Reminder24Hour], Kinds(threeDays));
        Assert.Equal([SmsKind.BookingConfirmation], Kinds(tenHours));
        // The confirmation that stands for the reminders names the day when it goes out.
        Assert.Contains(SmsText.EventDayToken, messages.Single(m => m.BookingId == tenHours.Id).Body);
    }

    [Theory, InlineData(DatabaseProvider.Sqlite), InlineData(DatabaseProvider.Postgres)]
    public async Task ReminderOnlyBookingGetsItsOwnConfirmationAndSeatsArePluralised(DatabaseProvider provider)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var database = await TestDatabase.CreateAsync(provider, _time, ct: ct);
        var (bookings, _, _) = Operations(database);
        var ev = await new TestData(database.Factory, _time).EventAsync("Gala", Now.AddDays(10), 500);

        var one = await BookAsync(bookings, database, ev, seats: 1, ct);
        var reminderOnly = await BookAsync(bookings, database, ev, seats: 0, ct);
        await bookings.UpdateAsync(one.Id, one.Version, 3, null, ct: ct);

        var messages = await MessagesAsync(database, ct);
        var confirmation = messages.Single(m => m.BookingId == one.Id && m.Kind == SmsKind.BookingConfirmation);
        Assert.Contains("(1 seat)", confirmation.Body);
        Assert.Contains("is now 3 seats.", messages.Single(m => m.Kind == SmsKind.BookingUpdate).Body);
        var reminderOnlyConfirmation = Assert.Single(messages, m => m.BookingId == reminderOnly.Id);
        Assert.Equal(SmsKind.ReminderOnlyConfirmation, reminderOnlyConfirmation.Kind);
        Assert.StartsWith("Hi Ann, we'll remind you before Gala", reminderOnlyConfirmation.Body);
        Assert.DoesNotContain("seat", reminderOnlyConfirmation.Body);
    }

    [Theory, InlineData(DatabaseProvider.Sqlite), InlineData(DatabaseProvider.Postgres)]
    public async Task SavedReminderOnlyTemplateIsUsed(DatabaseProvider provider)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var database = await TestDatabase.CreateAsync(provider, _time, ct: ct);
        await using (var db = database.CreateDbContext())
        {
            db.SmsTemplates.Add(new SmsTemplate { Kind = SmsKind.ReminderOnlyConfirmation, Language = "en", Body = "{{first_name}}: reminders for {{event_name}} are on." });
            await db.SaveChangesAsync(ct);
        }
        var (bookings, _, _) = Operations(database);
        var ev = await new TestData(database.Factory, _time).EventAsync("Gala", Now.AddDays(10), 500);

        await BookAsync(bookings, database, ev, seats: 0, ct);

        Assert.Equal("Ann: reminders for Gala are on.", Assert.Single(await MessagesAsync(database, ct)).Body);
    }

    [Theory, InlineData(DatabaseProvider.Sqlite), InlineData(DatabaseProvider.Postgres)]
    public async Task MovingAnEventTellsEachBookingOnceAndItsRemindersFollowTheNewTime(DatabaseProvider provider)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var database = await TestDatabase.CreateAsync(provider, _time, ct: ct);
        var (bookings, events, scan) = Operations(database);
        var ev = await new TestData(database.Factory, _time).EventAsync("Gala", Now.AddDays(10), 500);
        var booked = new List<Booking>();
        for (var i = 0; i < 60; i++) booked.Add(await BookAsync(bookings, database, ev, seats: i % 4, ct, optedOut: i % 20 == 7));
        SetNow(ev.StartsAt - TimeSpan.FromDays(7) + TimeSpan.FromMinutes(1));
        Assert.Equal(60, await scan.RunOnceAsync(ct));

        var draft = EventDraft.From(ev, _venue.Value);
        draft.Date = draft.Date!.Value.AddDays(2);
        var moved = await events.UpdateAsync(ev.Id, ev.Version, draft, notifyCustomers: true, ct: ct);
        // The same save again (a double click, a second tab) is refused as stale; a later save without a move tells nobody.
        await Assert.ThrowsAsync<StaleEventException>(() => events.UpdateAsync(ev.Id, ev.Version, draft, notifyCustomers: true, ct: ct));
        draft.Description = "Doors at 18:30.";
        await events.UpdateAsync(ev.Id, moved.Version, draft, notifyCustomers: true, ct: ct);

        var notices = (await MessagesAsync(database, ct)).Where(m => m.Kind == SmsKind.EventMoved).ToList();
        Assert.Equal(booked.Select(b => b.Id).Order(), notices.Select(m => m.BookingId!.Value).Order());
        Assert.All(notices, m => Assert.Equal(moved.Version, m.EventVersion));
        Assert.Equal(57, notices.Count(m => m.Status == SmsStatus.Pending));
        Assert.All(notices.Where(m => m.Status != SmsStatus.Pending), m => Assert.Equal((SmsStatus.Skipped, "opted-out"), (m.Status, m.ErrorCode)));
        Assert.All(notices, m => Assert.Contains("has moved", m.Body));

        // The outbox itself refuses a second notice of the same move to a booking.
        await using (var db = database.CreateDbContext())
        {
            var first = notices[0];
            db.SmsMessages.Add(new SmsMessage
            {
                CustomerId = first.CustomerId, BookingId = first.BookingId, EventId = ev.Id, EventVersion = first.EventVersion, Kind = SmsKind.EventMoved,
                To = first.To, Body = "again", NextAttemptAt = Now, CreatedAt = Now, UpdatedAt = Now,
            });
            await Assert.ThrowsAsync<DbUpdateException>(() => db.SaveChangesAsync(ct));
        }

        // The old week-ahead reminders were dropped; the new time gets its own when they fall due.
        var reminders = (await MessagesAsync(database, ct)).Where(m => m.Kind == SmsKind.Reminder7Day).ToList();
        Assert.Equal(57, reminders.Count(m => (m.Status, m.ErrorCode) == (SmsStatus.Skipped, EventOperations.MovedCode)));
        Assert.Equal(3, reminders.Count(m => (m.Status, m.ErrorCode) == (SmsStatus.Skipped, "opted-out")));
        SetNow(moved.StartsAt - TimeSpan.FromDays(7) + TimeSpan.FromMinutes(1));
        Assert.Equal(60, await scan.RunOnceAsync(ct));
        Assert.Equal(60, (await MessagesAsync(database, ct)).Count(m => m.Kind == SmsKind.Reminder7Day && m.EventStartsAt == moved.StartsAt));
    }

    [Theory, InlineData(DatabaseProvider.Sqlite), InlineData(DatabaseProvider.Postgres)]
    public async Task MovingBackBringsBackTheRemindersTheFirstMoveDropped(DatabaseProvider provider)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var database = await TestDatabase.CreateAsync(provider, _time, ct: ct);
        var (bookings, events, scan) = Operations(database);
        var ev = await new TestData(database.Factory, _time).EventAsync("Gala", Now.AddDays(10), 500);
        for (var i = 0; i < 20; i++) await BookAsync(bookings, database, ev, seats: 1, ct);
        // Due at 19:00 UTC, 14:00 at the venue; quiet hours are not involved.
        SetNow(ev.StartsAt - TimeSpan.FromDays(7) + TimeSpan.FromMinutes(1));
        Assert.Equal(20, await scan.RunOnceAsync(ct));

        var draft = EventDraft.From(ev, _venue.Value);
        draft.Time = draft.Time!.Value.Add(TimeSpan.FromHours(1));
        var later = await events.UpdateAsync(ev.Id, ev.Version, draft, ct: ct);
        draft.Time = draft.Time!.Value.Add(TimeSpan.FromHours(-1));
        var back = await events.UpdateAsync(ev.Id, later.Version, draft, ct: ct);
        Assert.Equal(ev.StartsAt, back.StartsAt);
        // Without the restore, the skipped rows hold the unique key for this start and the scan writes nothing.
        await scan.RunOnceAsync(ct);

        var reminders = (await MessagesAsync(database, ct)).Where(m => m.Kind == SmsKind.Reminder7Day).ToList();
        Assert.Equal(20, reminders.Count);
        Assert.All(reminders, m => Assert.Equal((ev.StartsAt, SmsStatus.Pending, (string?)null), (m.EventStartsAt!.Value, m.Status, m.ErrorCode)));
    }

    [Theory, InlineData(DatabaseProvider.Sqlite), InlineData(DatabaseProvider.Postgres)]
    public async Task ReopeningBringsRemindersBackOnceAndNoSecondConfirmation(DatabaseProvider provider)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var database = await TestDatabase.CreateAsync(provider, _time, ct: ct);
        var (bookings, events, scan) = Operations(database);
        var ev = await new TestData(database.Factory, _time).EventAsync("Gala", Now.AddDays(10), 500);
        var booked = new List<Booking>();
        for (var i = 0; i < 40; i++) booked.Add(await BookAsync(bookings, database, ev, seats: i % 3, ct));
        SetNow(ev.StartsAt - TimeSpan.FromDays(7) + TimeSpan.FromMinutes(1));
        Assert.Equal(40, await scan.RunOnceAsync(ct));

        await events.CancelAsync(ev.Id, notifyCustomers: false, ct: ct);
        SetNow(Now.AddHours(5));
        // A booking deleted while the event was cancelled is no longer valid: its reminder stays dropped.
        await bookings.DeleteAsync(booked[0].Id, ct: ct);
        Assert.Equal(0, await scan.RunOnceAsync(ct));

        var reopened = await events.ReopenAsync(ev.Id, ct: ct);
        await Assert.ThrowsAsync<RuleViolationException>(() => events.ReopenAsync(ev.Id, ct: ct));
        Assert.Equal((EventStatus.Scheduled, (DateTime?)null), (reopened.Status, reopened.CancelledAt));
        Assert.Equal(0, await scan.RunOnceAsync(ct));
        SetNow(ev.StartsAt - TimeSpan.FromHours(23));
        Assert.Equal(39, await scan.RunOnceAsync(ct));
        Assert.Equal(0, await scan.RunOnceAsync(ct));

        var messages = await MessagesAsync(database, ct);
        Assert.Equal(40, messages.Count(m => m.Kind is SmsKind.BookingConfirmation or SmsKind.ReminderOnlyConfirmation));
        var weekAhead = messages.Where(m => m.Kind == SmsKind.Reminder7Day).ToList();
        Assert.Equal(40, weekAhead.Count);
        Assert.Equal(39, weekAhead.Count(m => m.Status == SmsStatus.Pending && m.ErrorCode == null));
        Assert.Single(weekAhead, m => m.Status == SmsStatus.Skipped && m.BookingId == null);
        Assert.Equal(39, messages.Count(m => m.Kind == SmsKind.Reminder24Hour));
    }

    [Theory, InlineData(DatabaseProvider.Sqlite), InlineData(DatabaseProvider.Postgres)]
    public async Task ReopeningADayBeforeKeepsTheWeekAheadReminderDropped(DatabaseProvider provider)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var database = await TestDatabase.CreateAsync(provider, _time, ct: ct);
        var (bookings, events, scan) = Operations(database);
        var ev = await new TestData(database.Factory, _time).EventAsync("Gala", Now.AddDays(10), 500);
        for (var i = 0; i < 10; i++) await BookAsync(bookings, database, ev, seats: 1, ct);
        SetNow(ev.StartsAt - TimeSpan.FromDays(7) + TimeSpan.FromMinutes(1));
        Assert.Equal(10, await scan.RunOnceAsync(ct));
        await events.CancelAsync(ev.Id, notifyCustomers: false, ct: ct);

        SetNow(ev.StartsAt - TimeSpan.FromHours(20));
        await events.ReopenAsync(ev.Id, ct: ct);
        Assert.Equal(10, await scan.RunOnceAsync(ct));

        var messages = await MessagesAsync(database, ct);
        Assert.All(messages.Where(m => m.Kind == SmsKind.Reminder7Day), m => Assert.Equal(SmsStatus.Skipped, m.Status));
        Assert.Equal(10, messages.Count(m => m.Kind == SmsKind.Reminder24Hour && m.Status == SmsStatus.Pending));
    }

    [Theory, InlineData(DatabaseProvider.Sqlite), InlineData(DatabaseProvider.Postgres)]
    public async Task NoticesStillWaitingForQuietHoursToEndAreWithdrawnWhenOvertaken(DatabaseProvider provider)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var database = await TestDatabase.CreateAsync(provider, _time, ct: ct);
        var (bookings, events, _) = Operations(database);
        var ev = await new TestData(database.Factory, _time).EventAsync("Gala", Now.AddDays(10), 500);
        for (var i = 0; i < 15; i++) await BookAsync(bookings, database, ev, seats: 1, ct);
        // 22:30 at the venue: every notice written now waits until 09:00.
        SetNow(_venue.Value.ToUtc(_venue.Value.ToVenue(Now).Date.AddHours(22).AddMinutes(30)));

        var draft = EventDraft.From(ev, _venue.Value);
        draft.Date = draft.Date!.Value.AddDays(1);
        var first = await events.UpdateAsync(ev.Id, ev.Version, draft, notifyCustomers: true, ct: ct);
        draft.Date = draft.Date!.Value.AddDays(1);
        var second = await events.UpdateAsync(ev.Id, first.Version, draft, notifyCustomers: true, ct: ct);
        await events.CancelAsync(ev.Id, notifyCustomers: true, ct: ct);
        await events.ReopenAsync(ev.Id, ct: ct);

        var messages = await MessagesAsync(database, ct);
        Assert.All(messages.Where(m => m.Kind == SmsKind.EventMoved && m.EventVersion == first.Version),
            m => Assert.Equal((SmsStatus.Skipped, EventOperations.MovedCode), (m.Status, m.ErrorCode)));
        Assert.Equal(15, messages.Count(m => m.Kind == SmsKind.EventMoved && m.EventVersion == second.Version && m.Status == SmsStatus.Pending));
        var cancelled = messages.Where(m => m.Kind == SmsKind.EventCancelled).ToList();
        Assert.Equal(15, cancelled.Count);
        Assert.All(cancelled, m => Assert.Equal((SmsStatus.Skipped, EventOperations.ReopenedCode), (m.Status, m.ErrorCode)));
    }

    private SmsOutbox Outbox() => new(Options.Create(new SmsOptions()), _venue, _time);

    private (BookingOperations Bookings, EventOperations Events, ReminderScan Scan) Operations(TestDatabase database)
    {
        var outbox = Outbox();
        return (new BookingOperations(database.Factory, outbox, _time), new EventOperations(database.Factory, outbox, _venue, _time),
            new ReminderScan(database.Factory, outbox, _time, NullLogger<ReminderScan>.Instance));
    }

    /// <summary>A new customer booked through <see cref="BookingOperations"/>, as staff book them.</summary>
    private async Task<Booking> BookAsync(BookingOperations bookings, TestDatabase database, Event ev, int seats, CancellationToken ct, bool optedOut = false)
    {
        var customer = await database.Data.CustomerAsync(phoneE164: $"+1212555{++_phone:0000}",
            with: c => c.SmsOptedOutAt = optedOut ? Now : null);
        return (await bookings.CreateAsync(new BookingDraft { CustomerId = customer.Id, EventId = ev.Id, Seats = seats }, ct: ct)).Booking;
    }

    private static async Task<List<SmsMessage>> MessagesAsync(TestDatabase database, CancellationToken ct)
    {
        await using var db = database.CreateDbContext();
        return await db.SmsMessages.AsNoTracking().OrderBy(m => m.Id).ToListAsync(ct);
    }
}
