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
    public async Task MovingATicketToReadyTextsAnOptedInCustomerOncePerMoveAndTheTicketShowsTheText()
    {
        var factory = Server.Services.GetRequiredService<IDbContextFactory<AppDbContext>>();
        var ct = TestContext.Current.CancellationToken;
        int optedIn, notOptedIn;
        await using (var db = Server.CreateDbContext())
        {
            var ann = TestCustomers.Individual("Ann", "Ready", "+14155550171");
            ann.SmsOptedIn = true;
            var bob = TestCustomers.Individual("Bob", "Unready", "+14155550172");
            db.Customers.AddRange(ann, bob);
            await db.SaveChangesAsync(ct);
            (optedIn, notOptedIn) = (ann.Id, bob.Id);
        }
        var annTicket = await TicketOperations.CreateAsync(factory,
            new TicketDraft { CustomerId = optedIn, Item = "Laptop", Problem = "Cracked hinge" }, TimeProvider.System, ct: ct);
        var bobTicket = await TicketOperations.CreateAsync(factory,
            new TicketDraft { CustomerId = notOptedIn, Item = "Phone", Problem = "Battery" }, TimeProvider.System, ct: ct);
        async Task<List<string>> ReadyTextsAsync(int ticketId)
        {
            await using var db = Server.CreateDbContext();
            return await db.SmsMessages.AsNoTracking().Where(m => m.TicketId == ticketId && m.Kind == SmsKind.TicketReady)
                .OrderBy(m => m.Id).Select(m => m.Body).ToListAsync(ct);
        }
        await Page.SignInAsAsync(Server, AppRoles.Staff);

        // Opted in: the offer is ticked and shows the text; confirming queues it and the ticket lists it.
        await Page.GotoBlazorAsync($"tickets/{annTicket.Id}");
        await Page.GetByTestId("move-ready").ClickAsync();
        await Expect(Page.GetByTestId("confirm-ready")).ToHaveTextAsync("Mark ready and text");
        await Expect(Page.GetByTestId("ready-sms-text")).ToContainTextAsync("your Laptop is ready for pickup");
        await Page.GetByTestId("confirm-ready").ClickAsync();
        await Expect(Page.GetByTestId("ticket-status")).ToHaveTextAsync("Ready");
        await Expect(Page.GetByTestId("ticket-sms")).ToContainTextAsync("your Laptop is ready for pickup");
        Assert.Single(await ReadyTextsAsync(annTicket.Id));

        // Back to work and ready again: a second move, a second text; moving elsewhere texts nobody.
        await Page.GetByTestId("move-inprogress").ClickAsync();
        await Expect(Page.GetByTestId("ticket-status")).ToHaveTextAsync("In progress");
        Assert.Single(await ReadyTextsAsync(annTicket.Id));
        await Page.GetByTestId("move-ready").ClickAsync();
        await Page.GetByTestId("confirm-ready").ClickAsync();
        await Expect(Page.GetByTestId("ticket-status")).ToHaveTextAsync("Ready");
        Assert.Equal(2, (await ReadyTextsAsync(annTicket.Id)).Count);

        // Not opted in: offered unticked, with the reason; "Mark ready" queues nothing.
        await Page.GotoBlazorAsync($"tickets/{bobTicket.Id}");
        await Page.GetByTestId("move-ready").ClickAsync();
        await Expect(Page.GetByText("They have not opted in to SMS.")).ToBeVisibleAsync();
        await Expect(Page.GetByTestId("confirm-ready")).ToHaveTextAsync("Mark ready");
        await Page.GetByTestId("confirm-ready").ClickAsync();
        await Expect(Page.GetByTestId("ticket-status")).ToHaveTextAsync("Ready");
        Assert.Empty(await ReadyTextsAsync(bobTicket.Id));
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
