using CustomerAdmin.Data;
using CustomerAdmin.Security;
using Microsoft.EntityFrameworkCore;
using static Microsoft.Playwright.Assertions;

namespace CustomerAdmin.Tests.EndToEnd;

/// <summary>
/// Privacy through the real app in Chromium: staff record a customer's SMS marketing opt-out on their page, and an
/// admin finds that visit in the access log, filtered by the customer.
/// </summary>
public sealed class ConsentJourneyTests(ConsentJourneyTests.DemoServer server, Browser browser)
    : EndToEndTest(server, browser), IClassFixture<ConsentJourneyTests.DemoServer>
{
    public sealed class DemoServer() : AppServer(demoCustomers: 300);

    [Fact]
    public async Task StaffRecordAnOptOutAndTheAdminSeesTheVisitInTheAccessLog()
    {
        var ct = TestContext.Current.CancellationToken;
        int customerId;
        await using (var db = Server.CreateDbContext())
            customerId = await db.Customers.Where(c => c.Status == CustomerStatus.Active).OrderBy(c => c.Id).Select(c => c.Id).Skip(150).FirstAsync(ct);

        var staff = await Page.SignInAsAsync(Server, AppRoles.Staff);
        await Page.GotoBlazorAsync($"customers/{customerId}");
        var marketing = Page.Locator("[data-testid=consent-states] tr[data-purpose=sms-marketing]");
        await marketing.Locator("[data-testid=consent-withdraw]").ClickAsync();
        await Expect(marketing).ToContainTextAsync("Withdrawn");
        await Expect(Page.GetByTestId("consent-register")).ToContainTextAsync("Consent log");

        await Page.Context.ClearCookiesAsync();
        await Page.SignInAsAsync(Server, AppRoles.Admin);
        await Page.GotoBlazorAsync($"settings/access-log?customer={customerId}");
        var rows = Page.Locator("[data-testid=access-log-rows] tbody tr");
        await Expect(rows.First).ToContainTextAsync("Customer viewed");
        await Expect(rows.Filter(new() { HasText = staff })).ToHaveCountAsync(1);
    }
}
