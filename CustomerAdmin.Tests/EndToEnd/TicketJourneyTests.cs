using System.Text.RegularExpressions;
using CustomerAdmin.Features.Tickets;
using CustomerAdmin.Data;
using CustomerAdmin.Security;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
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

    [Fact]
    public async Task TicketAndItsEquipmentAreCorrectedAfterCreation()
    {
        var factory = Server.Services.GetRequiredService<IDbContextFactory<AppDbContext>>();
        var ct = TestContext.Current.CancellationToken;
        int customerId;
        await using (var db = Server.CreateDbContext())
        {
            var ada = TestCustomers.Individual("Ada", "Lovelace", "+14155550123");
            db.Customers.Add(ada);
            await db.SaveChangesAsync(ct);
            customerId = ada.Id;
        }
        var scanner = await EquipmentOperations.CreateAsync(factory, customerId, new() { Type = "Scanner", SerialNumber = "SC-1" }, TimeProvider.System, ct);
        var ticket = await TicketOperations.CreateAsync(factory,
            new TicketDraft { CustomerId = customerId, Item = "Scanner", Problem = "No image", QuotedAmount = 50m }, TimeProvider.System, ct: ct);
        await Page.SignInAsAsync(Server, AppRoles.Staff);

        await Page.GotoBlazorAsync($"tickets/{ticket.Id}");
        await Page.GetByTestId("edit-ticket").ClickAsync();
        await Page.Locator("#ticket-problem").FillAsync("No image; fan noisy");
        await Page.Locator("#ticket-quote").FillAsync("-5");
        await Page.GetByTestId("save-ticket-edit").ClickAsync();
        await Expect(Page.Locator(".mud-dialog")).ToContainTextAsync("cannot be negative");
        await Page.Locator("#ticket-quote").FillAsync("85");
        await ScreenshotAsync("ticket-edit");
        await Page.GetByTestId("save-ticket-edit").ClickAsync();
        await Expect(Page.Locator(".mud-dialog")).ToHaveCountAsync(0);
        await Expect(Page.GetByText("No image; fan noisy")).ToBeVisibleAsync();
        await Expect(Page.GetByText("$85.00")).ToBeVisibleAsync();

        await Page.GotoBlazorAsync($"equipment/{scanner.Id}");
        await Page.GetByTestId("edit-equipment").ClickAsync();
        await Page.Locator("#equipment-type").FillAsync("Ultrasound scanner");
        await Page.Locator("#equipment-make").FillAsync("GE");
        await Page.Locator("#equipment-serial").FillAsync("sc-2");
        await ScreenshotAsync("equipment-edit");
        await Page.GetByTestId("save-equipment").ClickAsync();
        await Expect(Page.GetByTestId("equipment-label")).ToHaveTextAsync("Ultrasound scanner: GE");
        await Expect(Page.GetByTestId("equipment-serial")).ToContainTextAsync("S/N sc-2");
        await ScreenshotAsync("equipment-page");
        Assert.Empty(ConsoleErrors);
    }
}
