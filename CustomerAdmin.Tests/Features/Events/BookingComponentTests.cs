using Bunit;
using CustomerAdmin.Data;
using CustomerAdmin.Features.Events;
using CustomerAdmin.Security;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;

namespace CustomerAdmin.Tests.Features.Events;

public sealed class BookingComponentTests : AppComponentTest
{
    /// <summary>The dialog inside the providers MainLayout gives it, opened as the pages open it.</summary>
    private async Task<IRenderedComponent<Bunit.Rendering.ContainerFragment>> ShowDialogAsync(DialogParameters<BookingDialog> parameters)
    {
        var cut = Render(b =>
        {
            b.OpenComponent<MudPopoverProvider>(0);
            b.CloseComponent();
            b.OpenComponent<MudDialogProvider>(1);
            b.CloseComponent();
        });
        var dialogs = Services.GetRequiredService<IDialogService>();
        await cut.InvokeAsync(() => dialogs.ShowAsync<BookingDialog>("Add booking", parameters));
        cut.WaitForAssertion(() => Assert.NotNull(cut.Find("#booking-seats")));
        return cut;
    }

    [Fact]
    public async Task CustomerBookingsKeepsActiveBookingsApartFromReminders()
    {
        var ann = await AddCustomerAsync("Ann", "Lee", "+1 212 555 0100");
        await Data.BookingAsync(ann.Id, (await Data.EventAsync("Jazz night", DateTime.UtcNow.AddDays(10), 10)).Id, 2, b => b.Notes = "aisle");
        await Data.BookingAsync(ann.Id, (await Data.EventAsync("Charity gala", DateTime.UtcNow.AddDays(10), 10)).Id, 0);

        var cut = Render<CustomerBookings>(p => p.Add(c => c.CustomerId, ann.Id));

        cut.WaitForAssertion(() =>
        {
            var active = cut.Find("[data-testid=active-bookings]");
            Assert.Contains("Jazz night", active.TextContent);
            Assert.Contains("2 seats", active.TextContent);
            Assert.DoesNotContain("Charity gala", active.TextContent);
            var reminders = cut.Find("[data-testid=reminder-bookings]");
            Assert.Contains("Charity gala", reminders.TextContent);
            Assert.DoesNotContain("Jazz night", reminders.TextContent);
        });
        Assert.Equal(2, cut.FindAll("[data-testid=edit-booking]").Count);
        Assert.Single(cut.FindAll("[data-testid=add-booking]"));
    }

    [Fact]
    public async Task ReadOnlyCustomerBookingsOffersNoChanges()
    {
        var ann = await AddCustomerAsync("Ann", "Lee", "+1 212 555 0100");
        await Data.BookingAsync(ann.Id, (await Data.EventAsync("Jazz night", DateTime.UtcNow.AddDays(10), 10)).Id, 2);

        var cut = Render<CustomerBookings>(p => p.Add(c => c.CustomerId, ann.Id).Add(c => c.ReadOnly, true));

        cut.WaitForAssertion(() => Assert.Single(cut.FindAll("[data-testid=booking-row]")));
        Assert.Empty(cut.FindAll("[data-testid=add-booking]"));
        Assert.Empty(cut.FindAll("[data-testid=edit-booking]"));
        Assert.Empty(cut.FindAll("[data-testid=delete-booking]"));
    }

    [Fact]
    public async Task BookingAnEventTwiceOpensTheExistingBookingWithAMessage()
    {
        var ann = await AddCustomerAsync("Ann", "Lee", "+1 212 555 0100");
        var jazz = await Data.EventAsync("Jazz night", DateTime.UtcNow.AddDays(10), 10);
        await Data.BookingAsync(ann.Id, jazz.Id, 2, b => b.Notes = "aisle");
        var cut = await ShowDialogAsync(new DialogParameters<BookingDialog> { { d => d.CustomerId, ann.Id } });

        var picker = cut.FindComponent<MudAutocomplete<EventOption>>();
        await cut.InvokeAsync(() => picker.Instance.ValueChanged.InvokeAsync(new EventOption(jazz.Id, jazz.Name, jazz.StartsAt, 10, 2)));
        cut.Find("#booking-form").Submit();

        cut.WaitForAssertion(() => Assert.Contains("already booked on Jazz night (2 seats)", cut.Find("[data-testid=booking-notice]").TextContent));
        Assert.Equal("2", cut.Find("#booking-seats").GetAttribute("value"));
        Assert.Contains("Save", cut.Find("[data-testid=booking-save]").TextContent);
        await using var db = await Db.Inner.CreateDbContextAsync(Xunit.TestContext.Current.CancellationToken);
        Assert.Single(db.Bookings);
    }

    [Fact]
    public async Task SeatsTakenMeanwhileAreRefusedAtTheSeatsField()
    {
        var ann = await AddCustomerAsync("Ann", "Lee", "+1 212 555 0100");
        var small = await Data.EventAsync("Poetry slam", DateTime.UtcNow.AddDays(10), 1);
        var cut = await ShowDialogAsync(new DialogParameters<BookingDialog> { { d => d.CustomerId, ann.Id } });

        var picker = cut.FindComponent<MudAutocomplete<EventOption>>();
        // The suggestion was read before someone else took the seats: the field allows 5, the event has 1 left.
        await cut.InvokeAsync(() => picker.Instance.ValueChanged.InvokeAsync(new EventOption(small.Id, small.Name, small.StartsAt, 5, 0)));
        cut.Find("#booking-seats").Input("3");
        cut.Find("#booking-form").Submit();

        cut.WaitForAssertion(() => Assert.Contains("Only 1 seat is left on Poetry slam", cut.Markup));
        await using var db = await Db.Inner.CreateDbContextAsync(Xunit.TestContext.Current.CancellationToken);
        Assert.Empty(db.Bookings);
    }

    [Fact]
    public async Task EventPageShowsFillRateBookingsAndRemindersApart()
    {
        var ann = await AddCustomerAsync("Ann", "Lee", "+1 212 555 0100");
        var bob = await AddCustomerAsync("Bob", "Marsh", "+1 212 555 0101");
        var jazz = await Data.EventAsync("Jazz night", DateTime.UtcNow.AddDays(10), 8);
        await Data.BookingAsync(ann.Id, jazz.Id, 2, b => b.Notes = "aisle");
        await Data.BookingAsync(bob.Id, jazz.Id, 0);

        var cut = Render<EventDetail>(p => p.Add(c => c.Id, jazz.Id));

        cut.WaitForAssertion(() => Assert.Equal("25%", cut.Find("[data-testid=fill-rate]").TextContent));
        Assert.Equal("6", cut.Find("[data-testid=remaining-seats]").TextContent);
        var bookings = cut.Find("[data-testid=event-bookings]");
        Assert.Contains("Ann Lee", bookings.TextContent);
        Assert.DoesNotContain("Bob Marsh", bookings.TextContent);
        Assert.Contains("Bob Marsh", cut.Find("[data-testid=event-reminders]").TextContent);
        Assert.Equal($"/customers/{ann.Id}", bookings.QuerySelector("a")!.GetAttribute("href"));
        // Staff may book and cancel, but messaging all attendees is a manager's right.
        Assert.Single(cut.FindAll("[data-testid=add-booking]"));
        Assert.Empty(cut.FindAll("[data-testid=message-attendees]"));
    }

    [Fact]
    public async Task EventPageDeletesABookingOnlyAfterConfirmationAndSendsNothing()
    {
        var ann = await AddCustomerAsync("Ann", "Lee", "+1 212 555 0100");
        var bob = await AddCustomerAsync("Bob", "Marsh", "+1 212 555 0101");
        var jazz = await Data.EventAsync("Jazz night", DateTime.UtcNow.AddDays(10), 8);
        await Data.BookingAsync(ann.Id, jazz.Id, 2);
        await Data.BookingAsync(bob.Id, jazz.Id, 0);
        var cut = Render(b =>
        {
            b.OpenComponent<MudPopoverProvider>(0);
            b.CloseComponent();
            b.OpenComponent<MudDialogProvider>(1);
            b.CloseComponent();
            b.OpenComponent<EventDetail>(2);
            b.AddAttribute(3, nameof(EventDetail.Id), jazz.Id);
            b.CloseComponent();
        });
        // Both lists offer edit and delete, as on the customer page.
        cut.WaitForAssertion(() => Assert.Equal(2, cut.FindAll("[data-testid=delete-booking]").Count));

        cut.Find("[data-testid=event-bookings] [data-testid=delete-booking]").Click();
        cut.WaitForAssertion(() => Assert.Contains("Ann Lee", cut.Find(".mud-dialog").TextContent));
        cut.FindAll(".mud-dialog button").Single(b => b.TextContent.Trim() == "Keep").Click();
        cut.WaitForAssertion(() => Assert.Empty(cut.FindAll(".mud-dialog")));
        await using (var db = await Db.Inner.CreateDbContextAsync(Xunit.TestContext.Current.CancellationToken))
            Assert.Equal(2, await db.Bookings.CountAsync(Xunit.TestContext.Current.CancellationToken));

        cut.Find("[data-testid=event-bookings] [data-testid=delete-booking]").Click();
        cut.WaitForAssertion(() => cut.FindAll(".mud-dialog button").Single(b => b.TextContent.Trim() == "Delete").Click());
        cut.WaitForAssertion(() => Assert.Contains("Nobody is booked yet", cut.Find("[data-testid=event-bookings]").TextContent));
        Assert.Equal("8", cut.Find("[data-testid=remaining-seats]").TextContent);
        await using (var db = await Db.Inner.CreateDbContextAsync(Xunit.TestContext.Current.CancellationToken))
        {
            Assert.Equal(bob.Id, (await db.Bookings.SingleAsync(Xunit.TestContext.Current.CancellationToken)).CustomerId);
            Assert.DoesNotContain(await db.SmsMessages.ToListAsync(Xunit.TestContext.Current.CancellationToken), m => m.Status != SmsStatus.Skipped);
        }
    }

    [Fact]
    public async Task ManagersSeeMessageAttendeesLink()
    {
        SignInAs(AppRoles.Manager);
        var jazz = await Data.EventAsync("Jazz night", DateTime.UtcNow.AddDays(10), 8);

        var cut = Render<EventDetail>(p => p.Add(c => c.Id, jazz.Id));

        cut.WaitForAssertion(() => Assert.Equal($"/events/{jazz.Id}/sms", cut.Find("[data-testid=message-attendees]").GetAttribute("href")));
    }
}
