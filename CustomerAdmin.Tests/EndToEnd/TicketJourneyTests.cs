using System.Text.RegularExpressions;
using CustomerAdmin.Security;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace CustomerAdmin.Tests.EndToEnd;

/// <summary>The repair-shop loop: a walk-in customer, a ticket, a closing amount, and the customer's figures.</summary>
public sealed class TicketJourneyTests(AppServer server, Browser browser)
    : EndToEndTest(server, browser), IClassFixture<AppServer>
{
    [Fact]
    public async Task TicketForNewCustomerClosedWithAmountAddsToTheirTotalSpent()
    {
        await Page.SignInAsAsync(Server, AppRoles.Staff);
        await Page.GotoBlazorAsync("tickets/new");

        // Nobody has this number yet: the picker offers a new customer with the phone already filled in.
        await Page.Locator("#customer-picker").FillAsync("(415) 555-0177");
        await Page.GetByTestId("new-customer-from-search").ClickAsync();
        await Expect(Page.Locator("#new-phone")).ToHaveValueAsync(new Regex("555.?0177"));
        await Page.Locator("#new-first-name").FillAsync("Grace");
        await Page.Locator("#new-last-name").FillAsync("Hopper");
        await Page.GetByTestId("create-customer").ClickAsync();
        await Expect(Page.Locator("#customer-picker")).ToHaveValueAsync(new Regex("^Grace Hopper"));

        await Page.Locator("#ticket-item").FillAsync("Laptop");
        await Page.Locator("#ticket-problem").FillAsync("Does not power on");
        await Page.Locator("#ticket-quote").FillAsync("120");
        await Page.GetByTestId("save-ticket").ClickAsync();
        await Expect(Page).ToHaveURLAsync(new Regex(@"/tickets/\d+$"));

        await Page.GetByTestId("move-closed").ClickAsync();
        await Page.Locator("#final-amount-input").FillAsync("149.50");
        await Page.GetByTestId("confirm-close").ClickAsync();
        await Expect(Page.GetByTestId("ticket-status")).ToHaveTextAsync("Closed");

        await Page.GetByTestId("ticket-customer").ClickAsync();
        await Expect(Page.GetByTestId("customer-name")).ToHaveTextAsync("Grace Hopper");
        await Expect(Page.GetByTestId("total-spent")).ToHaveTextAsync("$149.50");
        Assert.Empty(ConsoleErrors);
    }
}
