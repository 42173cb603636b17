using System.Data.Common;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using CustomerAdmin.Common;
using CustomerAdmin.Data;
using CustomerAdmin.Features.Api;
using CustomerAdmin.Security;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;

namespace CustomerAdmin.Tests.Features.Api;

/// <summary>Bearer tokens over Kestrel: who gets in, with which scopes, and what ends a token.</summary>
public sealed class ApiTokenTests
{
    [Theory, InlineData(DatabaseProvider.Sqlite), InlineData(DatabaseProvider.Postgres)]
    public async Task OnlyALiveTokenWithTheScopeReadsACustomer(DatabaseProvider provider)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var api = await ApiServer.StartAsync(provider);
        var customer = await api.Data.CustomerAsync("Ann", "Lee");
        var url = $"api/v1/customers/{customer.Id}";

        using var anonymous = await api.Client(null).GetAsync(url, ct);
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Contains("Bearer", anonymous.Headers.WwwAuthenticate.ToString());
        Assert.Equal("application/problem+json", anonymous.ProblemType());

        using var unknown = await api.Client(ApiTokenOperations.SecretPrefix + "not-a-token").GetAsync(url, ct);
        Assert.Equal(HttpStatusCode.Unauthorized, unknown.StatusCode);

        using var writeOnly = await (await api.ClientAsync(AppRoles.Staff, Permissions.CustomersWrite)).GetAsync(url, ct);
        Assert.Equal(HttpStatusCode.Forbidden, writeOnly.StatusCode);
        Assert.Contains(Permissions.CustomersRead, (await writeOnly.JsonAsync()).GetProperty("detail").GetString());

        var token = await api.TokenAsync(AppRoles.Staff, Permissions.CustomersRead);
        using var ok = await api.Client(token.Secret).GetAsync(url, ct);
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        Assert.Equal("Ann Lee", (await ok.JsonAsync()).GetProperty("fullName").GetString());

        List<ApiTokenSummary> listed;
        await using (var db = api.Server.CreateDbContext())
            listed = await db.ApiTokensAsync(ct);
        Assert.NotNull(listed.Single(t => t.Id == token.Token.Id).LastUsedAt);
        await using (var db = api.Server.CreateDbContext())
        {
            // Stored as a hash only: a copy of the database gives no working token.
            var stored = db.ApiTokens.Single(t => t.Id == token.Token.Id);
            Assert.Equal(ApiTokenOperations.Hash(token.Secret), stored.SecretHash);
            Assert.True(token.Secret.Length > stored.Prefix.Length + 20);
        }

        Assert.True(await api.Server.Services.GetRequiredService<ApiTokenOperations>().RevokeAsync(token.Token.Id, "admin", ct));
        using var revoked = await api.Client(token.Secret).GetAsync(url, ct);
        Assert.Equal(HttpStatusCode.Unauthorized, revoked.StatusCode);
    }

    [Theory, InlineData(DatabaseProvider.Sqlite), InlineData(DatabaseProvider.Postgres)]
    public async Task AGetIsOneCommandWithTheTokenCheckAndTheCheckStillDecides(DatabaseProvider provider)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var api = await ApiServer.StartAsync(provider);
        var customer = await api.Data.CustomerAsync("Ann", "Lee");
        var url = $"api/v1/customers/{customer.Id}";
        var (email, _) = await api.Server.CreateUserAsync(AppRoles.Manager);
        var tokens = api.Server.Services.GetRequiredService<ApiTokenOperations>();
        var token = await tokens.CreateAsync(email, "sync", [Permissions.CustomersRead], null, "t", ct);
        var client = api.Client(token.Secret);
        using (var first = await client.GetAsync(url, ct)) // stamps LastUsedAt: a second statement, once a minute
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);

        using var commands = new CommandLog(ApiTokenOperations.Hash(token.Secret));
        await Task.Delay(TimeSpan.FromSeconds(1.2), ct); // EF caches for a second whether anyone listens
        using (var second = await client.GetAsync(url, ct))
        {
            Assert.Equal(HttpStatusCode.OK, second.StatusCode);
            Assert.Equal("Ann Lee", (await second.JsonAsync()).GetProperty("fullName").GetString());
        }
        // One round trip: the token check went out in front of the customer's statement, in the same command.
        var sent = Assert.Single(commands.Texts);
        Assert.Contains("\"ApiTokens\"", sent);
        Assert.Contains("\"Customers\"", sent);

        // The check still decides, each time from the database: a token past its expiry, an owner locked out, a role
        // taken away (the scope no longer held: 403) and a revocation, each refused with no customer data in the answer.
        async Task RefusedAsync(HttpStatusCode status)
        {
            using var refused = await client.GetAsync(url, ct);
            Assert.Equal(status, refused.StatusCode);
            Assert.DoesNotContain("Lee", await refused.Content.ReadAsStringAsync(ct));
        }
        await using (var db = api.Server.CreateDbContext())
            await db.ApiTokens.Where(t => t.Id == token.Token.Id).ExecuteUpdateAsync(s => s.SetProperty(t => t.ExpiresAt, DateTime.UtcNow.AddSeconds(-1)), ct);
        await RefusedAsync(HttpStatusCode.Unauthorized);
        await using (var db = api.Server.CreateDbContext())
            await db.ApiTokens.Where(t => t.Id == token.Token.Id).ExecuteUpdateAsync(s => s.SetProperty(t => t.ExpiresAt, (DateTime?)null), ct);
        using (var again = await client.GetAsync(url, ct))
            Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        await using (var scope = api.Server.Services.CreateAsyncScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<AppUser>>();
            var user = (await users.FindByEmailAsync(email))!;
            await users.SetLockoutEnabledAsync(user, true);
            await users.SetLockoutEndDateAsync(user, DateTimeOffset.UtcNow.AddHours(1));
            await RefusedAsync(HttpStatusCode.Unauthorized);
            await users.SetLockoutEndDateAsync(user, null);
            using (var unlocked = await client.GetAsync(url, ct))
                Assert.Equal(HttpStatusCode.OK, unlocked.StatusCode);
            await users.RemoveFromRoleAsync(user, AppRoles.Manager);
            await RefusedAsync(HttpStatusCode.Forbidden);
            await users.AddToRoleAsync(user, AppRoles.Manager);
        }
        Assert.True(await tokens.RevokeAsync(token.Token.Id, "admin", ct));
        await RefusedAsync(HttpStatusCode.Unauthorized);
    }

    /// <summary>
    /// The commands EF (as executed: after interceptors) and <see cref="DirectSql"/> send with a parameter of the given
    /// value (a token's hash: this test's requests only, whatever else runs in the process).
    /// </summary>
    private sealed class CommandLog : IObserver<DiagnosticListener>, IObserver<KeyValuePair<string, object?>>, IDisposable
    {
        private readonly string _parameter;
        private readonly List<IDisposable> _subscriptions = [];
        private readonly List<string> _texts = [];

        public CommandLog(string parameter)
        {
            _parameter = parameter;
            _subscriptions.Add(DiagnosticListener.AllListeners.Subscribe(this));
        }

        public List<string> Texts
        {
            get { lock (_texts) return [.. _texts]; }
        }

        public void OnNext(DiagnosticListener listener)
        {
            if (listener.Name == DbLoggerCategory.Name)
                lock (_subscriptions) _subscriptions.Add(listener.Subscribe(this, name => name == RelationalEventId.CommandExecuted.Name));
            if (listener.Name == DirectSql.ListenerName)
                lock (_subscriptions) _subscriptions.Add(listener.Subscribe(this, name => name == DirectSql.CommandExecuting));
        }

        public void OnNext(KeyValuePair<string, object?> e)
        {
            if (((e.Value as CommandEventData)?.Command ?? e.Value as DbCommand) is { } command
                && command.Parameters.Cast<DbParameter>().Any(p => _parameter.Equals(p.Value)))
                lock (_texts) _texts.Add(command.CommandText);
        }

        public void OnCompleted() { }
        public void OnError(Exception error) { }

        public void Dispose()
        {
            lock (_subscriptions) foreach (var subscription in _subscriptions) subscription.Dispose();
        }
    }

    [Fact]
    public async Task AStaffCookieDoesNotAuthoriseAnApiCall()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var api = await ApiServer.StartAsync(DatabaseProvider.Sqlite);
        var customer = await api.Data.CustomerAsync();
        var browser = await api.Server.SignedInHttpClientAsync(AppRoles.Admin);
        // The cookie works for the pages...
        using var page = await browser.GetAsync($"customers/{customer.Id}", ct);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);

        // ...but a page on another site that makes the browser send it gets nothing from the API, reading or writing.
        using var read = await browser.GetAsync($"api/v1/customers/{customer.Id}", ct);
        Assert.Equal(HttpStatusCode.Unauthorized, read.StatusCode);
        using var delete = await browser.DeleteAsync($"api/v1/customers/{customer.Id}", ct);
        Assert.Equal(HttpStatusCode.Unauthorized, delete.StatusCode);
        await using var db = api.Server.CreateDbContext();
        Assert.Equal(CustomerStatus.Active, db.Customers.Single(c => c.Id == customer.Id).Status);
    }

    [Fact]
    public async Task ATokenNeverHasMoreThanItsOwnersRoleNowHolds()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var api = await ApiServer.StartAsync(DatabaseProvider.Sqlite);
        var tokens = api.Server.Services.GetRequiredService<ApiTokenOperations>();
        var (staff, _) = await api.Server.CreateUserAsync(AppRoles.Staff);
        var refused = await Assert.ThrowsAsync<RuleViolationException>(() => tokens.CreateAsync(staff, "sync", [Permissions.CustomersDelete], null, "t", ct));
        Assert.Equal(nameof(ApiToken.Scopes), refused.Field);
        await Assert.ThrowsAsync<RuleViolationException>(() => tokens.CreateAsync(staff, "sync", ["customers.everything"], null, "t", ct));

        var (manager, _) = await api.Server.CreateUserAsync(AppRoles.Manager);
        var token = await tokens.CreateAsync(manager, "sync", [Permissions.CustomersRead, Permissions.ReportsView], null, "t", ct);
        var customer = await api.Data.CustomerAsync();
        using (var before = await api.Client(token.Secret).GetAsync($"api/v1/customers/{customer.Id}", ct))
            Assert.Equal(HttpStatusCode.OK, before.StatusCode);

        // The manager loses the role: the token is refused from the next request on, although it is not revoked.
        await using (var scope = api.Server.Services.CreateAsyncScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<AppUser>>();
            var user = (await users.FindByEmailAsync(manager))!;
            await users.RemoveFromRoleAsync(user, AppRoles.Manager);
        }
        using var after = await api.Client(token.Secret).GetAsync($"api/v1/customers/{customer.Id}", ct);
        Assert.Equal(HttpStatusCode.Forbidden, after.StatusCode);
    }

    [Fact]
    public async Task EachTokenHasItsOwnRateLimitAnsweredWithRetryAfter()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite, ct: ct);
        await using var app = new SecurityTestApp(database, new Dictionary<string, string?> { ["Api:RequestsPerMinute"] = "5" });
        var tokens = app.Services.GetRequiredService<ApiTokenOperations>();
        var (email, _) = await app.CreateUserAsync(AppRoles.Staff);
        HttpClient ClientFor(string secret)
        {
            var client = app.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { BaseAddress = new Uri("https://localhost/") });
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", secret);
            return client;
        }
        var busy = ClientFor((await tokens.CreateAsync(email, "busy", [Permissions.CustomersRead], null, "t", ct)).Secret);
        var quiet = ClientFor((await tokens.CreateAsync(email, "quiet", [Permissions.CustomersRead], null, "t", ct)).Secret);

        for (var i = 0; i < 5; i++)
            using (var ok = await busy.GetAsync("api/v1/customers", ct))
                Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        using var limited = await busy.GetAsync("api/v1/customers", ct);
        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.InRange(limited.Headers.RetryAfter?.Delta?.TotalSeconds ?? 0, 1, 60);
        Assert.Equal("application/problem+json", limited.Content.Headers.ContentType?.MediaType);
        using var other = await quiet.GetAsync("api/v1/customers", ct);
        Assert.Equal(HttpStatusCode.OK, other.StatusCode);
    }

    [Fact]
    public async Task AnExpiredTokenIsRefused()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var api = await ApiServer.StartAsync(DatabaseProvider.Sqlite);
        var token = await api.TokenAsync(AppRoles.Staff, Permissions.CustomersRead);
        await using (var db = api.Server.CreateDbContext())
        {
            var row = db.ApiTokens.Single(t => t.Id == token.Token.Id);
            row.ExpiresAt = DateTime.UtcNow.AddSeconds(-1);
            await db.SaveChangesAsync(ct);
        }
        using var response = await api.Client(token.Secret).GetAsync("api/v1/customers", ct);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task TheCommandPrintsATokenOnceThatTheApiAccepts()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var server = new AppServer();
        await server.InitializeAsync();
        var (email, _) = await server.CreateUserAsync(AppRoles.Manager);
        var customer = await new TestData(server.Services.GetRequiredService<Microsoft.EntityFrameworkCore.IDbContextFactory<AppDbContext>>()).CustomerAsync();
        string connection;
        await using (var db = server.CreateDbContext())
            connection = db.Database.GetConnectionString()!;

        var output = new StringWriter();
        var original = Console.Out;
        Console.SetOut(output);
        int exit;
        try
        {
            exit = await ApiTokenCommand.RunAsync([ApiTokenCommand.Name, "create", "--email", email, "--name", "nightly sync",
                "--scopes", "customers.read,customers.write", "--expires", "30d", "--Database:Provider=Sqlite", $"--ConnectionStrings:Sqlite={connection}"]);
        }
        finally
        {
            Console.SetOut(original);
        }
        Assert.Equal(0, exit);
        var secret = output.ToString().Split('\n', StringSplitOptions.TrimEntries).Single(l => l.StartsWith(ApiTokenOperations.SecretPrefix));

        using var client = new HttpClient { BaseAddress = server.BaseUrl };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", secret);
        using var response = await client.GetAsync($"api/v1/customers/{customer.Id}", ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await using (var db = server.CreateDbContext())
        {
            var stored = db.ApiTokens.Single();
            Assert.Equal("nightly sync", stored.Name);
            Assert.Equal(ApiTokenOperations.Hash(secret), stored.SecretHash);
            Assert.InRange(stored.ExpiresAt!.Value, DateTime.UtcNow.AddDays(29), DateTime.UtcNow.AddDays(31));
        }

        Assert.Equal(1, await ApiTokenCommand.RunAsync([ApiTokenCommand.Name, "create", "--email", email, "--name", "x",
            "--scopes", "users.manage", "--Database:Provider=Sqlite", $"--ConnectionStrings:Sqlite={connection}"]));
    }
}
