using CustomerAdmin.Data;
using CustomerAdmin.Security;
using Microsoft.EntityFrameworkCore;
using static Microsoft.Playwright.Assertions;

namespace CustomerAdmin.Tests.EndToEnd;

/// <summary>The venue loop: staff book a customer onto an event from the profile and see the confirmation in their SMS log.</summary>
public sealed class BookingJourneyTests(AppServer server, Browser browser)
    : EndToEndTest(server, browser), IClassFixture<AppServer>
{
    [Fact]
    public async Task BookingFromCustomerPageShowsUnderActiveBookingsWithItsConfirmationInTheSmsLog()
    {
        int customerId, eventId;
        await using (var db = Server.CreateDbContext())
        {
            var customer = TestCustomers.Individual("Grace", "Hopper", "+14155550177");
            customer.PrimaryPhoneSmsCapable = true;
            var now = DateTime.UtcNow;
            var ev = new Event { Name = "Compiler night", StartsAt = now.AddDays(14), Capacity = 30, Price = 10m, CreatedAt = now, UpdatedAt = now, Version = 1 };
            db.Customers.Add(customer);
            db.Events.Add(ev);
            await db.SaveChangesAsync(TestContext.Current.CancellationToken);
            (customerId, eventId) = (customer.Id, ev.Id);
        }

        await Page.SignInAsAsync(Server, AppRoles.Staff);
        await Page.GotoBlazorAsync($"customers/{customerId}");
        await Page.GetByTestId("add-booking").ClickAsync();
        await Page.Locator("#booking-event").FillAsync("compiler");
        await Page.GetByTestId("event-suggestion").First.ClickAsync();
        // Choosing the event loads its remaining seats (the field's limit); type the seats once that has landed,
        // or the re-render can replace what was typed.
        await Expect(Page.GetByText("at most 30")).ToBeVisibleAsync();
        await Page.Locator("#booking-seats").FillAsync("2");
        await Page.Locator("#booking-seats").PressAsync("Tab");
        await Expect(Page.Locator("#booking-seats")).ToHaveValueAsync("2");
        await Page.GetByTestId("booking-save").ClickAsync();

        await Expect(Page.GetByTestId("active-bookings")).ToContainTextAsync("Compiler night");
        await Expect(Page.GetByTestId("active-bookings")).ToContainTextAsync("2 seats");
        // The confirmation shows in the customer's SMS log on the same page, rendered from the template.
        var smsRows = Page.GetByTestId("sms-log").Locator("[data-testid=sms-rows] tbody tr");
        await Expect(smsRows).ToHaveCountAsync(1);
        await Expect(smsRows.First).ToContainTextAsync("Hi Grace, you're booked for Compiler night");
        await Expect(smsRows.First).ToContainTextAsync("confirmation", new() { IgnoreCase = true });
        await using (var db = Server.CreateDbContext())
        {
            var booking = await db.Bookings.SingleAsync(b => b.CustomerId == customerId && b.EventId == eventId, TestContext.Current.CancellationToken);
            Assert.Equal(2, booking.Seats);
            Assert.True(await db.SmsMessages.AnyAsync(m => m.BookingId == booking.Id && m.Kind == SmsKind.BookingConfirmation,
                TestContext.Current.CancellationToken));
        }
        Assert.Empty(ConsoleErrors);
    }
}
