using CustomerAdmin.Common;
using CustomerAdmin.Features.Customers;
using CustomerAdmin.Features.Customers.Search;
using CustomerAdmin.Features.Events;
using CustomerAdmin.Features.Sms;
using CustomerAdmin.Features.Sms.Sending;
using CustomerAdmin.Features.Sms.Templates;
using CustomerAdmin.Features.Sms.Webhooks;
using CustomerAdmin.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace CustomerAdmin.Tests.Features.Events;

/// <summary>Booking and event rules against both databases: capacity, duplicates, and the SMS they write or skip.</summary>
public class BookingTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 3, 1, 14, 0, 0, TimeSpan.Zero));
    private readonly IOptions<VenueOptions> _venue = Options.Create(new VenueOptions { TimeZone = "America/New_York" });

    private DateTime Now => _time.GetUtcNow().UtcDateTime;

    [Theory, InlineData(DatabaseProvider.Sqlite), InlineData(DatabaseProvider.Postgres)]
    public async Task BookingWritesConfirmationSmsAndTimelineEntryWithIt(DatabaseProvider provider)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var database = await TestDatabase.CreateAsync(provider, ct: ct);
        var (bookings, _) = Operations(database);
        var customerId = (await database.Data.CustomerAsync(phoneE164: "+12127365001", with: SmsCapable)).Id;
        var ev = await new TestData(database.Factory, _time).EventAsync("Jazz night", Now.AddDays(10), 10, Priced);

        var result = await bookings.CreateAsync(new BookingDraft { CustomerId = customerId, EventId = ev.Id, Seats = 2, Notes = "aisle" }, ct: ct);

        Assert.False(result.AlreadyBooked);
        await using var db = database.CreateDbContext();
        var sms = await db.SmsMessages.SingleAsync(ct);
        Assert.Equal((SmsKind.BookingConfirmation, SmsStatus.Pending, result.Booking.Id, ev.Id), (sms.Kind, sms.Status, sms.BookingId, sms.EventId));
        Assert.Equal("+12127365001", sms.To);
        Assert.Contains(ev.Name, sms.Body);
        var entry = await db.Activities.SingleAsync(a => a.Kind == ActivityKind.BookingMade, ct);
        Assert.Equal(customerId, entry.CustomerId);
        Assert.Equal(2, (await db.Bookings.SingleAsync(ct)).Seats);
    }

    [Theory, InlineData(DatabaseProvider.Sqlite), InlineData(DatabaseProvider.Postgres)]
    public async Task RefusedBookingLeavesNeitherBookingNorSms(DatabaseProvider provider)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var database = await TestDatabase.CreateAsync(provider, ct: ct);
        var (bookings, _) = Operations(database);
        var customerId = (await database.Data.CustomerAsync(phoneE164: "+12127365001", with: SmsCapable)).Id;
        var ev = await new TestData(database.Factory, _time).EventAsync("Jazz night", Now.AddDays(10), 2, Priced);

        var refused = await Assert.ThrowsAsync<RuleViolationException>(() =>
            bookings.CreateAsync(new BookingDraft { CustomerId = customerId, EventId = ev.Id, Seats = 3 }, ct: ct));

        Assert.Equal(nameof(BookingDraft.Seats), refused.Field);
        Assert.Contains("Only 2 seats are left", refused.Message);
        await using var db = database.CreateDbContext();
        Assert.False(await db.Bookings.AnyAsync(ct));
        Assert.False(await db.SmsMessages.AnyAsync(ct));
        Assert.False(await db.Activities.AnyAsync(ct));
    }

    [Theory, InlineData(DatabaseProvider.Sqlite), InlineData(DatabaseProvider.Postgres)]
    public async Task SecondBookingForSameCustomerAndEventReturnsTheExistingOne(DatabaseProvider provider)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var database = await TestDatabase.CreateAsync(provider, ct: ct);
        var (bookings, _) = Operations(database);
        var customerId = (await database.Data.CustomerAsync(phoneE164: "+12127365001", with: SmsCapable)).Id;
        var ev = await new TestData(database.Factory, _time).EventAsync("Jazz night", Now.AddDays(10), 10, Priced);
        var first = await bookings.CreateAsync(new BookingDraft { CustomerId = customerId, EventId = ev.Id, Seats = 2 }, ct: ct);

        var second = await bookings.CreateAsync(new BookingDraft { CustomerId = customerId, EventId = ev.Id, Seats = 5 }, ct: ct);

        Assert.True(second.AlreadyBooked);
        Assert.Equal(first.Booking.Id, second.Booking.Id);
        Assert.Equal(2, second.Booking.Seats);
        await using var db = database.CreateDbContext();
        Assert.Equal(1, await db.Bookings.CountAsync(ct));
        Assert.Equal(1, await db.SmsMessages.CountAsync(ct));
    }

    [Theory, InlineData(DatabaseProvider.Sqlite), InlineData(DatabaseProvider.Postgres)]
    public async Task SameCustomerBookedFromTwoPlacesAtOnceGetsOneBooking(DatabaseProvider provider)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var database = await TestDatabase.CreateAsync(provider, ct: ct);
        var (bookings, _) = Operations(database);
        var customerId = (await database.Data.CustomerAsync(phoneE164: "+12127365001", with: SmsCapable)).Id;
        var ev = await new TestData(database.Factory, _time).EventAsync("Jazz night", Now.AddDays(10), 10, Priced);

        var results = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => Task.Run(() =>
            bookings.CreateAsync(new BookingDraft { CustomerId = customerId, EventId = ev.Id, Seats = 1 }, ct: ct), ct)));

        Assert.Single(results, r => !r.AlreadyBooked);
        Assert.Single(results.Select(r => r.Booking.Id).Distinct());
        await using var db = database.CreateDbContext();
        Assert.Equal(1, await db.Bookings.CountAsync(ct));
        Assert.Equal(1, await db.SmsMessages.CountAsync(ct));
    }

    [Theory, InlineData(DatabaseProvider.Sqlite), InlineData(DatabaseProvider.Postgres)]
    public async Task ParallelBookingsOfTheLastSeatsNeverExceedCapacity(DatabaseProvider provider)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var database = await TestDatabase.CreateAsync(provider, ct: ct);
        var (bookings, _) = Operations(database);
        var ev = await new TestData(database.Factory, _time).EventAsync("Jazz night", Now.AddDays(10), 5, Priced);
        var early = (await database.Data.CustomerAsync(phoneE164: "+12127365100", with: SmsCapable)).Id;
        await bookings.CreateAsync(new BookingDraft { CustomerId = early, EventId = ev.Id, Seats = 2 }, ct: ct);
        var customers = new List<int>();
        for (var i = 0; i < 10; i++) customers.Add((await database.Data.CustomerAsync(phoneE164: $"+1212736{5200 + i}", with: SmsCapable)).Id);

        // Each task has its own context (the operation makes one), as ten members of staff would.
        var outcomes = await Task.WhenAll(customers.Select(id => Task.Run(async () =>
        {
            try
            {
                await bookings.CreateAsync(new BookingDraft { CustomerId = id, EventId = ev.Id, Seats = 1 }, ct: ct);
                return (string?)null;
            }
            catch (RuleViolationException ex)
            {
                return ex.Message;
            }
        }, ct)));

        Assert.Equal(3, outcomes.Count(o => o is null));
        Assert.All(outcomes.Where(o => o is not null), o => Assert.Contains("full", o));
        await using var db = database.CreateDbContext();
        Assert.Equal(5, await db.Bookings.Where(b => b.EventId == ev.Id).SumAsync(b => b.Seats, ct));
        Assert.Equal(4, await db.SmsMessages.CountAsync(m => m.Kind == SmsKind.BookingConfirmation, ct));
    }

    [Theory, InlineData(DatabaseProvider.Sqlite), InlineData(DatabaseProvider.Postgres)]
    public async Task CapacityCannotBeReducedBelowBookedSeats(DatabaseProvider provider)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var database = await TestDatabase.CreateAsync(provider, ct: ct);
        var (bookings, events) = Operations(database);
        var ev = await new TestData(database.Factory, _time).EventAsync("Jazz night", Now.AddDays(10), 10, Priced);
        await bookings.CreateAsync(new BookingDraft { CustomerId = (await database.Data.CustomerAsync(phoneE164: "+12127365001", with: SmsCapable)).Id, EventId = ev.Id, Seats = 4 }, ct: ct);
        var draft = EventDraft.From(ev, _venue.Value);
        draft.Capacity = 3;

        var refused = await Assert.ThrowsAsync<RuleViolationException>(() => events.UpdateAsync(ev.Id, ev.Version, draft, ct: ct));

        Assert.Equal(nameof(EventDraft.Capacity), refused.Field);
        Assert.Contains("4 seats are already booked", refused.Message);
        draft.Capacity = 4;
        var saved = await events.UpdateAsync(ev.Id, ev.Version, draft, ct: ct);
        Assert.Equal((4, ev.Version + 1), (saved.Capacity, saved.Version));
        // The user who still looks at the old version is told, not overwritten.
        await Assert.ThrowsAsync<StaleEventException>(() => events.UpdateAsync(ev.Id, ev.Version, draft, ct: ct));
    }

    [Theory, InlineData(DatabaseProvider.Sqlite), InlineData(DatabaseProvider.Postgres)]
    public async Task PastOrCancelledEventCannotBeBookedAndNegativeSeatsAreRefused(DatabaseProvider provider)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var database = await TestDatabase.CreateAsync(provider, ct: ct);
        var (bookings, events) = Operations(database);
        var customerId = (await database.Data.CustomerAsync(phoneE164: "+12127365001", with: SmsCapable)).Id;
        var past = await new TestData(database.Factory, _time).EventAsync("Jazz night", Now + TimeSpan.FromHours(-1), 10, Priced);
        var cancelled = await new TestData(database.Factory, _time).EventAsync("Jazz night", Now.AddDays(10), 10, Priced);
        await events.CancelAsync(cancelled.Id, notifyCustomers: false, ct: ct);
        var open = await new TestData(database.Factory, _time).EventAsync("Jazz night", Now.AddDays(10), 10, Priced);

        var pastRefusal = await Assert.ThrowsAsync<RuleViolationException>(() =>
            bookings.CreateAsync(new BookingDraft { CustomerId = customerId, EventId = past.Id, Seats = 1 }, ct: ct));
        Assert.Contains("already started", pastRefusal.Message);
        var cancelledRefusal = await Assert.ThrowsAsync<RuleViolationException>(() =>
            bookings.CreateAsync(new BookingDraft { CustomerId = customerId, EventId = cancelled.Id, Seats = 0 }, ct: ct));
        Assert.Contains("cancelled", cancelledRefusal.Message);
        var negative = await Assert.ThrowsAsync<RuleViolationException>(() =>
            bookings.CreateAsync(new BookingDraft { CustomerId = customerId, EventId = open.Id, Seats = -1 }, ct: ct));
        Assert.Equal(nameof(BookingDraft.Seats), negative.Field);

        var booking = (await bookings.CreateAsync(new BookingDraft { CustomerId = customerId, EventId = open.Id, Seats = 0 }, ct: ct)).Booking;
        await Assert.ThrowsAsync<RuleViolationException>(() => bookings.UpdateAsync(booking.Id, booking.Version, -2, null, ct: ct));
        await using var db = database.CreateDbContext();
        Assert.Equal(0, (await db.Bookings.SingleAsync(ct)).Seats);
    }

    [Theory, InlineData(DatabaseProvider.Sqlite), InlineData(DatabaseProvider.Postgres)]
    public async Task ChangingSeatsSendsAnUpdateAndStaysWithinCapacity(DatabaseProvider provider)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var database = await TestDatabase.CreateAsync(provider, ct: ct);
        var (bookings, _) = Operations(database);
        var ev = await new TestData(database.Factory, _time).EventAsync("Jazz night", Now.AddDays(10), 4, Priced);
        await bookings.CreateAsync(new BookingDraft { CustomerId = (await database.Data.CustomerAsync(phoneE164: "+12127365001", with: SmsCapable)).Id, EventId = ev.Id, Seats = 2 }, ct: ct);
        var mine = (await bookings.CreateAsync(new BookingDraft { CustomerId = (await database.Data.CustomerAsync(phoneE164: "+12127365002", with: SmsCapable)).Id, EventId = ev.Id, Seats = 1 }, ct: ct)).Booking;

        await Assert.ThrowsAsync<RuleViolationException>(() => bookings.UpdateAsync(mine.Id, mine.Version, 3, null, ct: ct));
        var changed = await bookings.UpdateAsync(mine.Id, mine.Version, 2, "wheelchair", ct: ct);
        var notesOnly = await bookings.UpdateAsync(changed.Id, changed.Version, 2, "wheelchair, aisle", ct: ct);

        Assert.Equal((2, "wheelchair, aisle"), (notesOnly.Seats, notesOnly.Notes));
        await using var db = database.CreateDbContext();
        Assert.Equal(1, await db.SmsMessages.CountAsync(m => m.Kind == SmsKind.BookingUpdate && m.BookingId == mine.Id, ct));
        Assert.Equal(1, await db.Activities.CountAsync(a => a.Kind == ActivityKind.BookingChanged, ct));
        await Assert.ThrowsAsync<StaleBookingException>(() => bookings.UpdateAsync(mine.Id, mine.Version, 1, null, ct: ct));
    }

    [Theory, InlineData(DatabaseProvider.Sqlite), InlineData(DatabaseProvider.Postgres)]
    public async Task DeletingBookingSkipsItsPendingSmsAndSendsNone(DatabaseProvider provider)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var database = await TestDatabase.CreateAsync(provider, ct: ct);
        var (bookings, _) = Operations(database);
        var customerId = (await database.Data.CustomerAsync(phoneE164: "+12127365001", with: SmsCapable)).Id;
        var ev = await new TestData(database.Factory, _time).EventAsync("Jazz night", Now.AddDays(10), 10, Priced);
        var booking = (await bookings.CreateAsync(new BookingDraft { CustomerId = customerId, EventId = ev.Id, Seats = 2 }, ct: ct)).Booking;
        await AddReminderAsync(database, booking, ev, SmsStatus.Pending, ct);

        await bookings.DeleteAsync(booking.Id, ct: ct);

        await using var db = database.CreateDbContext();
        Assert.False(await db.Bookings.AnyAsync(ct));
        var messages = await db.SmsMessages.ToListAsync(ct);
        Assert.Equal(2, messages.Count);
        Assert.All(messages, m => Assert.Equal((SmsStatus.Skipped, BookingOperations.DeletedCode, (int?)null), (m.Status, m.ErrorCode, m.BookingId)));
        Assert.Equal(1, await db.Activities.CountAsync(a => a.Kind == ActivityKind.BookingCancelled && a.CustomerId == customerId, ct));
    }

    [Theory, InlineData(DatabaseProvider.Sqlite), InlineData(DatabaseProvider.Postgres)]
    public async Task CancellingEventSkipsPendingRemindersAndNotifiesOnlyWhenAsked(DatabaseProvider provider)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var database = await TestDatabase.CreateAsync(provider, ct: ct);
        var (bookings, events) = Operations(database);
        var quiet = await new TestData(database.Factory, _time).EventAsync("Jazz night", Now.AddDays(10), 10, Priced);
        var loud = await new TestData(database.Factory, _time).EventAsync("Jazz night", Now.AddDays(10), 10, Priced);
        var ann = (await database.Data.CustomerAsync(phoneE164: "+12127365001", with: SmsCapable)).Id;
        var bob = (await database.Data.CustomerAsync(phoneE164: "+12127365002", with: SmsCapable)).Id;
        foreach (var ev in new[] { quiet, loud })
        {
            var attending = (await bookings.CreateAsync(new BookingDraft { CustomerId = ann, EventId = ev.Id, Seats = 2 }, ct: ct)).Booking;
            var reminderOnly = (await bookings.CreateAsync(new BookingDraft { CustomerId = bob, EventId = ev.Id, Seats = 0 }, ct: ct)).Booking;
            await AddReminderAsync(database, attending, ev, SmsStatus.Pending, ct);
            await AddReminderAsync(database, reminderOnly, ev, SmsStatus.Sent, ct);
        }

        var (cancelledQuietly, none) = await events.CancelAsync(quiet.Id, notifyCustomers: false, ct: ct);
        var (_, notified) = await events.CancelAsync(loud.Id, notifyCustomers: true, ct: ct);

        Assert.Equal((EventStatus.Cancelled, Now, 0), (cancelledQuietly.Status, cancelledQuietly.CancelledAt, none));
        Assert.Equal(2, notified);
        await using var db = database.CreateDbContext();
        foreach (var ev in new[] { quiet, loud })
        {
            var reminders = await db.SmsMessages.Where(m => m.EventId == ev.Id && m.Kind == SmsKind.Reminder24Hour).ToListAsync(ct);
            Assert.Single(reminders, m => m.Status == SmsStatus.Skipped && m.ErrorCode == EventOperations.CancelledCode);
            Assert.Single(reminders, m => m.Status == SmsStatus.Sent);
        }
        Assert.Equal(0, await db.SmsMessages.CountAsync(m => m.EventId == quiet.Id && m.Kind == SmsKind.EventCancelled, ct));
        var notices = await db.SmsMessages.Where(m => m.EventId == loud.Id && m.Kind == SmsKind.EventCancelled).ToListAsync(ct);
        Assert.Equal([ann, bob], notices.Select(m => m.CustomerId).Order());
        Assert.All(notices, m => Assert.Equal(SmsStatus.Pending, m.Status));
    }

    [Theory, InlineData(DatabaseProvider.Sqlite), InlineData(DatabaseProvider.Postgres)]
    public async Task MovingEventSkipsPendingRemindersButOtherEditsLeaveThem(DatabaseProvider provider)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var database = await TestDatabase.CreateAsync(provider, ct: ct);
        var (bookings, events) = Operations(database);
        var ev = await new TestData(database.Factory, _time).EventAsync("Jazz night", Now.AddDays(10), 10, Priced);
        var booking = (await bookings.CreateAsync(new BookingDraft { CustomerId = (await database.Data.CustomerAsync(phoneE164: "+12127365001", with: SmsCapable)).Id, EventId = ev.Id, Seats = 1 }, ct: ct)).Booking;
        await AddReminderAsync(database, booking, ev, SmsStatus.Pending, ct);

        var draft = EventDraft.From(ev, _venue.Value);
        draft.Description = "Doors open 30 minutes before.";
        var renamed = await events.UpdateAsync(ev.Id, ev.Version, draft, ct: ct);
        await using (var db = database.CreateDbContext())
            Assert.Equal(SmsStatus.Pending, (await db.SmsMessages.SingleAsync(m => m.Kind == SmsKind.Reminder24Hour, ct)).Status);

        draft.Date = draft.Date!.Value.AddDays(1);
        var moved = await events.UpdateAsync(ev.Id, renamed.Version, draft, ct: ct);

        Assert.Equal(ev.StartsAt.AddDays(1), moved.StartsAt);
        await using var check = database.CreateDbContext();
        var reminder = await check.SmsMessages.SingleAsync(m => m.Kind == SmsKind.Reminder24Hour, ct);
        Assert.Equal((SmsStatus.Skipped, EventOperations.MovedCode), (reminder.Status, reminder.ErrorCode));
    }

    [Theory, InlineData(DatabaseProvider.Sqlite), InlineData(DatabaseProvider.Postgres)]
    public async Task EventCannotBeCreatedOrMovedIntoThePast(DatabaseProvider provider)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var database = await TestDatabase.CreateAsync(provider, ct: ct);
        var (_, events) = Operations(database);
        var yesterday = _venue.Value.ToVenue(Now).AddDays(-1);
        var draft = new EventDraft { Name = "Jazz night", Date = yesterday.Date, Time = yesterday.TimeOfDay, Capacity = 10 };

        var refused = await Assert.ThrowsAsync<RuleViolationException>(() => events.CreateAsync(draft, ct: ct));
        Assert.Equal(nameof(EventDraft.Date), refused.Field);

        draft.Date = yesterday.Date.AddDays(3);
        var ev = await events.CreateAsync(draft, ct: ct);
        Assert.Equal(_venue.Value.ToUtc(draft.VenueStart!.Value), ev.StartsAt);
        draft.Date = yesterday.Date;
        await Assert.ThrowsAsync<RuleViolationException>(() => events.UpdateAsync(ev.Id, ev.Version, draft, ct: ct));
    }

    [Theory, InlineData(DatabaseProvider.Sqlite), InlineData(DatabaseProvider.Postgres)]
    public async Task CustomerWithFutureBookingsCannotBeDeleted(DatabaseProvider provider)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var database = await TestDatabase.CreateAsync(provider, ct: ct);
        var (bookings, events) = Operations(database);
        var customerId = (await database.Data.CustomerAsync(phoneE164: "+12127365001", with: SmsCapable)).Id;
        var coming = await new TestData(database.Factory, _time).EventAsync("Spring gala", Now.AddDays(10), 10, Priced);
        var alsoComing = await new TestData(database.Factory, _time).EventAsync("Poetry slam", Now.AddDays(10), 10, Priced);
        var over = await new TestData(database.Factory, _time).EventAsync("Winter ball", Now + TimeSpan.FromDays(-3), 10, Priced);
        await new TestData(database.Factory, _time).BookingAsync(customerId, over.Id, seats: 1);
        var booking = (await bookings.CreateAsync(new BookingDraft { CustomerId = customerId, EventId = coming.Id, Seats = 0 }, ct: ct)).Booking;
        await bookings.CreateAsync(new BookingDraft { CustomerId = customerId, EventId = alsoComing.Id, Seats = 2 }, ct: ct);
        await events.CancelAsync(alsoComing.Id, notifyCustomers: false, ct: ct);

        await using (var db = database.CreateDbContext())
        {
            var future = await db.FutureBookingsAsync(customerId, Now, ct);
            Assert.Equal(["Spring gala (" + coming.StartsAt.ToString("d MMM yyyy") + ")"], future);
            var refusal = CustomerDeletion.Refusal("Ann Lee", [], future);
            Assert.Contains("Spring gala", refusal);
            Assert.Contains("cancel this booking first", refusal, StringComparison.OrdinalIgnoreCase);
        }

        await bookings.DeleteAsync(booking.Id, ct: ct);
        await using (var db = database.CreateDbContext())
            Assert.Null(CustomerDeletion.Refusal("Ann Lee", [], await db.FutureBookingsAsync(customerId, Now, ct)));
    }

    private (BookingOperations Bookings, EventOperations Events) Operations(TestDatabase database)
    {
        var outbox = new SmsOutbox(Options.Create(new SmsOptions()), _venue, _time);
        return (new BookingOperations(database.Factory, outbox, _time), new EventOperations(database.Factory, outbox, _venue, _time));
    }

    private static void SmsCapable(Customer customer) => customer.PrimaryPhoneSmsCapable = true;

    private static void Priced(Event ev) => ev.Price = 12.5m;

    /// <summary>A reminder as the reminder scan would write it.</summary>
    private async Task AddReminderAsync(TestDatabase database, Booking booking, Event ev, SmsStatus status, CancellationToken ct)
    {
        await using var db = database.CreateDbContext();
        db.SmsMessages.Add(new SmsMessage
        {
            CustomerId = booking.CustomerId, BookingId = booking.Id, EventId = ev.Id, EventStartsAt = ev.StartsAt,
            Kind = SmsKind.Reminder24Hour, To = "+12127365001", Body = "See you tomorrow", Status = status,
            NextAttemptAt = Now, CreatedAt = Now, UpdatedAt = Now,
        });
        await db.SaveChangesAsync(ct);
    }
}
