using System.Net;
using System.Text.Json;
using CustomerAdmin.Data;
using CustomerAdmin.Features.Operations.Observability;
using CustomerAdmin.Features.Sms;
using CustomerAdmin.Features.Sms.Sending;
using CustomerAdmin.Tests.EndToEnd;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace CustomerAdmin.Tests.Features.Operations.Observability;

/// <summary>The app on Kestrel with its documents outside the database's folder, so the database can go away alone.</summary>
public sealed class HealthServer() : AppServer(new Dictionary<string, string?>
{
    ["Documents:Folder"] = Path.Combine(Path.GetTempPath(), "customeradmin-e2e-documents", Guid.NewGuid().ToString("N")),
});

/// <summary>
/// <c>/health/live</c> answers while the process runs; <c>/health/ready</c> only while the database is reachable, every
/// migration is applied, this instance's SMS dispatcher is passing and the documents can be written, and says which.
/// </summary>
public sealed class HealthEndpointTests(HealthServer server) : IClassFixture<HealthServer>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ReadyReportsEachCheckAndFailsWhileAMigrationIsPending()
    {
        using var http = server.CreateHttpClient();
        var (status, checks) = await ReadyAsync(http);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(["database", "document-storage", "migrations", "sms-dispatcher"], checks.Keys.Order(StringComparer.Ordinal));
        Assert.All(checks.Values, c => Assert.Equal("Healthy", c.Status));
        Assert.Matches(@"^The SMS dispatcher finished a pass \d+ s ago\.$", checks["sms-dispatcher"].Description);

        // A rollout half done: the database lacks this build's newest migration.
        string last;
        await using (var db = server.CreateDbContext())
        {
            last = (await db.Database.GetAppliedMigrationsAsync(Ct)).Last();
            await db.Database.ExecuteSqlAsync($"""DELETE FROM "__EFMigrationsHistory" WHERE "MigrationId" = {last}""", Ct);
        }
        try
        {
            (status, checks) = await ReadyAsync(http);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
            Assert.Equal("Unhealthy", checks["migrations"].Status);
            Assert.Contains(last, checks["migrations"].Description);
            Assert.Equal("Healthy", checks["database"].Status);
            Assert.Equal("Healthy", await http.GetStringAsync("health/live", Ct));
        }
        finally
        {
            await using var db = server.CreateDbContext();
            await db.Database.ExecuteSqlAsync($"""INSERT INTO "__EFMigrationsHistory" ("MigrationId", "ProductVersion") VALUES ({last}, '10.0.5')""", Ct);
        }
        Assert.Equal(HttpStatusCode.OK, (await ReadyAsync(http)).Status);
    }

    [Fact]
    public async Task ReadyFailsWhileTheDatabaseIsUnreachableAndLiveStillAnswers()
    {
        using var http = server.CreateHttpClient();
        Assert.Equal(HttpStatusCode.OK, (await ReadyAsync(http)).Status);

        // The disk with the database goes away (an unmounted volume); idle pooled connections go with it.
        var moved = server.DataFolder + "-away";
        Directory.Move(server.DataFolder, moved);
        SqliteConnection.ClearAllPools();
        try
        {
            var (status, checks) = await ReadyAsync(http);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
            Assert.Equal("Unhealthy", checks["database"].Status);
            Assert.Equal("Healthy", checks["document-storage"].Status);
            using var live = await http.GetAsync("health/live", Ct);
            Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        }
        finally
        {
            Directory.Move(moved, server.DataFolder);
        }
        Assert.Equal(HttpStatusCode.OK, (await ReadyAsync(http)).Status);
    }

    [Fact]
    public async Task TheDispatcherCheckFailsWhenItsHeartbeatIsStaleAndIgnoresADispatcherSwitchedOff()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 7, 6, 0, 0, TimeSpan.Zero));
        var heartbeat = new DispatcherHeartbeat(time);
        var monitoring = Options.Create(new MonitoringOptions { DispatcherStaleAfter = TimeSpan.FromMinutes(5) });
        var check = new SmsDispatcherHealthCheck(heartbeat, Options.Create(new SmsOptions()), monitoring, time);

        Assert.Equal(HealthStatus.Healthy, (await check.CheckHealthAsync(new HealthCheckContext(), Ct)).Status);
        time.Advance(TimeSpan.FromMinutes(6));
        var stale = await check.CheckHealthAsync(new HealthCheckContext(), Ct);
        Assert.Equal(HealthStatus.Unhealthy, stale.Status);
        Assert.Contains("360 s", stale.Description);
        heartbeat.Beat();
        Assert.Equal(HealthStatus.Healthy, (await check.CheckHealthAsync(new HealthCheckContext(), Ct)).Status);

        time.Advance(TimeSpan.FromHours(1));
        var off = new SmsDispatcherHealthCheck(heartbeat, Options.Create(new SmsOptions { RunDispatcher = false }), monitoring, time);
        Assert.Equal(HealthStatus.Healthy, (await off.CheckHealthAsync(new HealthCheckContext(), Ct)).Status);
    }

    private sealed record Check(string Status, string? Description);

    private static async Task<(HttpStatusCode Status, Dictionary<string, Check> Checks)> ReadyAsync(HttpClient http)
    {
        using var response = await http.GetAsync("health/ready", Ct);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct));
        var checks = json.RootElement.GetProperty("checks").EnumerateObject().ToDictionary(p => p.Name,
            p => new Check(p.Value.GetProperty("status").GetString()!, p.Value.GetProperty("description").GetString()));
        return (response.StatusCode, checks);
    }
}
