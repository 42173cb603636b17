using CustomerAdmin.Security;
using Microsoft.Playwright;

namespace CustomerAdmin.Tests.EndToEnd;

/// <summary>
/// <c>connect-src 'self'</c>: the page may talk to its own origin only. Blazor Server's circuit is a WebSocket to that
/// same origin, which must keep working in Chromium, while a connection anywhere else is refused by the browser.
/// </summary>
public sealed class ContentSecurityPolicyTests(AppServer server, Browser browser)
    : EndToEndTest(server, browser), IClassFixture<AppServer>
{
    [Fact]
    public async Task ConnectSrcAllowsOnlyTheAppsOwnOrigin()
    {
        using var http = Server.CreateHttpClient();
        using var response = await http.GetAsync("account/sign-in", TestContext.Current.CancellationToken);

        var policy = Assert.Single(response.Headers.GetValues("Content-Security-Policy"));
        var connect = Assert.Single(policy.Split(';', StringSplitOptions.TrimEntries), d => d.StartsWith("connect-src ", StringComparison.Ordinal));
        Assert.Equal("connect-src 'self'", connect);
    }

    [Fact]
    public async Task CircuitRunsOverASameOriginWebSocketAndOtherOriginsAreRefused()
    {
        var sockets = new List<string>();
        Page.WebSocket += (_, socket) => sockets.Add(socket.Url);

        await Page.SignInAsAsync(Server, AppRoles.Staff);
        await Page.GotoBlazorAsync("customers");

        Assert.Contains(sockets, url => url.StartsWith($"ws://{Server.BaseUrl.Authority}/_blazor", StringComparison.Ordinal));
        // Another origin (same machine, other host name): the browser must refuse before connecting.
        var verdict = await Page.EvaluateAsync<string>("""
            async () => {
                const refused = new Promise(resolve => document.addEventListener("securitypolicyviolation",
                    e => resolve(`${e.effectiveDirective} ${e.blockedURI}`), { once: true }));
                try { new WebSocket("ws://localhost:9/elsewhere"); } catch (e) { return `threw ${e.name}`; }
                return await Promise.race([refused, new Promise(resolve => setTimeout(() => resolve("allowed"), 5000))]);
            }
            """);
        Assert.True(verdict.StartsWith("connect-src ws://localhost:9", StringComparison.Ordinal) || verdict == "threw SecurityError", verdict);
        await Expect(Page.GetByTestId("customer-count")).ToBeVisibleAsync();
        Assert.DoesNotContain(ConsoleErrors, e => e.Contains(Server.BaseUrl.Authority, StringComparison.Ordinal));
    }

    private static ILocatorAssertions Expect(ILocator locator) => Assertions.Expect(locator);
}
