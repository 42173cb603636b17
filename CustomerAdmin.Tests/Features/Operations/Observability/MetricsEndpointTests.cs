using System.Net;
using System.Net.Http.Headers;
using System.Globalization;
using CustomerAdmin.Data;
using CustomerAdmin.Features.Customers.Search;
using CustomerAdmin.Features.Operations.Observability;
using CustomerAdmin.Features.Sms;
using CustomerAdmin.Tests.EndToEnd;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CustomerAdmin.Tests.Features.Operations.Observability;

/// <summary>The app on Kestrel with a metrics token; the dispatcher runs every second through the log-only sender.</summary>
public sealed class MetricsServer() : AppServer(new Dictionary<string, string?>
{
    ["Monitoring:MetricsToken"] = MetricsServer.Token,
    ["Sms:DispatchInterval"] = "00:00:01",
    // Manual messages ignore quiet hours; this keeps the reminder scan's figures out of the way.
    ["Sms:RunReminderScan"] = "false",
})
{
    public const string Token = "test-scrape-token-5b1d";
}

/// <summary>
/// Prometheus scrapes <c>/metrics</c> of the running app with the configured token: the app's own metrics (search, SMS,
/// dispatcher lag) and the framework's appear with the values the work just done gave them; without the token, 401.
/// </summary>
public sealed class MetricsEndpointTests(MetricsServer server) : IClassFixture<MetricsServer>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task AScrapeWithTheTokenShowsTheSearchesAndTheSmsJustSent()
    {
        using var http = server.CreateHttpClient();
        var before = Parse(await ScrapeAsync(http));

        var factory = server.Services.GetRequiredService<IDbContextFactory<AppDbContext>>();
        var data = new TestData(factory);
        await data.BatchAsync(batch =>
        {
            for (var i = 0; i < 300; i++) batch.Customer($"Metric{(char)('a' + i % 26)}", $"Scrape{i / 26}", DateTime.UtcNow.AddDays(-i));
        });
        for (var i = 0; i < 5; i++)
        {
            await using var db = await factory.CreateDbContextAsync(Ct);
            Assert.NotEmpty(await db.SuggestAsync(SearchQuery.Parse("metric", server.Services.GetRequiredService<CustomerAdmin.Common.PhoneNormalizer>()), Ct));
        }
        int customerId;
        await using (var db = await factory.CreateDbContextAsync(Ct))
            customerId = await db.Customers.Where(c => c.FirstName == "Metrica").Select(c => c.Id).FirstAsync(Ct);
        var message = await server.Services.GetRequiredService<SmsOperations>().SendToCustomerAsync(customerId, "Your repair is ready.", "staff@test", Ct);
        await WaitForAsync(async () =>
        {
            await using var db = await factory.CreateDbContextAsync(Ct);
            return await db.SmsMessages.AnyAsync(m => m.Id == message.Id && m.Status == SmsStatus.Sent, Ct);
        });

        var text = await ScrapeAsync(http);
        var after = Parse(text);
        Assert.True(Value(after, "customeradmin_search_duration_seconds_count") >= Value(before, "customeradmin_search_duration_seconds_count") + 5, text);
        Assert.True(Value(after, "customeradmin_sms_queued_total", "kind=\"Manual\"") >= Value(before, "customeradmin_sms_queued_total", "kind=\"Manual\"") + 1, text);
        Assert.True(Value(after, "customeradmin_sms_sent_total", "kind=\"Manual\"") >= Value(before, "customeradmin_sms_sent_total", "kind=\"Manual\"") + 1, text);
        Assert.True(Value(after, "customeradmin_sms_dispatch_lag_seconds_count") >= 1, text);
        // The framework's own: this very request was served through ASP.NET Core's instrumentation.
        Assert.Contains("http_server_request_duration_seconds_count", text);
    }

    [Fact]
    public async Task WithoutTheTokenOrWithAnotherOneTheScrapeIsRefused()
    {
        using var http = server.CreateHttpClient();
        using var none = await http.GetAsync("metrics", Ct);
        Assert.Equal(HttpStatusCode.Unauthorized, none.StatusCode);
        Assert.DoesNotContain("customeradmin_", await none.Content.ReadAsStringAsync(Ct));

        using var wrong = new HttpRequestMessage(HttpMethod.Get, "metrics");
        wrong.Headers.Authorization = new AuthenticationHeaderValue("Bearer", MetricsServer.Token + "x");
        using var refused = await http.SendAsync(wrong, Ct);
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
    }

    [Fact]
    public void WithoutATokenOnlyThisMachineMayScrapeAndWithOneEveryScraperNeedsIt()
    {
        var elsewhere = IPAddress.Parse("192.0.2.7");
        Assert.Null(ObservabilitySetup.ScrapeRefusal(null, null, IPAddress.Loopback));
        Assert.Null(ObservabilitySetup.ScrapeRefusal("", null, IPAddress.IPv6Loopback));
        Assert.Equal(StatusCodes.Status403Forbidden, ObservabilitySetup.ScrapeRefusal(null, null, elsewhere)?.Status);
        Assert.Equal(StatusCodes.Status403Forbidden, ObservabilitySetup.ScrapeRefusal(null, "Bearer anything", null)?.Status);
        Assert.Equal(StatusCodes.Status401Unauthorized, ObservabilitySetup.ScrapeRefusal("s3cret", null, IPAddress.Loopback)?.Status);
        Assert.Equal(StatusCodes.Status401Unauthorized, ObservabilitySetup.ScrapeRefusal("s3cret", "Bearer s3cre", elsewhere)?.Status);
        Assert.Null(ObservabilitySetup.ScrapeRefusal("s3cret", "Bearer s3cret", elsewhere));
    }

    private static async Task<string> ScrapeAsync(HttpClient http)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "metrics");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", MetricsServer.Token);
        using var response = await http.SendAsync(request, Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsStringAsync(Ct);
    }

    /// <summary>
    /// Every sample line, <c>name{labels} value [timestamp]</c>: the series (name and labels) and its value. Label values
    /// may hold spaces, so the labels end at the line's last brace.
    /// </summary>
    private static List<(string Series, double Value)> Parse(string text) =>
        text.Split('\n').Where(l => l.Length > 0 && !l.StartsWith('#')).Select(l =>
        {
            var end = l.LastIndexOf('}') is var brace and >= 0 ? brace + 1 : l.IndexOf(' ');
            var value = l[end..].Trim().Split(' ')[0];
            return (l[..end], double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v : double.NaN);
        }).ToList();

    /// <summary>The sum over the series of <paramref name="name"/> whose labels contain <paramref name="label"/>.</summary>
    private static double Value(List<(string Series, double Value)> samples, string name, string label = "") =>
        samples.Where(s => (s.Series == name || s.Series.StartsWith(name + "{", StringComparison.Ordinal)) && s.Series.Contains(label, StringComparison.Ordinal))
            .Sum(s => s.Value);

    private static async Task WaitForAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "Timed out waiting for the SMS to be sent.");
            await Task.Delay(100, Ct);
        }
    }
}
