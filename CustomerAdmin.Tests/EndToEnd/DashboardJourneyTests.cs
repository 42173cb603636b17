using System.Text.RegularExpressions;
using CustomerAdmin.Security;
using static Microsoft.Playwright.Assertions;

namespace CustomerAdmin.Tests.EndToEnd;

/// <summary>A Manager opens the dashboard on demo data and follows a figure to the list behind it; Staff may not.</summary>
public sealed class DashboardJourneyTests(DashboardJourneyTests.DemoServer server, Browser browser)
    : EndToEndTest(server, browser), IClassFixture<DashboardJourneyTests.DemoServer>
{
    public sealed class DemoServer() : AppServer(demoCustomers: 30);

    [Fact]
    public async Task ManagerSeesTheDashboardAndAFigureLeadsToThatManyCustomers()
    {
        await Page.SignInAsAsync(Server, AppRoles.Manager);
        await Page.GetByTestId("nav-dashboard").ClickAsync();
        await Expect(Page).ToHaveURLAsync(new Regex("/dashboard$"));
        var total = Page.GetByTestId("figure-total-customers");
        await Expect(total).ToHaveTextAsync(new Regex(@"^\s*\d+\s*$"));
        var count = (await total.TextContentAsync())!.Trim();
        await ScreenshotAsync("dashboard-manager");

        await total.ClickAsync();
        await Expect(Page).ToHaveURLAsync(new Regex(@"/customers\?created_to="));
        await Expect(Page.GetByTestId("customer-count")).ToHaveTextAsync($"{count} customers");
        Assert.Empty(ConsoleErrors);
    }

    [Fact]
    public async Task ManagerDownloadsTheFilteredListAndIsToldWhenItIsDone()
    {
        await Page.SignInAsAsync(Server, AppRoles.Manager);
        await Page.GotoBlazorAsync("customers?kind=business");
        var shown = (await Page.GetByTestId("customer-count").TextContentAsync())!.Split(' ')[0];

        var download = await Page.RunAndWaitForDownloadAsync(() => Page.GetByTestId("export-csv").ClickAsync());

        Assert.Matches(@"^customers-\d{4}-\d{2}-\d{2}\.csv$", download.SuggestedFilename);
        var path = await download.PathAsync();
        var lines = (await File.ReadAllLinesAsync(path!, TestContext.Current.CancellationToken)).Where(l => l.Length > 0).ToList();
        Assert.Equal(int.Parse(shown) + 1, lines.Count);
        await Expect(Page.GetByText($"Export finished: {shown} customers.")).ToBeVisibleAsync();
        await Expect(Page.GetByTestId("export-csv")).ToHaveTextAsync("Export CSV");
    }

    [Fact]
    public async Task StaffIsRefused()
    {
        await Page.SignInAsAsync(Server, AppRoles.Staff);
        await Expect(Page.GetByTestId("nav-dashboard")).ToHaveCountAsync(0);
        await Page.GotoAsync("dashboard");
        await Expect(Page.GetByTestId("access-denied")).ToBeVisibleAsync();
    }
}
