using System.Text.RegularExpressions;
using CustomerAdmin.Data;
using CustomerAdmin.Features.Customers.Status;
using CustomerAdmin.Security;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static Microsoft.Playwright.Assertions;

namespace CustomerAdmin.Tests.EndToEnd;

/// <summary>At the counter: a blocked customer's ticket is refused for staff, and a manager overrides the block with a reason.</summary>
public sealed class BlockedCustomerJourneyTests(AppServer server, Browser browser)
    : EndToEndTest(server, browser), IClassFixture<AppServer>
{
    [Fact]
    public async Task StaffAreRefusedABlockedCustomersTicketAndAManagerOverridesTheBlock()
    {
        var ct = TestContext.Current.CancellationToken;
        int customerId;
        await using (var db = Server.CreateDbContext())
        {
            var ada = TestCustomers.Individual("Ada", "Blocked", "+14155550142");
            db.Customers.Add(ada);
            await db.SaveChangesAsync(ct);
            customerId = ada.Id;
        }
        await Server.Services.GetRequiredService<CustomerStatusOperations>()
            .ChangeAsync(customerId, CustomerStatus.Blocked, "Abusive to staff", "manager@test.local", ct);

        await Page.SignInAsAsync(Server, AppRoles.Staff);
        await Page.GotoBlazorAsync($"customers/{customerId}");
        await Expect(Page.GetByTestId("status-banner")).ToContainTextAsync("Blocked: Abusive to staff");
        await Page.GotoBlazorAsync($"tickets/new?customer={customerId}");
        await Expect(Page.GetByTestId("customer-blocked")).ToContainTextAsync("A manager can override the block.");
        await Expect(Page.Locator("#block-override-reason")).ToHaveCountAsync(0);
        await Page.Locator("#ticket-item").FillAsync("Laptop");
        await Page.Locator("#ticket-problem").FillAsync("Does not power on");
        await Page.GetByTestId("save-ticket").ClickAsync();
        await Expect(Page.GetByText("a ticket needs a manager's override")).ToBeVisibleAsync();
        await Expect(Page).ToHaveURLAsync(new Regex("/tickets/new"));

        var manager = await Browser.NewPageAsync(Server.BaseUrl);
        try
        {
            var email = await manager.SignInAsAsync(Server, AppRoles.Manager);
            await manager.GotoBlazorAsync($"tickets/new?customer={customerId}");
            await manager.Locator("#ticket-item").FillAsync("Laptop");
            await manager.Locator("#ticket-problem").FillAsync("Does not power on");
            await manager.Locator("#block-override-reason").FillAsync("Owner agreed to take the job");
            await manager.GetByTestId("save-ticket").ClickAsync();
            await Expect(manager).ToHaveURLAsync(new Regex(@"/tickets/\d+$"));

            await using var db = Server.CreateDbContext();
            var entry = await db.Activities.AsNoTracking().SingleAsync(a => a.CustomerId == customerId && a.Kind == ActivityKind.BlockOverridden, ct);
            Assert.Equal(("Owner agreed to take the job", email), (entry.Body, entry.CreatedBy));
            Assert.Equal(1, await db.Tickets.CountAsync(t => t.CustomerId == customerId, ct));
        }
        finally
        {
            await manager.Context.CloseAsync();
        }
        Assert.Empty(ConsoleErrors);
    }
}
