using Microsoft.EntityFrameworkCore;

namespace CustomerAdmin.Tests.EndToEnd;

/// <summary>The server half of the harness, over plain HTTP, so it runs even where Chromium is missing.</summary>
public sealed class AppServerTests(AppServer server) : IClassFixture<AppServer>
{
    private readonly HttpClient _http = server.CreateHttpClient();

    [Fact]
    public async Task ServerListensOnLoopbackAndReportsHealthy()
    {
        Assert.Equal("127.0.0.1", server.BaseUrl.Host);
        Assert.Equal("Healthy", await _http.GetStringAsync("health", TestContext.Current.CancellationToken));
    }

    [Theory]
    [InlineData("_content/MudBlazor/MudBlazor.min.css", "text/css")]
    [InlineData("_content/MudBlazor/MudBlazor.min.js", "text/javascript")]
    [InlineData("_framework/blazor.web.js", "text/javascript")]
    public async Task ServesStaticWebAssets(string path, string contentType)
    {
        using var response = await _http.GetAsync(path, TestContext.Current.CancellationToken);

        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(contentType, response.Content.Headers.ContentType?.MediaType);
        Assert.True(response.Content.Headers.ContentLength > 1000, $"{path} is suspiciously small.");
    }

    [Fact]
    public async Task PrerenderedPagesCarryTheNotYetInteractiveMarker()
    {
        using var response = await _http.GetAsync("", TestContext.Current.CancellationToken);
        var html = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);

        Assert.Contains("data-interactive=\"false\"", html);
        Assert.Contains("_framework/blazor.web", html);
    }

    [Fact]
    public async Task DatabaseIsAnEmptyFileInTheTempFolder()
    {
        await using var db = server.CreateDbContext();

        Assert.StartsWith(Path.GetTempPath(), db.Database.GetDbConnection().DataSource);
        Assert.False(await db.Customers.IgnoreQueryFilters().AnyAsync(TestContext.Current.CancellationToken));
    }
}

/// <summary>Proves the seeding settings reach Program, which reads them before the host is built.</summary>
public sealed class SeededAppServerTests(SeededAppServerTests.DemoAppServer server)
    : IClassFixture<SeededAppServerTests.DemoAppServer>
{
    public sealed class DemoAppServer() : AppServer(demoCustomers: 20);

    [Fact]
    public async Task SeedsTheConfiguredNumberOfDemoCustomers()
    {
        await using var db = server.CreateDbContext();

        Assert.Equal(20, await db.Customers.IgnoreQueryFilters().CountAsync(TestContext.Current.CancellationToken));
    }
}
