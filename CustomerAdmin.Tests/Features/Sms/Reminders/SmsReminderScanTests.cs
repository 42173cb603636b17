using System.Data.Common;
using CustomerAdmin.Common;
using CustomerAdmin.Features.Sms;
using CustomerAdmin.Features.Sms.Reminders;
using CustomerAdmin.Features.Sms.Templates;
using CustomerAdmin.Features.Sms.Webhooks;
using CustomerAdmin.Data;
using CustomerAdmin.Features;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace CustomerAdmin.Tests.Features.Sms.Reminders;

/// <summary>Reminder timing on both databases, driven by a fake clock (venue in UTC, quiet hours 21:00 to 09:00).</summary>
public sealed class SmsReminderScanTests
{
    // Noon on a Sunday; the event starts ten days later at 18:00.
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero));
    private static readonly DateTime EventStart = new(2026, 3, 11, 18, 0, 0, DateTimeKind.Utc);
    private int _phone;

    [Theory, InlineData(DatabaseProvider.Sqlite), InlineData(DatabaseProvider.Postgres)]
    public async Task BothRemindersAreWrittenExactlyOnceAcrossRepeatedScans(DatabaseProvider provider)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var database = await TestDatabase.CreateAsync(provider, _time, ct: ct);
        var ev = await AddEventAsync(database, EventStart);
        var booking = await AddBookingAsync(database, ev, seats: 2);
        var scan = NewScan(database);

        Assert.Equal(0, await scan.RunOnceAsync(ct));
        SetNow(EventStart - TimeSpan.FromDays(7) + TimeSpan.FromMinutes(1));
        Assert.Equal(1, await scan.RunOnceAsync(ct));
        Assert.Equal(0, await scan.RunOnceAsync(ct));
        SetNow(EventStart - TimeSpan.FromHours(24));
        Assert.Equal(1, await scan.RunOnceAsync(ct));
        Assert.Equal(0, await scan.RunOnceAsync(ct));
        SetNow(EventStart + TimeSpan.FromMinutes(1));
        Assert.Equal(0, await scan.RunOnceAsync(ct));

        var messages = await MessagesAsync(database, ct);
        Assert.Equal([SmsKind.Reminder7Day, SmsKind.Reminder24Hour], messages.Select(m => m.Kind));
        Assert.All(messages, m =>
        {
            Assert.Equal(booking.Id, m.BookingId);
            Assert.Equal(EventStart, m.EventStartsAt);
            Assert.Equal(SmsStatus.Pending, m.Status);
            Assert.Contains("Gala", m.Body);
        });
    }

    [Theory, InlineData(DatabaseProvider.Sqlite), InlineData(DatabaseProvider.Postgres)]
    public async Task TwoConcurrentScansWriteEachReminderOnce(DatabaseProvider provider)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var database = await TestDatabase.CreateAsync(provider, _time, ct: ct);
        var ev = await AddEventAsync(database, EventStart);
        for (var i = 0; i < 40; i++) await AddBookingAsync(database, ev, seats: 1);
        SetNow(EventStart - TimeSpan.FromHours(2));

        var counts = await Task.WhenAll(NewScan(database).RunOnceAsync(ct), NewScan(database).RunOnceAsync(ct));

        var messages = await MessagesAsync(database, ct);
        Assert.Equal(40, messages.Count);
        Assert.Equal(40, counts.Sum());
        Assert.Equal(40, messages.Select(m => m.BookingId).Distinct().Count());
        Assert.All(messages, m => Assert.Equal(SmsKind.Reminder24Hour, m.Kind));
    }

    [Theory, InlineData(DatabaseProvider.Sqlite), InlineData(DatabaseProvider.Postgres)]
    public async Task ReminderWrittenByAnotherInstanceMidBatchIsSkippedAndTheRestAreWritten(DatabaseProvider provider)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var database = await TestDatabase.CreateAsync(provider, _time, ct: ct);
        var ev = await AddEventAsync(database, EventStart);
        var first = await AddBookingAsync(database, ev, seats: 1);
        for (var i = 0; i < 4; i++) await AddBookingAsync(database, ev, seats: 1);
        SetNow(EventStart - TimeSpan.FromHours(2));

        // "Another instance" writes the first booking's reminder after this scan read its page, before it inserts.
        var otherInstance = NewScan(database);
        var racing = new RacingFactory(database, async () =>
        {
            await using var db = database.CreateDbContext();
            db.SmsMessages.Add(new SmsMessage
            {
                CustomerId = first.CustomerId, BookingId = first.Id, EventId = ev.Id, EventStartsAt = EventStart, Kind = SmsKind.Reminder24Hour,
                To = "+12125550001", Body = "written elsewhere", Status = SmsStatus.Pending,
            });
            await db.SaveChangesAsync();
        });
        var scan = new ReminderScan(racing, Outbox(), _time, NullLogger<ReminderScan>.Instance);

        Assert.Equal(4, await scan.RunOnceAsync(ct));

        var messages = await MessagesAsync(database, ct);
        Assert.Equal(5, messages.Count);
        Assert.Equal("written elsewhere", messages.Single(m => m.BookingId == first.Id).Body);
        Assert.Equal(0, await otherInstance.RunOnceAsync(ct));
    }

    [Theory, InlineData(DatabaseProvider.Sqlite), InlineData(DatabaseProvider.Postgres)]
    public async Task NoRemindersForCancelledOrPastEvents(DatabaseProvider provider)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var database = await TestDatabase.CreateAsync(provider, _time, ct: ct);
        var cancelled = await AddEventAsync(database, EventStart, EventStatus.Cancelled);
        await AddBookingAsync(database, cancelled, seats: 1);
        var past = await AddEventAsync(database, _time.GetUtcNow().UtcDateTime.AddHours(-1));
        await AddBookingAsync(database, past, seats: 1);

        SetNow(EventStart - TimeSpan.FromHours(1));
        Assert.Equal(0, await NewScan(database).RunOnceAsync(ct));
        Assert.Empty(await MessagesAsync(database, ct));
    }

    [Theory, InlineData(DatabaseProvider.Sqlite), InlineData(DatabaseProvider.Postgres)]
    public async Task MovedEventGetsRemindersForItsNewTime(DatabaseProvider provider)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var database = await TestDatabase.CreateAsync(provider, _time, ct: ct);
        var ev = await AddEventAsync(database, EventStart);
        await AddBookingAsync(database, ev, seats: 1);
        var scan = NewScan(database);
        SetNow(EventStart - TimeSpan.FromHours(20));
        Assert.Equal(1, await scan.RunOnceAsync(ct));

        // Moved three days later: a 7-day reminder is due again for the new time, then a 24-hour one.
        var moved = EventStart.AddDays(3);
        await using (var db = database.CreateDbContext())
            await db.Events.Where(e => e.Id == ev.Id).ExecuteUpdateAsync(s => s.SetProperty(e => e.StartsAt, moved), ct);
        Assert.Equal(1, await scan.RunOnceAsync(ct));
        SetNow(moved - TimeSpan.FromHours(23));
        Assert.Equal(1, await scan.RunOnceAsync(ct));

        var messages = await MessagesAsync(database, ct);
        Assert.Equal(
            [(SmsKind.Reminder24Hour, EventStart), (SmsKind.Reminder7Day, moved), (SmsKind.Reminder24Hour, moved)],
            messages.Select(m => (m.Kind, m.EventStartsAt!.Value)));
    }

    [Theory, InlineData(DatabaseProvider.Sqlite), InlineData(DatabaseProvider.Postgres)]
    public async Task ReminderOnlyBookingGetsBothReminders(DatabaseProvider provider)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var database = await TestDatabase.CreateAsync(provider, _time, ct: ct);
        var ev = await AddEventAsync(database, EventStart);
        await AddBookingAsync(database, ev, seats: 0);
        var scan = NewScan(database);

        SetNow(EventStart - TimeSpan.FromDays(6));
        await scan.RunOnceAsync(ct);
        SetNow(EventStart - TimeSpan.FromHours(3));
        await scan.RunOnceAsync(ct);

        Assert.Equal([SmsKind.Reminder7Day, SmsKind.Reminder24Hour], (await MessagesAsync(database, ct)).Select(m => m.Kind));
    }

    [Theory, InlineData(DatabaseProvider.Sqlite), InlineData(DatabaseProvider.Postgres)]
    public async Task ScanRunningLateWritesOnlyTheDayBeforeReminder(DatabaseProvider provider)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var database = await TestDatabase.CreateAsync(provider, _time, ct: ct);
        var ev = await AddEventAsync(database, EventStart);
        await AddBookingAsync(database, ev, seats: 1);
        // The app was down from before the 7-day reminder fell due until after the 24-hour one did.
        SetNow(EventStart - TimeSpan.FromHours(12));

        Assert.Equal(1, await NewScan(database).RunOnceAsync(ct));
        Assert.Equal(0, await NewScan(database).RunOnceAsync(ct));

        Assert.Equal([SmsKind.Reminder24Hour], (await MessagesAsync(database, ct)).Select(m => m.Kind));
    }

    [Theory, InlineData(DatabaseProvider.Sqlite), InlineData(DatabaseProvider.Postgres)]
    public async Task ReminderDueInQuietHoursWaitsForTheirEnd(DatabaseProvider provider)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var database = await TestDatabase.CreateAsync(provider, _time, ct: ct);
        var ev = await AddEventAsync(database, EventStart);
        await AddBookingAsync(database, ev, seats: 1);

        // Due at 18:00 a week before; the scan first runs at 23:30 (say the app was restarted late).
        SetNow(new DateTime(2026, 3, 4, 23, 30, 0, DateTimeKind.Utc));
        Assert.Equal(1, await NewScan(database).RunOnceAsync(ct));

        var message = Assert.Single(await MessagesAsync(database, ct));
        Assert.Equal(SmsStatus.Pending, message.Status);
        Assert.Equal(new DateTime(2026, 3, 5, 9, 0, 0, DateTimeKind.Utc), message.NextAttemptAt);
    }

    [Theory, InlineData(DatabaseProvider.Sqlite), InlineData(DatabaseProvider.Postgres)]
    public async Task OptedOutCustomerGetsASkippedRowWithTheReason(DatabaseProvider provider)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var database = await TestDatabase.CreateAsync(provider, _time, ct: ct);
        var ev = await AddEventAsync(database, EventStart);
        await AddBookingAsync(database, ev, seats: 1, optedOut: true);
        var scan = NewScan(database);

        SetNow(EventStart - TimeSpan.FromHours(5));
        Assert.Equal(1, await scan.RunOnceAsync(ct));
        Assert.Equal(0, await scan.RunOnceAsync(ct));

        var message = Assert.Single(await MessagesAsync(database, ct));
        Assert.Equal(SmsStatus.Skipped, message.Status);
        Assert.Equal("opted-out", message.ErrorCode);
    }

    [Theory, InlineData(DatabaseProvider.Sqlite), InlineData(DatabaseProvider.Postgres)]
    public async Task ReminderUsesTheTemplateOfTheCustomersLanguageWithFallback(DatabaseProvider provider)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var database = await TestDatabase.CreateAsync(provider, _time, ct: ct);
        await using (var db = database.CreateDbContext())
        {
            db.SmsTemplates.Add(new SmsTemplate { Kind = SmsKind.Reminder24Hour, Language = "es", Body = "Hola {{first_name}}, mañana {{event_name}}." });
            await db.SaveChangesAsync(ct);
        }
        var ev = await AddEventAsync(database, EventStart);
        var mexican = await AddBookingAsync(database, ev, seats: 1, language: "es-MX");
        var french = await AddBookingAsync(database, ev, seats: 1, language: "fr");

        SetNow(EventStart - TimeSpan.FromHours(3));
        Assert.Equal(2, await NewScan(database).RunOnceAsync(ct));

        var messages = await MessagesAsync(database, ct);
        var spanish = messages.Single(m => m.BookingId == mexican.Id);
        Assert.Equal(("es", "Hola Ann, mañana Gala."), (spanish.Language, spanish.Body));
        var fallback = messages.Single(m => m.BookingId == french.Id);
        Assert.Equal("en", fallback.Language);
        // The day is worded when the dispatcher sends it, not now.
        Assert.StartsWith("Hi Ann, see you {{event_day}} at Gala", fallback.Body);
    }

    private void SetNow(DateTime utc) => _time.SetUtcNow(new DateTimeOffset(utc));

    private static readonly IOptions<VenueOptions> Venue = Options.Create(new VenueOptions { TimeZone = "UTC", Phone = "+1 555 0100" });

    private SmsOutbox Outbox() => new(Options.Create(new SmsOptions()), Venue, _time);

    private ReminderScan NewScan(TestDatabase database) =>
        new(database.Factory, Outbox(), _time, NullLogger<ReminderScan>.Instance);

    /// <summary>Contexts on the test database whose first save of reminders runs <paramref name="race"/> just before it.</summary>
    private sealed class RacingFactory(TestDatabase database, Func<Task> race) : IDbContextFactory<AppDbContext>
    {
        private int _raced;

        public AppDbContext CreateDbContext()
        {
            var interceptor = new BeforeWrite(async () =>
            {
                if (Interlocked.Exchange(ref _raced, 1) == 0) await race();
            });
            return database.Provider == DatabaseProvider.Sqlite
                ? new SqliteAppDbContext(new DbContextOptionsBuilder<SqliteAppDbContext>().UseSqlite(database.ConnectionString).AddInterceptors(interceptor).UseCustomerAdmin(null).Options)
                : new PostgresAppDbContext(new DbContextOptionsBuilder<PostgresAppDbContext>().UseNpgsql(database.ConnectionString).AddInterceptors(interceptor).UseCustomerAdmin(null).Options);
        }
    }

    /// <summary>Runs the race when the scan opens the transaction for its writes: after it read the page, before it inserts.</summary>
    private sealed class BeforeWrite(Func<Task> action) : DbTransactionInterceptor
    {
        public override async ValueTask<InterceptionResult<DbTransaction>> TransactionStartingAsync(DbConnection connection,
            TransactionStartingEventData eventData, InterceptionResult<DbTransaction> result, CancellationToken ct = default)
        {
            await action();
            return result;
        }
    }

    private static async Task<List<SmsMessage>> MessagesAsync(TestDatabase database, CancellationToken ct)
    {
        await using var db = database.CreateDbContext();
        return await db.SmsMessages.AsNoTracking().OrderBy(m => m.Id).ToListAsync(ct);
    }

    /// <summary>Records written at the fake clock's now, so each booking is older than the reminders that fall due later.</summary>
    private TestData Data(TestDatabase database) => new(database.Factory, _time);

    private Task<Event> AddEventAsync(TestDatabase database, DateTime startsAt, EventStatus status = EventStatus.Scheduled) =>
        Data(database).EventAsync("Gala", startsAt, 100, e => e.Status = status);

    private async Task<Booking> AddBookingAsync(TestDatabase database, Event ev, int seats, bool optedOut = false, string? language = null)
    {
        var customer = await Data(database).CustomerAsync("Ann", "Lee", $"+1212555{++_phone:0000}", c =>
        {
            c.SmsOptedOutAt = optedOut ? _time.GetUtcNow().UtcDateTime : null;
            c.PreferredLanguage = language;
        });
        return await Data(database).BookingAsync(customer.Id, ev.Id, seats);
    }
}
