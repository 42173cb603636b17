using CustomerAdmin.Common;
using CustomerAdmin.Features.Events;
using CustomerAdmin.Features.Sms;
using CustomerAdmin.Features.Sms.Reminders;
using CustomerAdmin.Features.Sms.Sending;
using CustomerAdmin.Features.Sms.Templates;
using CustomerAdmin.Features.Sms.Webhooks;
using CustomerAdmin.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace CustomerAdmin.Tests.Features.Sms;

/// <summary>
/// <c>{{event_day}}</c> is worded when the dispatcher sends, by the venue's calendar (New York, quiet hours 21:00 to
/// 09:00): through the booking, the reminder scan, the dispatcher and the real Twilio sender against a fake Twilio.
/// </summary>
public sealed class EventDayDispatchTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory, InlineData(DatabaseProvider.Sqlite), InlineData(DatabaseProvider.Postgres)]
    public async Task DayBeforeReminderHeldByQuietHoursUntilTheEventsMorningSaysToday(DatabaseProvider provider)
    {
        // Wednesday 10 June 2026, 11:00 in New York.
        await using var rig = await SmsRig.CreateAsync(provider);
        rig.Venue.TimeZone = "America/New_York";
        var outbox = new SmsOutbox(Options.Create(rig.Options), Options.Create(rig.Venue), rig.Time);
        var bookings = new BookingOperations(rig.Database.Factory, outbox, rig.Time);
        var scan = new ReminderScan(rig.Database.Factory, outbox, rig.Time, NullLogger<ReminderScan>.Instance);
        var dispatcher = rig.Dispatcher();
        // A late show on Friday at 22:00, and a morning one on Saturday at 10:00.
        var lateShow = await new TestData(rig.Database.Factory, rig.Time).EventAsync("Late show", rig.Venue.ToUtc(new DateTime(2026, 6, 12, 22, 0, 0)), 200);
        var matinee = await new TestData(rig.Database.Factory, rig.Time).EventAsync("Matinee", rig.Venue.ToUtc(new DateTime(2026, 6, 13, 10, 0, 0)), 200);
        var maria = await rig.CustomerAsync("+16175550101");
        var john = await rig.CustomerAsync("+16175550102");
        await bookings.CreateAsync(new BookingDraft { CustomerId = maria.Id, EventId = lateShow.Id, Seats = 2 }, ct: Ct);
        await bookings.CreateAsync(new BookingDraft { CustomerId = john.Id, EventId = matinee.Id, Seats = 1 }, ct: Ct);
        Assert.Equal(2, await dispatcher.DispatchDueAsync(Ct));
        Assert.Contains("you're booked for Late show on Friday, Fri 12 Jun, 22:00 (2 seats)", Sent(rig, maria));

        // The late show's day-before reminder falls due on Thursday at 22:00, in quiet hours: written now, it waits.
        rig.Time.SetUtcNow(rig.Venue.ToUtc(new DateTime(2026, 6, 11, 22, 1, 0)));
        Assert.Equal(1, await scan.RunOnceAsync(Ct));
        Assert.Equal(0, await dispatcher.DispatchDueAsync(Ct));
        await using (var db = rig.Database.CreateDbContext())
        {
            var waiting = await db.SmsMessages.SingleAsync(m => m.EventId == lateShow.Id && m.Kind == SmsKind.Reminder24Hour, Ct);
            Assert.Equal(rig.Venue.ToUtc(new DateTime(2026, 6, 12, 9, 0, 0)), waiting.NextAttemptAt);
            Assert.Contains(SmsText.EventDayToken, waiting.Body);
        }

        // It goes at 09:00 on Friday, the show's own day.
        rig.Time.SetUtcNow(rig.Venue.ToUtc(new DateTime(2026, 6, 12, 9, 0, 0)));
        Assert.Equal(1, await dispatcher.DispatchDueAsync(Ct));
        Assert.StartsWith("Hi Maria, see you today at Late show, Fri 12 Jun, 22:00.", Sent(rig, maria));
        await using (var db = rig.Database.CreateDbContext())
        {
            var sent = await db.SmsMessages.SingleAsync(m => m.EventId == lateShow.Id && m.Kind == SmsKind.Reminder24Hour, Ct);
            Assert.Equal((SmsStatus.Queued, Sent(rig, maria)), (sent.Status, sent.Body));
        }

        // The matinee's goes on Friday at 10:00, the day before.
        rig.Time.SetUtcNow(rig.Venue.ToUtc(new DateTime(2026, 6, 12, 10, 1, 0)));
        Assert.Equal(1, await scan.RunOnceAsync(Ct));
        Assert.Equal(1, await dispatcher.DispatchDueAsync(Ct));
        Assert.StartsWith("Hi Maria, see you tomorrow at Matinee, Sat 13 Jun, 10:00.", Sent(rig, john));
    }

    private static string Sent(SmsRig rig, Customer customer) => rig.Posts.Last(p => p.Form["To"] == customer.PrimaryPhone).Form["Body"];
}
