using CustomerAdmin.Common;
using CustomerAdmin.Features.Events;
using CustomerAdmin.Features.Sms;
using CustomerAdmin.Features.Sms.Reminders;
using CustomerAdmin.Features.Sms.Sending;
using CustomerAdmin.Features.Sms.Templates;
using CustomerAdmin.Features.Sms.Webhooks;
using CustomerAdmin.Data;

namespace CustomerAdmin.Tests.Features.Sms.Templates;

/// <summary>The relative day ("today", "tomorrow") by the venue's calendar, and how seats are worded.</summary>
public sealed class SmsEventDayTests
{
    private static readonly VenueOptions NewYork = new() { TimeZone = "America/New_York" };

    private static DateTime Venue(int year, int month, int day, int hour, int minute) => NewYork.ToUtc(new DateTime(year, month, day, hour, minute, 0));

    [Theory]
    // 23:50 and 00:10 are twenty minutes apart but on two venue days.
    [InlineData("2026-12-11 23:50", "2026-12-12 00:10", "tomorrow")]
    [InlineData("2026-12-12 00:05", "2026-12-12 23:55", "today")]
    // 19:00 New York is already the next day in UTC: the venue's calendar decides, not UTC's.
    [InlineData("2026-12-11 19:00", "2026-12-11 22:00", "today")]
    [InlineData("2026-12-11 09:00", "2026-12-12 08:00", "tomorrow")]
    [InlineData("2026-12-10 09:00", "2026-12-12 20:00", "on Saturday")]
    [InlineData("2026-12-05 09:00", "2026-12-12 20:00", "in 7 days")]
    [InlineData("2026-12-13 09:00", "2026-12-12 20:00", "on Sat 12 Dec")]
    // Spring forward (8 March 2026 02:00 -> 03:00): 23 hours of calendar, still tomorrow; late that evening, 23:30 to 22:00 next day.
    [InlineData("2026-03-07 23:30", "2026-03-08 22:00", "tomorrow")]
    [InlineData("2026-03-08 00:30", "2026-03-08 23:00", "today")]
    // Fall back (1 November 2026 02:00 -> 01:00): a 25-hour day is one day.
    [InlineData("2026-10-31 23:30", "2026-11-01 23:45", "tomorrow")]
    [InlineData("2026-11-01 00:15", "2026-11-01 23:45", "today")]
    public void RelativeDayFollowsTheVenuesCalendar(string now, string eventStart, string expected)
    {
        Assert.Equal(expected, SmsText.RelativeDay(Parse(eventStart), Parse(now), NewYork));
    }

    [Fact]
    public void EventDayIsLeftForTheDispatcherAndFilledWhenSent()
    {
        var template = SmsText.DefaultTemplate(SmsKind.Reminder24Hour);
        var written = SmsText.Render(template, new Dictionary<string, string> { [SmsText.FirstName] = "Ann", [SmsText.EventName] = "Gala" });
        Assert.True(SmsText.NeedsEventDay(written));

        var sent = SmsText.RenderEventDay(written, Venue(2026, 12, 12, 20, 0), Venue(2026, 12, 12, 9, 0), NewYork);

        Assert.StartsWith("Hi Ann, see you today at Gala", sent);
        Assert.False(SmsText.NeedsEventDay(sent));
    }

    [Theory]
    [InlineData(0, "reminders only")]
    [InlineData(1, "1 seat")]
    [InlineData(2, "2 seats")]
    [InlineData(1000, "1000 seats")]
    public void SeatsArePluralised(int seats, string expected) => Assert.Equal(expected, SmsText.SeatsText(seats));

    [Theory]
    [InlineData("({{seats}} seats)")]
    [InlineData("({{seats}} seat)")]
    [InlineData("({{ seats }}  Seats)")]
    [InlineData("({{seats}})")]
    public void TemplatesWrittenForTheBareNumberStillReadRight(string template)
    {
        Assert.Equal("(1 seat)", SmsText.Render(template, new Dictionary<string, string> { [SmsText.Seats] = SmsText.SeatsText(1) }));
    }

    [Fact]
    public void EveryDefaultTemplateUsesOnlyKnownPlaceholdersAndReminderOnlyHasItsOwn()
    {
        foreach (var kind in SmsText.TemplatedKinds)
            Assert.Empty(SmsText.UnknownPlaceholders(SmsText.DefaultTemplate(kind)));
        Assert.Contains("remind you before", SmsText.DefaultTemplate(SmsKind.ReminderOnlyConfirmation));
        Assert.DoesNotContain("seats", SmsText.DefaultTemplate(SmsKind.ReminderOnlyConfirmation));
        Assert.Contains(SmsKind.ReminderOnlyConfirmation, SmsText.TemplatedKinds);
        Assert.Contains(SmsKind.EventMoved, SmsText.TemplatedKinds);
        Assert.Contains(SmsText.EventDay, SmsText.Placeholders);
    }

    private static DateTime Parse(string venueLocal) =>
        NewYork.ToUtc(DateTime.ParseExact(venueLocal, "yyyy-MM-dd HH:mm", System.Globalization.CultureInfo.InvariantCulture));
}
