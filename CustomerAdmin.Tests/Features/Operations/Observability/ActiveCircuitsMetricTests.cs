using System.Globalization;
using System.Net;
using CustomerAdmin.Security;
using CustomerAdmin.Tests.EndToEnd;
using Microsoft.AspNetCore.Components.Server;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace CustomerAdmin.Tests.Features.Operations.Observability;

/// <summary>
/// The active-circuits gauge counts every open circuit of the process (its meter is static): tests that read it run
/// alone, so no other test class's browser pages are counted.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class CircuitsCountedCollection
{
    public const string Name = "Circuits counted";
}

/// <summary>
/// The app with a short retention for disconnected circuits. A closed tab's circuit ends at once when the browser's
/// disconnect beacon (sent as the page unloads) reaches the server; when the beacon is lost (a browser torn down under
/// load), the circuit is kept for <see cref="CircuitOptions.DisconnectedCircuitRetentionPeriod"/> in case the tab
/// reconnects, 3 minutes by default: longer than a test waits.
/// </summary>
public sealed class CircuitsServer : AppServer
{
    protected override void ConfigureServices(IServiceCollection services) =>
        services.Configure<CircuitOptions>(o => o.DisconnectedCircuitRetentionPeriod = TimeSpan.FromSeconds(5));
}

/// <summary>
/// Pages open in a real browser show on <c>/metrics</c> (scraped from this machine, no token configured) as active
/// circuits, and leave it when their tab closes.
/// </summary>
[Collection(CircuitsCountedCollection.Name)]
public sealed class ActiveCircuitsMetricTests(CircuitsServer server, Browser browser) : IClassFixture<CircuitsServer>
{
    private const string Gauge = "customeradmin_circuits_active";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task TwoOpenPagesShowAsTwoCircuitsAndClosingThemCountsThemDown()
    {
        using var http = server.CreateHttpClient();
        var first = await browser.NewPageAsync(server.BaseUrl);
        var second = await browser.NewPageAsync(server.BaseUrl);
        try
        {
            await first.SignInAsAsync(server, AppRoles.Staff);
            await first.GotoBlazorAsync("customers");
            await second.SignInAsAsync(server, AppRoles.Manager);
            await second.GotoBlazorAsync("tickets");

            // Signing in ended the circuit of the page the sign-in left; the two live pages remain.
            await WaitForGaugeAsync(http, 2);

            // Closing the tab (not the whole browser context) runs its unload, which sends the disconnect beacon.
            await second.CloseAsync();
            await WaitForGaugeAsync(http, 1);

            await first.CloseAsync();
            await WaitForGaugeAsync(http, 0);
        }
        finally
        {
            await second.Context.CloseAsync();
            await first.Context.CloseAsync();
        }
    }

    /// <summary>
    /// Scrapes until the gauge shows <paramref name="expected"/>: a closed tab's circuit ends when the browser's
    /// disconnect reaches the server, which is not at once. Fails with the last value seen.
    /// </summary>
    private static async Task WaitForGaugeAsync(HttpClient http, double expected)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        double? last;
        while ((last = await ScrapeGaugeAsync(http)) != expected && DateTime.UtcNow < deadline)
            await Task.Delay(200, Ct);
        Assert.Equal(expected, last);
    }

    private static async Task<double?> ScrapeGaugeAsync(HttpClient http)
    {
        using var response = await http.GetAsync("metrics", Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var text = await response.Content.ReadAsStringAsync(Ct);
        var line = text.Split('\n').FirstOrDefault(l => l.StartsWith(Gauge + " ", StringComparison.Ordinal) || l.StartsWith(Gauge + "{", StringComparison.Ordinal));
        if (line is null)
            return null;
        var value = line[(line.LastIndexOf('}') is var brace and >= 0 ? brace + 1 : line.IndexOf(' '))..].Trim().Split(' ')[0];
        return double.Parse(value, NumberStyles.Float, CultureInfo.InvariantCulture);
    }
}
