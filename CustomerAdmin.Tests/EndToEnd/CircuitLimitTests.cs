using CustomerAdmin.Security;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Playwright;

namespace CustomerAdmin.Tests.EndToEnd;

/// <summary>The per-user cap on live circuits in a real browser, with the app's default cap.</summary>
public sealed class CircuitLimitTests(AppServer server, Browser browser)
    : EndToEndTest(server, browser), IClassFixture<AppServer>
{
    [Fact]
    public async Task OneTabMoreThanTheCapShowsTheMessageAndWorksOnceATabCloses()
    {
        var max = Server.Services.GetRequiredService<IOptions<SecurityOptions>>().Value.MaxCircuitsPerUser;
        await Page.SignInAsAsync(Server, AppRoles.Staff);
        var tabs = new List<IPage> { Page };
        for (var i = 1; i < max; i++)
        {
            // Tabs of one browser share its sign-in cookie: the same user each time.
            var tab = await Page.Context.NewPageAsync();
            await tab.GotoBlazorAsync("customers");
            tabs.Add(tab);
        }
        foreach (var tab in tabs)
            await Assertions.Expect(tab.GetByTestId("too-many-circuits")).ToHaveCountAsync(0);

        var oneTooMany = await Page.Context.NewPageAsync();
        await oneTooMany.GotoBlazorAsync("customers");

        await Assertions.Expect(oneTooMany.GetByTestId("too-many-circuits")).ToHaveTextAsync(CircuitAdmission.Message);
        // Closing a tab ends its circuit, and a reload is let in.
        await tabs[^1].CloseAsync();
        // The browser reports the closed tab's end on its own schedule, so the reload is retried for a while.
        var refused = true;
        for (var attempt = 0; attempt < 20 && refused; attempt++)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(500), TestContext.Current.CancellationToken);
            await oneTooMany.ReloadAsync();
            await oneTooMany.WaitForBlazorAsync();
            refused = await oneTooMany.GetByTestId("too-many-circuits").CountAsync() > 0;
        }
        Assert.False(refused);
        await Assertions.Expect(oneTooMany.GetByTestId("customer-count")).ToBeVisibleAsync();
    }
}
