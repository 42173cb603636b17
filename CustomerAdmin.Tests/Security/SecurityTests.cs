using System.Net;
using System.Security.Claims;
using CustomerAdmin.Features.Account;
using CustomerAdmin.Features.Users;
using CustomerAdmin.Data;
using CustomerAdmin.Features;
using CustomerAdmin.Security;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CustomerAdmin.Tests.Security;

public sealed class SecurityTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory, InlineData(DatabaseProvider.Sqlite), InlineData(DatabaseProvider.Postgres)]
    public async Task FirstStartCreatesTheConfiguredAdmin(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider, ct: Ct);
        await using var app = new SecurityTestApp(database, new Dictionary<string, string?>
        {
            ["Admin:Email"] = "boss@example.com", ["Admin:Password"] = "Configured-Passw0rd",
        });
        var client = app.CreateBrowserlikeClient();

        using var response = await SecurityTestApp.PostSignInAsync(client, "boss@example.com", "Configured-Passw0rd");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.DoesNotContain(app.Log, line => line.Contains("Configured-Passw0rd"));
        await using var scope = app.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<AppUser>>();
        var admin = await users.FindByEmailAsync("boss@example.com");
        Assert.NotNull(admin);
        Assert.True(await users.IsInRoleAsync(admin, AppRoles.Admin));
        Assert.Equal(1, await users.Users.CountAsync(Ct));
    }

    [Fact]
    public async Task FirstStartWithoutConfigurationLogsAGeneratedPasswordOnce()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite, ct: Ct);
        string password;
        await using (var app = new SecurityTestApp(database))
        {
            app.CreateClient().Dispose();
            var line = Assert.Single(app.Log, l => l.Contains("Created the first admin"));
            Assert.Contains(AdminOptions.DefaultEmail, line);
            password = System.Text.RegularExpressions.Regex.Match(line, "password (\\S+)").Groups[1].Value;
            Assert.True(password.Length >= PasswordRules.MinLength);
            using var response = await SecurityTestApp.PostSignInAsync(app.CreateBrowserlikeClient(), AdminOptions.DefaultEmail, password);
            Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        }
        // A second start finds the admin and neither creates another nor logs a password.
        await using var again = new SecurityTestApp(database);
        again.CreateClient().Dispose();
        Assert.DoesNotContain(again.Log, l => l.Contains("Created the first admin") || l.Contains(password));
    }

    [Fact]
    public async Task FiveWrongPasswordsLockTheAccountWithTheSameMessageAsAnUnknownUser()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite, ct: Ct);
        await using var app = new SecurityTestApp(database);
        var (email, password) = await app.CreateUserAsync(AppRoles.Staff);
        var client = app.CreateBrowserlikeClient();

        using var unknown = await SecurityTestApp.PostSignInAsync(client, "nobody@example.com", "Whatever-123");
        var unknownHtml = await unknown.Content.ReadAsStringAsync(Ct);
        for (var i = 0; i < SecuritySetup.MaxFailedSignIns; i++)
        {
            using var wrong = await SecurityTestApp.PostSignInAsync(client, email, "Wrong-Password-1");
            Assert.Equal(HttpStatusCode.OK, wrong.StatusCode);
            Assert.Contains(System.Net.WebUtility.HtmlEncode(SignIn.FailedMessage), await wrong.Content.ReadAsStringAsync(Ct));
        }
        using var locked = await SecurityTestApp.PostSignInAsync(client, email, password);

        Assert.Equal(HttpStatusCode.OK, locked.StatusCode);
        Assert.Contains(System.Net.WebUtility.HtmlEncode(SignIn.FailedMessage), await locked.Content.ReadAsStringAsync(Ct));
        Assert.Contains(System.Net.WebUtility.HtmlEncode(SignIn.FailedMessage), unknownHtml);
        await using var scope = app.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<AppUser>>();
        var user = await users.FindByEmailAsync(email);
        Assert.True(await users.IsLockedOutAsync(user!));
        Assert.InRange(user!.LockoutEnd!.Value - DateTimeOffset.UtcNow, TimeSpan.FromMinutes(14), TimeSpan.FromMinutes(15));
    }

    [Fact]
    public async Task BadSignInInputGetsARefusalNotAnError()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite, ct: Ct);
        await using var app = new SecurityTestApp(database);
        var client = app.CreateBrowserlikeClient();

        using var huge = await SecurityTestApp.PostSignInAsync(client, new string('a', 10_000), "x");
        Assert.Equal(HttpStatusCode.OK, huge.StatusCode);
        Assert.Contains(System.Net.WebUtility.HtmlEncode(SignIn.FailedMessage), await huge.Content.ReadAsStringAsync(Ct));

        using var noToken = await SecurityTestApp.PostSignInAsync(app.CreateBrowserlikeClient(), "a@b.c", "x", withToken: false);
        Assert.Equal(HttpStatusCode.BadRequest, noToken.StatusCode);

        var forged = app.CreateBrowserlikeClient();
        forged.DefaultRequestHeaders.Add("Cookie", "CustomerAdmin.Auth=CfDJ8forged-or-expired-cookie-value");
        using var page = await forged.GetAsync("customers", Ct);
        Assert.Equal(HttpStatusCode.Redirect, page.StatusCode);
        Assert.Contains(SecuritySetup.SignInPath, page.Headers.Location!.OriginalString);
    }

    [Fact]
    public async Task SignInPostsAreRateLimitedPerAddress()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite, ct: Ct);
        await using var app = new SecurityTestApp(database, new Dictionary<string, string?> { ["Security:SignInAttemptsPerMinute"] = "3" });
        var client = app.CreateBrowserlikeClient();
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 4; i++)
        {
            using var response = await SecurityTestApp.PostSignInAsync(client, "a@b.c", "Wrong-Password-1");
            statuses.Add(response.StatusCode);
        }
        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests], statuses);
    }

    [Fact]
    public async Task ResponsesCarrySecurityHeaders()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite, ct: Ct);
        await using var app = new SecurityTestApp(database);
        using var response = await app.CreateBrowserlikeClient().GetAsync("account/sign-in", Ct);

        // Blazor's endpoint adds its own nosniff too; every value must say the same.
        Assert.All(response.Headers.GetValues("X-Content-Type-Options"), v => Assert.Equal("nosniff", v));
        Assert.Contains("frame-ancestors 'none'", Assert.Single(response.Headers.GetValues("Content-Security-Policy")));
        Assert.Contains("strict-origin", Assert.Single(response.Headers.GetValues("Referrer-Policy")));
        var cookies = response.Headers.GetValues("Set-Cookie").Where(c => c.StartsWith("CustomerAdmin.Antiforgery")).ToList();
        Assert.NotEmpty(cookies);
        Assert.All(cookies, cookie =>
        {
            Assert.Contains("secure", cookie, StringComparison.OrdinalIgnoreCase);
            Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
            Assert.Contains("samesite=strict", cookie, StringComparison.OrdinalIgnoreCase);
        });
    }

    [Theory, InlineData(DatabaseProvider.Sqlite), InlineData(DatabaseProvider.Postgres)]
    public async Task TheLastAdminCannotLoseTheRoleOrBeLocked(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider, ct: Ct);
        await using var app = new SecurityTestApp(database, new Dictionary<string, string?>
        {
            ["Admin:Email"] = "first@example.com", ["Admin:Password"] = "Configured-Passw0rd",
        });
        var admin = app.Services.GetRequiredService<UserOperations>();
        var first = (await admin.ListAsync(Ct)).Single();

        Assert.Equal(UserOperations.LastAdminMessage, (await admin.SetRolesAsync(first.Id, [AppRoles.Staff])).Error);
        Assert.Equal(UserOperations.LastAdminMessage, (await admin.LockAsync(first.Id)).Error);

        var created = await admin.CreateAsync("second@example.com", AppRoles.Admin, password: null);
        Assert.True(created.Succeeded, created.Error);
        Assert.NotNull(created.Password);
        Assert.True((await admin.SetRolesAsync(first.Id, [AppRoles.Staff])).Succeeded);
        var second = (await admin.ListAsync(Ct)).Single(u => u.Email == "second@example.com");
        Assert.Equal(UserOperations.LastAdminMessage, (await admin.LockAsync(second.Id)).Error);
        Assert.Equal([AppRoles.Staff], (await admin.ListAsync(Ct)).Single(u => u.Id == first.Id).Roles);
    }

    [Theory, InlineData(DatabaseProvider.Sqlite), InlineData(DatabaseProvider.Postgres)]
    public async Task HistoryRecordsTheSignedInUser(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider, ct: Ct);
        var http = new HttpContextAccessor { HttpContext = new DefaultHttpContext() };
        var currentUser = new CurrentUser(http);
        AppDbContext Create() => provider == DatabaseProvider.Sqlite
            ? new SqliteAppDbContext(new DbContextOptionsBuilder<SqliteAppDbContext>().UseSqlite(database.ConnectionString).UseCustomerAdmin(null, currentUser).Options)
            : new PostgresAppDbContext(new DbContextOptionsBuilder<PostgresAppDbContext>().UseNpgsql(database.ConnectionString).UseCustomerAdmin(null, currentUser).Options);

        // A plain HTTP request: the user comes from HttpContext.
        http.HttpContext.User = Signed("staff@example.com");
        int id;
        await using (var db = Create())
        {
            var customer = TestCustomers.Individual("Ada", "Lovelace", "+12125550100");
            db.Customers.Add(customer);
            await db.SaveChangesAsync(Ct);
            id = customer.Id;
        }

        // A Blazor circuit: no HttpContext, the circuit handler supplies the user for the event being handled.
        http.HttpContext = null;
        var handler = new ActorCircuitHandler(new FixedAuthenticationState(Signed("manager@example.com")));
        await handler.CreateInboundActivityHandler(async _ =>
        {
            await using var db = Create();
            var customer = await db.Customers.SingleAsync(c => c.Id == id, Ct);
            customer.City = "London";
            await db.SaveChangesAsync(Ct);
        })(null!);

        await using var check = Create();
        var stored = await check.Customers.AsNoTracking().SingleAsync(c => c.Id == id, Ct);
        Assert.Equal("staff@example.com", stored.CreatedBy);
        Assert.Equal("manager@example.com", stored.UpdatedBy);
        var changes = await check.CustomerChanges.Where(c => c.CustomerId == id).ToListAsync(Ct);
        Assert.Contains(changes, c => c.Field == CustomerChange.CreatedField && c.ChangedBy == "staff@example.com");
        Assert.Contains(changes, c => c.Field == "City" && c.ChangedBy == "manager@example.com");
        // Outside a request and a circuit nobody is signed in, and background work says who it is.
        Assert.Equal("system", check.Actor);
    }

    private static ClaimsPrincipal Signed(string name) =>
        new(new ClaimsIdentity([new Claim(ClaimTypes.Name, name)], "Test"));

    private sealed class FixedAuthenticationState(ClaimsPrincipal user)
        : Microsoft.AspNetCore.Components.Authorization.AuthenticationStateProvider
    {
        public override Task<Microsoft.AspNetCore.Components.Authorization.AuthenticationState> GetAuthenticationStateAsync() =>
            Task.FromResult(new Microsoft.AspNetCore.Components.Authorization.AuthenticationState(user));
    }
}
