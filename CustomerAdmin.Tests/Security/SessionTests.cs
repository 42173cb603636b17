using System.Net;
using CustomerAdmin.Features.Users;
using CustomerAdmin.Data;
using CustomerAdmin.Security;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CustomerAdmin.Tests.Security;

/// <summary>
/// Sign-in sessions end on the server: a copy of a cookie stops working once its session is signed out, or when the
/// user's password, role or lock changes. Over HTTP (TestServer) on both databases.
/// </summary>
public sealed class SessionTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory, InlineData(DatabaseProvider.Sqlite), InlineData(DatabaseProvider.Postgres)]
    public async Task SigningOutEndsACopiedCookie(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider, ct: Ct);
        await using var app = new SecurityTestApp(database);
        var (email, password) = await app.CreateUserAsync(AppRoles.Staff);
        var browser = app.CreateBrowserlikeClient();
        using var signIn = await SecurityTestApp.PostSignInAsync(browser, email, password);
        var copy = ClientWithCookie(app, AuthCookie(signIn));
        await AssertSignedInAsync(copy);

        var page = await browser.GetStringAsync("customers", Ct);
        using var signOut = await browser.PostAsync("account/sign-out",
            new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = SignInLimitTests.Token(page) }), Ct);

        Assert.Equal(HttpStatusCode.Redirect, signOut.StatusCode);
        await AssertSentToSignInAsync(copy);
        await AssertSentToSignInAsync(browser);
        await using var db = database.CreateDbContext();
        Assert.False(await db.UserTokens.AnyAsync(t => t.LoginProvider == UserSessions.LoginProvider, Ct));
    }

    [Theory, InlineData(DatabaseProvider.Sqlite), InlineData(DatabaseProvider.Postgres)]
    public async Task ChangingThePasswordEndsTheOtherSessionsOnly(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider, ct: Ct);
        await using var app = new SecurityTestApp(database);
        var (email, password) = await app.CreateUserAsync(AppRoles.Staff);
        var laptop = app.CreateBrowserlikeClient();
        var phone = app.CreateBrowserlikeClient();
        (await SecurityTestApp.PostSignInAsync(laptop, email, password)).Dispose();
        (await SecurityTestApp.PostSignInAsync(phone, email, password)).Dispose();
        await AssertSignedInAsync(phone);

        using var changed = await SignInLimitTests.PostChangePasswordAsync(laptop, password, "Another-Passw0rd-9");

        Assert.Contains("data-testid=\"password-changed\"", await changed.Content.ReadAsStringAsync(Ct));
        await AssertSignedInAsync(laptop);
        await AssertSentToSignInAsync(phone);
    }

    [Theory, InlineData(DatabaseProvider.Sqlite), InlineData(DatabaseProvider.Postgres)]
    public async Task ChangingARoleOrLockingEndsTheUsersSessions(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider, ct: Ct);
        await using var app = new SecurityTestApp(database);
        var (email, password) = await app.CreateUserAsync(AppRoles.Manager);
        var (lockedEmail, lockedPassword) = await app.CreateUserAsync(AppRoles.Staff);
        var manager = app.CreateBrowserlikeClient();
        var staff = app.CreateBrowserlikeClient();
        (await SecurityTestApp.PostSignInAsync(manager, email, password)).Dispose();
        (await SecurityTestApp.PostSignInAsync(staff, lockedEmail, lockedPassword)).Dispose();
        await AssertSignedInAsync(manager);
        await AssertSignedInAsync(staff);
        var administration = app.Services.GetRequiredService<UserOperations>();
        var users = await administration.ListAsync(Ct);

        Assert.True((await administration.SetRolesAsync(users.Single(u => u.Email == email).Id, [AppRoles.Staff])).Succeeded);
        Assert.True((await administration.LockAsync(users.Single(u => u.Email == lockedEmail).Id)).Succeeded);

        await AssertSentToSignInAsync(manager);
        await AssertSentToSignInAsync(staff);
    }

    [Theory, InlineData(DatabaseProvider.Sqlite), InlineData(DatabaseProvider.Postgres)]
    public async Task AnOpenPageEndsWhenItsSessionIsSignedOutElsewhere(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider, ct: Ct);
        await using var app = new SecurityTestApp(database);
        var (email, password) = await app.CreateUserAsync(AppRoles.Staff);
        var browser = app.CreateBrowserlikeClient();
        (await SecurityTestApp.PostSignInAsync(browser, email, password)).Dispose();
        // The user as a circuit holds it: what the sign-in cookie says, session included.
        await using var scope = app.Services.CreateAsyncScope();
        var signIn = scope.ServiceProvider.GetRequiredService<Microsoft.AspNetCore.Identity.SignInManager<AppUser>>();
        var user = (await signIn.UserManager.FindByEmailAsync(email))!;
        var principal = await signIn.CreateUserPrincipalAsync(user);
        await using (var db = database.CreateDbContext())
        {
            var session = await db.UserTokens.SingleAsync(t => t.UserId == user.Id && t.LoginProvider == UserSessions.LoginProvider, Ct);
            ((System.Security.Claims.ClaimsIdentity)principal.Identity!).AddClaim(new(UserSessions.ClaimType, session.Name));
        }
        var circuitCheck = ActivatorUtilities.CreateInstance<RevalidatingIdentityStateProvider>(app.Services);
        var state = new Microsoft.AspNetCore.Components.Authorization.AuthenticationState(principal);
        Assert.True(await circuitCheck.IsStillValidAsync(state, Ct));

        var page = await browser.GetStringAsync("customers", Ct);
        (await browser.PostAsync("account/sign-out",
            new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = SignInLimitTests.Token(page) }), Ct)).Dispose();

        Assert.False(await circuitCheck.IsStillValidAsync(state, Ct));
    }

    [Fact]
    public async Task ASessionOlderThanTheMaximumAgeEnds()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite, ct: Ct);
        await using var app = new SecurityTestApp(database);
        var (email, password) = await app.CreateUserAsync(AppRoles.Staff);
        var browser = app.CreateBrowserlikeClient();
        (await SecurityTestApp.PostSignInAsync(browser, email, password)).Dispose();
        await AssertSignedInAsync(browser);

        await using (var db = database.CreateDbContext())
            await db.UserTokens.Where(t => t.LoginProvider == UserSessions.LoginProvider)
                .ExecuteUpdateAsync(s => s.SetProperty(t => t.Value, "2020-01-01T00:00:00.0000000Z"), Ct);

        await AssertSentToSignInAsync(browser);
    }

    [Fact]
    public async Task StaticFilesAreServedWithoutASessionLookupAndPagesStillCheck()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite, ct: Ct);
        await using var app = new SecurityTestApp(database);
        var (email, password) = await app.CreateUserAsync(AppRoles.Staff);
        var browser = app.CreateBrowserlikeClient();
        (await SecurityTestApp.PostSignInAsync(browser, email, password)).Dispose();
        await AssertSignedInAsync(browser);

        // The session ends elsewhere (another instance signed it out): only a lookup can know.
        await using (var db = database.CreateDbContext())
            await db.UserTokens.Where(t => t.LoginProvider == UserSessions.LoginProvider).ExecuteDeleteAsync(Ct);

        foreach (var file in new[] { "app.css", "app.js", "favicon.svg" })
        {
            using var response = await browser.GetAsync(file, Ct);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            // A lookup would have found the session gone and cleared the cookie in this very response.
            Assert.False(response.Headers.TryGetValues("Set-Cookie", out var cookies) && cookies.Any(c => c.StartsWith("CustomerAdmin.Auth=", StringComparison.Ordinal)),
                $"{file} looked the session up");
        }
        await AssertSentToSignInAsync(browser);
    }

    private static string AuthCookie(HttpResponseMessage signIn)
    {
        Assert.Equal(HttpStatusCode.Redirect, signIn.StatusCode);
        var cookie = signIn.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("CustomerAdmin.Auth="));
        return cookie[..cookie.IndexOf(';')];
    }

    /// <summary>Another browser holding a copy of the cookie (and nothing else).</summary>
    private static HttpClient ClientWithCookie(SecurityTestApp app, string cookie)
    {
        var client = app.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions
        {
            AllowAutoRedirect = false, HandleCookies = false, BaseAddress = new Uri("https://localhost/"),
        });
        client.DefaultRequestHeaders.Add("Cookie", cookie);
        return client;
    }

    private static async Task AssertSignedInAsync(HttpClient client)
    {
        using var page = await client.GetAsync("customers", Ct);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
    }

    private static async Task AssertSentToSignInAsync(HttpClient client)
    {
        using var page = await client.GetAsync("customers", Ct);
        Assert.Equal(HttpStatusCode.Redirect, page.StatusCode);
        Assert.Contains(SecuritySetup.SignInPath, page.Headers.Location!.OriginalString);
    }
}
