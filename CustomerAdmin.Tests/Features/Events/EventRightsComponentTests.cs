using Bunit;
using CustomerAdmin.Common;
using CustomerAdmin.Data;
using CustomerAdmin.Features.Events;
using CustomerAdmin.Features.Sms;
using CustomerAdmin.Features.Sms.Reminders;
using CustomerAdmin.Features.Sms.Sending;
using CustomerAdmin.Features.Sms.Templates;
using CustomerAdmin.Features.Sms.Webhooks;
using CustomerAdmin.Security;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;

namespace CustomerAdmin.Tests.Features.Events;

/// <summary>Who is offered cancelling, reopening and texting attendees on the event pages, and what those buttons do.</summary>
public sealed class EventRightsComponentTests : AppComponentTest
{
    private int _phone;

    private async Task<Event> AddEventAsync(int bookings, EventStatus status = EventStatus.Scheduled)
    {
        var now = DateTime.UtcNow;
        var ev = await Data.EventAsync("Jazz night", now.Date.AddDays(12).AddHours(23), 100, e =>
        {
            e.Status = status;
            e.CancelledAt = status == EventStatus.Cancelled ? now : null;
        });
        for (var i = 0; i < bookings; i++)
        {
            var guest = await Data.CustomerAsync("Guest", $"No{i}", $"+1212555{++_phone:0000}");
            await Data.BookingAsync(guest.Id, ev.Id, seats: 1 + i % 2);
        }
        return ev;
    }

    private IEnumerable<string> Snackbars() => Services.GetRequiredService<ISnackbar>().ShownSnackbars.Select(s => s.Message ?? "");

    private (EventStatus Status, DateTime StartsAt, int Messages) Stored(SmsKind kind)
    {
        using var db = Db.Inner.CreateDbContext();
        var ev = db.Events.AsNoTracking().Single();
        return (ev.Status, ev.StartsAt, db.SmsMessages.Count(m => m.Kind == kind));
    }

    [Fact]
    public async Task CancellingAfterLosingTheRightCancelsNothing()
    {
        SignInAs(AppRoles.Manager);
        var ev = await AddEventAsync(bookings: 3);
        var cut = RenderPage<EventDetail>(ev.Id);
        cut.WaitForAssertion(() => Assert.Single(cut.FindAll("[data-testid=cancel-event]")));

        // Demoted while the page is open: the button is still on screen.
        SignInAs(AppRoles.Staff);
        cut.Find("[data-testid=cancel-event]").Click();

        cut.WaitForAssertion(() => Assert.Contains(Snackbars(), m => m.Contains("does not allow cancelling", StringComparison.Ordinal)));
        Assert.Empty(cut.FindAll(".mud-dialog"));
        Assert.Equal((EventStatus.Scheduled, 0), (Stored(SmsKind.EventCancelled).Status, Stored(SmsKind.EventCancelled).Messages));
    }

    [Fact]
    public async Task CancellingWithNoticesAfterLosingBulkSmsCancelsNothing()
    {
        SignInAs(AppRoles.Manager);
        var ev = await AddEventAsync(bookings: 5);
        var cut = RenderPage<EventDetail>(ev.Id);
        cut.WaitForAssertion(() => cut.Find("[data-testid=cancel-event]").Click());
        cut.WaitForAssertion(() => Assert.Contains("Notify booked customers by SMS (5)", cut.Find(".mud-dialog").TextContent));

        // While the dialog is open the user keeps the right to cancel but loses bulk SMS: the two are checked apart.
        Authorization.SetPolicies(Permissions.CustomersRead, Permissions.CustomersWrite, Permissions.EventsCancel);
        cut.Find("[data-testid=confirm-cancel-event]").Click();

        cut.WaitForAssertion(() => Assert.Contains(Snackbars(), m => m.Contains("Only managers can text the booked customers", StringComparison.Ordinal)));
        Assert.Equal((EventStatus.Scheduled, 0), (Stored(SmsKind.EventCancelled).Status, Stored(SmsKind.EventCancelled).Messages));
    }

    [Fact]
    public async Task MovingWithNoticesAfterLosingBulkSmsMovesNothing()
    {
        SignInAs(AppRoles.Manager);
        var ev = await AddEventAsync(bookings: 4);
        var cut = RenderPage<EventEdit>(ev.Id);
        cut.WaitForAssertion(() => Assert.NotNull(cut.Find("#event-name")));
        ChangeStartTime(cut);
        cut.WaitForAssertion(() => Assert.Contains("Text the 4 booked customers the new time", cut.Find("[data-testid=move-notice]").TextContent));

        SignInAs(AppRoles.Staff);
        cut.Find("[data-testid=save-event]").Click();

        cut.WaitForAssertion(() => Assert.Contains("Only managers can text the booked customers about a move", cut.Markup));
        Assert.Equal((ev.StartsAt, 0), (Stored(SmsKind.EventMoved).StartsAt, Stored(SmsKind.EventMoved).Messages));
    }

    [Fact]
    public async Task StaffAreNotOfferedCancellingOrReopening()
    {
        var scheduled = await AddEventAsync(bookings: 3);
        var cancelled = await AddEventAsync(bookings: 3, EventStatus.Cancelled);

        var open = RenderPage<EventDetail>(scheduled.Id);
        open.WaitForAssertion(() => Assert.Single(open.FindAll("[data-testid=add-booking]")));
        Assert.Empty(open.FindAll("[data-testid=cancel-event]"));
        await DisposeComponentsAsync();
        var closed = RenderPage<EventDetail>(cancelled.Id);
        closed.WaitForAssertion(() => Assert.Single(closed.FindAll("[data-testid=event-cancelled]")));
        Assert.Empty(closed.FindAll("[data-testid=reopen-event]"));
    }

    [Fact]
    public async Task ManagerCancelsWithNoticesThenReopens()
    {
        SignInAs(AppRoles.Manager);
        var ev = await AddEventAsync(bookings: 25);
        var cut = RenderPage<EventDetail>(ev.Id);

        cut.WaitForAssertion(() => cut.Find("[data-testid=cancel-event]").Click());
        cut.WaitForAssertion(() => Assert.Contains("Notify booked customers by SMS (25)", cut.Find(".mud-dialog").TextContent));
        cut.Find("[data-testid=confirm-cancel-event]").Click();
        cut.WaitForAssertion(() => Assert.Single(cut.FindAll("[data-testid=event-cancelled]")));
        await using (var db = await Db.Inner.CreateDbContextAsync(Xunit.TestContext.Current.CancellationToken))
        {
            Assert.Equal(EventStatus.Cancelled, (await db.Events.SingleAsync(Xunit.TestContext.Current.CancellationToken)).Status);
            Assert.Equal(25, await db.SmsMessages.CountAsync(m => m.Kind == SmsKind.EventCancelled, Xunit.TestContext.Current.CancellationToken));
        }

        cut.WaitForAssertion(() => cut.Find("[data-testid=reopen-event]").Click());
        cut.WaitForAssertion(() => cut.FindAll(".mud-dialog button").Single(b => b.TextContent.Trim() == "Reopen event").Click());
        cut.WaitForAssertion(() => Assert.Empty(cut.FindAll("[data-testid=event-cancelled]")));
        Assert.Single(cut.FindAll("[data-testid=cancel-event]"));
        await using (var db = await Db.Inner.CreateDbContextAsync(Xunit.TestContext.Current.CancellationToken))
        {
            Assert.Equal(EventStatus.Scheduled, (await db.Events.SingleAsync(Xunit.TestContext.Current.CancellationToken)).Status);
            Assert.Equal(25, await db.SmsMessages.CountAsync(Xunit.TestContext.Current.CancellationToken));
        }
    }

    [Fact]
    public async Task EditPageOffersToTextTheNewTimeOnlyToBulkSendersAndOnlyForAMove()
    {
        var ev = await AddEventAsync(bookings: 12);

        var staff = RenderPage<EventEdit>(ev.Id);
        staff.WaitForAssertion(() => Assert.NotNull(staff.Find("#event-name")));
        ChangeStartTime(staff);
        staff.WaitForAssertion(() => Assert.Contains("Edit Jazz night", staff.Markup));
        Assert.Empty(staff.FindAll("[data-testid=notify-move]"));
        await DisposeComponentsAsync();

        SignInAs(AppRoles.Manager);
        var manager = RenderPage<EventEdit>(ev.Id);
        manager.WaitForAssertion(() => Assert.NotNull(manager.Find("#event-name")));
        Assert.Empty(manager.FindAll("[data-testid=notify-move]"));
        ChangeStartTime(manager);
        manager.WaitForAssertion(() => Assert.Contains("Text the 12 booked customers the new time", manager.Find("[data-testid=move-notice]").TextContent));

        manager.Find("[data-testid=save-event]").Click();
        await using var db = await Db.Inner.CreateDbContextAsync(Xunit.TestContext.Current.CancellationToken);
        manager.WaitForAssertion(() => Assert.Equal(12, db.SmsMessages.Count(m => m.Kind == SmsKind.EventMoved)));
        var moved = await db.Events.SingleAsync(Xunit.TestContext.Current.CancellationToken);
        Assert.Equal(ev.StartsAt.AddHours(-1), moved.StartsAt);
        Assert.All(await db.SmsMessages.ToListAsync(Xunit.TestContext.Current.CancellationToken), m => Assert.Equal(moved.Version, m.EventVersion));
    }

    /// <summary>One hour earlier, typed into the time picker as a user would.</summary>
    private void ChangeStartTime(IRenderedComponent<Bunit.Rendering.ContainerFragment> cut)
    {
        var input = cut.Find("input[data-testid=event-time]");
        var typed = TimeSpan.Parse(input.GetAttribute("value")!).Add(TimeSpan.FromHours(-1));
        input.Change(typed.ToString(@"hh\:mm"));
    }

    [Fact]
    public void TemplatesPageOffersTheEventDayAndTheReminderOnlyConfirmation()
    {
        SignInAs(AppRoles.Admin);
        var cut = RenderWithPopovers<SmsTemplates>();

        cut.WaitForAssertion(() => Assert.Equal(
            "Hi Maria, you're booked for Jazz Night tomorrow, Fri 12 Dec, 19:30 (2 seats). Questions? Call +1 555 0100. Reply STOP to opt out.",
            cut.Find("[data-testid=preview]").TextContent.Trim()));
        Assert.Contains("{{event_day}}", cut.Find("[data-testid=placeholders]").TextContent);
        Assert.Contains("today", cut.Find("[data-testid=placeholder-help]").TextContent);

        cut.Find("[data-testid=kind-select]").Closest(".mud-input-control")!.MouseDown();
        cut.WaitForAssertion(() => cut.FindAll(".mud-list-item").Single(i => i.TextContent.Trim() == "Reminder-only confirmation").Click());
        cut.WaitForAssertion(() => Assert.StartsWith("Hi Maria, we'll remind you before Jazz Night tomorrow",
            cut.Find("[data-testid=preview]").TextContent.Trim()));
    }

    [Fact]
    public async Task SmsLogShowsWhereAWaitingMessagesDayWillGo()
    {
        var ann = await AddCustomerAsync("Ann", "Lee", "+1 212 555 0100");
        var ev = await AddEventAsync(bookings: 0);
        await using (var db = await Db.Inner.CreateDbContextAsync(Xunit.TestContext.Current.CancellationToken))
        {
            var now = DateTime.UtcNow;
            db.SmsMessages.Add(new SmsMessage
            {
                CustomerId = ann.Id, EventId = ev.Id, Kind = SmsKind.Reminder24Hour, To = ann.PrimaryPhone!, Status = SmsStatus.Pending,
                Body = "Hi Ann, see you {{event_day}} at Jazz night.", NextAttemptAt = now.AddHours(8), CreatedAt = now, UpdatedAt = now,
            });
            await db.SaveChangesAsync(Xunit.TestContext.Current.CancellationToken);
        }

        var cut = Render<CustomerSmsLog>(p => p.Add(c => c.CustomerId, ann.Id));

        cut.WaitForAssertion(() => Assert.Contains("Hi Ann, see you [today/tomorrow/the weekday, when sent] at Jazz night.",
            cut.Find("[data-testid=sms-rows]").TextContent));
    }
}
