namespace CustomerAdmin.Tests.EndToEnd;

/// <summary>The whole harness in a browser: server, Chromium, static assets and the interactive circuit.</summary>
public sealed class BrowserSmokeTests(AppServer server, Browser browser)
    : EndToEndTest(server, browser), IClassFixture<AppServer>
{
    [Fact]
    public async Task HealthEndpointAnswersInTheBrowser()
    {
        var response = await Page.GotoAsync("health");

        Assert.Equal(200, response?.Status);
        Assert.Equal("Healthy", await Page.Locator("body").InnerTextAsync());
    }

    [Fact]
    public async Task HomePageLoadsItsAssetsAndBecomesInteractive()
    {
        // Every page but sign-in needs a signed-in user; the sign-in page loads the same assets first.
        await Page.SignInAsAsync(Server, CustomerAdmin.Security.AppRoles.Staff);
        var brokenAssets = new List<string>();
        Page.Response += (_, response) =>
        {
            if (response.Request.ResourceType is "script" or "stylesheet" && !response.Ok && response.Status != 304)
                brokenAssets.Add($"{response.Status} {response.Url}");
        };
        Page.RequestFailed += (_, request) => brokenAssets.Add($"{request.Failure} {request.Url}");

        await Page.GotoBlazorAsync("");

        Assert.Empty(brokenAssets);
        // The stylesheet must be parsed, not just requested: a wrong content type loads but yields no rules.
        var mudBlazorRules = await Page.EvaluateAsync<int>("""
            () => [...document.styleSheets]
                .filter(s => s.href && s.href.includes("/_content/MudBlazor/"))
                .reduce((n, s) => n + s.cssRules.length, 0)
            """);
        Assert.True(mudBlazorRules > 100, $"MudBlazor's stylesheet has {mudBlazorRules} rules.");
        // MudThemeProvider writes the palette as CSS variables; empty means MudBlazor did not render.
        var primary = await Page.EvaluateAsync<string>(
            "() => getComputedStyle(document.documentElement).getPropertyValue('--mud-palette-primary').trim()");
        Assert.NotEqual("", primary);
        // Failed loads were checked above, for assets only: the document may be a 404 until a home page exists,
        // and Chromium asks for a favicon the app does not have.
        Assert.DoesNotContain(ConsoleErrors, e => !e.StartsWith("Failed to load resource", StringComparison.Ordinal));
    }
}
