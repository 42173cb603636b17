using System.Net;
using System.Text.RegularExpressions;
using CustomerAdmin.Features.Account;
using CustomerAdmin.Data;
using CustomerAdmin.Security;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;

namespace CustomerAdmin.Tests.Security;

/// <summary>
/// The limits on password attempts over HTTP (TestServer): per address by endpoint, per account from anywhere, the
/// lockout, and one password hash per attempt whatever the outcome.
/// </summary>
public sealed class SignInLimitTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static readonly string Failed = WebUtility.HtmlEncode(SignIn.FailedMessage);

    [Fact]
    public async Task PasswordPostsAreLimitedPerAddressWhateverThePathSpelling()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite, ct: Ct);
        await using var app = new SecurityTestApp(database, new Dictionary<string, string?> { ["Security:SignInAttemptsPerMinute"] = "3" });
        var client = app.CreateBrowserlikeClient();
        var statuses = new List<HttpStatusCode>();
        var answers = new List<string>();
        string[] paths = ["account/sign-in/", "Account/Sign-In", "ACCOUNT/SIGN-IN/", "account/sign-in"];
        for (var i = 0; i < paths.Length; i++)
        {
            using var response = await SecurityTestApp.PostSignInAsync(client, $"nobody{i}@example.com", "Wrong-Password-1", path: paths[i]);
            statuses.Add(response.StatusCode);
            answers.Add(await response.Content.ReadAsStringAsync(Ct));
        }

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests], statuses);
        // Each spelling reached the sign-in form and was a real attempt.
        Assert.All(answers.Take(3), html => Assert.Contains(Failed, html));
    }

    [Fact]
    public async Task ATrailingSlashSignInIsCountedAndStillSignsIn()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite, ct: Ct);
        await using var app = new SecurityTestApp(database, new Dictionary<string, string?> { ["Security:SignInAttemptsPerMinute"] = "2" });
        var (email, password) = await app.CreateUserAsync(AppRoles.Staff);
        var client = app.CreateBrowserlikeClient();

        using var signedIn = await SecurityTestApp.PostSignInAsync(client, email, password, path: "account/sign-in/");
        using var wrong = await SecurityTestApp.PostSignInAsync(client, email, "Wrong-Password-1", path: "account/sign-in/");
        using var refused = await SecurityTestApp.PostSignInAsync(client, email, password, path: "account/sign-in/");

        Assert.Equal(HttpStatusCode.Redirect, signedIn.StatusCode);
        Assert.Equal(HttpStatusCode.OK, wrong.StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
    }

    [Fact]
    public async Task PasswordAttemptsAreLimitedPerAccountHoweverTheNameIsSpelt()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite, ct: Ct);
        await using var app = new SecurityTestApp(database, new Dictionary<string, string?>
        {
            ["Security:SignInAttemptsPerMinute"] = "1000", ["Security:SignInAttemptsPerAccountPerMinute"] = "3",
        });
        var (email, password) = await app.CreateUserAsync(AppRoles.Staff);
        string[] spellings = [email, email.ToUpperInvariant(), $"  {email} "];
        foreach (var spelling in spellings)
        {
            // A new client each time, as from another browser: only the account name ties the attempts together.
            using var wrong = await SecurityTestApp.PostSignInAsync(app.CreateBrowserlikeClient(), spelling, "Wrong-Password-1");
            Assert.Contains(Failed, await wrong.Content.ReadAsStringAsync(Ct));
        }

        using var throttled = await SecurityTestApp.PostSignInAsync(app.CreateBrowserlikeClient(), email, password);
        using var otherAccount = await SecurityTestApp.PostSignInAsync(app.CreateBrowserlikeClient(), "someone-else@example.com", "Wrong-Password-1");

        Assert.Equal(HttpStatusCode.OK, throttled.StatusCode);
        Assert.Contains(WebUtility.HtmlEncode(SignInThrottle.Message), await throttled.Content.ReadAsStringAsync(Ct));
        Assert.Contains(Failed, await otherAccount.Content.ReadAsStringAsync(Ct));
        // The refused attempt checked no password: it neither signed in nor counted towards the lockout.
        var user = await FindUserAsync(app, email);
        Assert.Equal(3, user.AccessFailedCount);
        Assert.Null(user.LockoutEnd);
    }

    [Fact]
    public async Task EveryFailedSignInVerifiesExactlyOnePasswordHash()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite, ct: Ct);
        var hasher = new CountingPasswordHasher();
        await using var app = new SecurityTestApp(database,
            services: s => s.AddSingleton<IPasswordHasher<AppUser>>(hasher));
        var (email, password) = await app.CreateUserAsync(AppRoles.Staff);
        var client = app.CreateBrowserlikeClient();

        async Task<int> VerificationsForAsync(string name, string attempt)
        {
            var before = hasher.Verifications;
            using var response = await SecurityTestApp.PostSignInAsync(client, name, attempt);
            Assert.Contains(Failed, await response.Content.ReadAsStringAsync(Ct));
            return hasher.Verifications - before;
        }

        Assert.Equal(1, await VerificationsForAsync("nobody@example.com", "Wrong-Password-1"));
        for (var i = 0; i < SecuritySetup.MaxFailedSignIns; i++)
            Assert.Equal(1, await VerificationsForAsync(email, "Wrong-Password-1"));
        Assert.True((await FindUserAsync(app, email)).LockoutEnd > DateTimeOffset.UtcNow);
        Assert.Equal(1, await VerificationsForAsync(email, password));
        Assert.Equal(1, await VerificationsForAsync(email, "Wrong-Password-1"));
    }

    [Fact]
    public async Task AttemptsOnALockedAccountDoNotExtendTheLock()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite, ct: Ct);
        await using var app = new SecurityTestApp(database, new Dictionary<string, string?>
        {
            ["Security:SignInAttemptsPerMinute"] = "1000", ["Security:SignInAttemptsPerAccountPerMinute"] = "1000",
        });
        var (email, _) = await app.CreateUserAsync(AppRoles.Staff);
        var client = app.CreateBrowserlikeClient();
        for (var i = 0; i < SecuritySetup.MaxFailedSignIns; i++)
            (await SecurityTestApp.PostSignInAsync(client, email, "Wrong-Password-1")).Dispose();
        var lockedUntil = (await FindUserAsync(app, email)).LockoutEnd;

        for (var i = 0; i < 20; i++)
            (await SecurityTestApp.PostSignInAsync(client, email, "Wrong-Password-1")).Dispose();

        Assert.NotNull(lockedUntil);
        Assert.InRange(lockedUntil.Value - DateTimeOffset.UtcNow, TimeSpan.FromMinutes(14), SecuritySetup.LockoutDuration);
        Assert.Equal(lockedUntil, (await FindUserAsync(app, email)).LockoutEnd);
    }

    [Fact]
    public async Task WrongCurrentPasswordsOnChangePasswordLockTheAccountAndSignOut()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite, ct: Ct);
        await using var app = new SecurityTestApp(database, new Dictionary<string, string?> { ["Security:SignInAttemptsPerMinute"] = "1000" });
        var (email, password) = await app.CreateUserAsync(AppRoles.Staff);
        var client = app.CreateBrowserlikeClient();
        (await SecurityTestApp.PostSignInAsync(client, email, password)).Dispose();

        var answers = new List<string>();
        for (var i = 0; i < SecuritySetup.MaxFailedSignIns; i++)
        {
            using var response = await PostChangePasswordAsync(client, "Wrong-Password-1", "New-Passw0rd-Long");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            answers.Add(await response.Content.ReadAsStringAsync(Ct));
        }

        Assert.All(answers.SkipLast(1), html => Assert.Contains("The current password is not right.", html));
        Assert.Contains(WebUtility.HtmlEncode(ChangePassword.LockedMessage), answers[^1]);
        Assert.True((await FindUserAsync(app, email)).LockoutEnd > DateTimeOffset.UtcNow);
        using var page = await client.GetAsync("customers", Ct);
        Assert.Equal(HttpStatusCode.Redirect, page.StatusCode);
        Assert.Contains(SecuritySetup.SignInPath, page.Headers.Location!.OriginalString);
    }

    [Fact]
    public async Task ChangePasswordShowsEachRefusalAtItsField()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite, ct: Ct);
        await using var app = new SecurityTestApp(database, new Dictionary<string, string?> { ["Security:SignInAttemptsPerMinute"] = "1000" });
        var (email, password) = await app.CreateUserAsync(AppRoles.Staff);
        var client = app.CreateBrowserlikeClient();
        (await SecurityTestApp.PostSignInAsync(client, email, password)).Dispose();

        using var wrong = await PostChangePasswordAsync(client, "Wrong-Password-1", "New-Passw0rd-Long");
        using var weak = await PostChangePasswordAsync(client, password, "aaaaaaaaaaaaaaaa");

        // Between the field's input and the next field's label: under the field it is about.
        static string Field(string html, string id, string next) =>
            html[html.IndexOf($"id=\"{id}\"", StringComparison.Ordinal)..html.IndexOf($"for=\"{next}\"", StringComparison.Ordinal)];
        var wrongHtml = await wrong.Content.ReadAsStringAsync(Ct);
        Assert.Contains("The current password is not right.", Field(wrongHtml, "current-password", "new-password"));
        Assert.DoesNotContain("data-testid=\"password-form-errors\"", wrongHtml);
        var weakHtml = await weak.Content.ReadAsStringAsync(Ct);
        Assert.Contains("uppercase", Field(weakHtml, "new-password", "confirm-password"));
        Assert.DoesNotContain("data-testid=\"password-changed\"", weakHtml);
    }

    [Fact]
    public async Task ChangePasswordPostsAreRateLimited()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite, ct: Ct);
        await using var app = new SecurityTestApp(database, new Dictionary<string, string?> { ["Security:SignInAttemptsPerMinute"] = "3" });
        var (email, password) = await app.CreateUserAsync(AppRoles.Staff);
        var client = app.CreateBrowserlikeClient();
        (await SecurityTestApp.PostSignInAsync(client, email, password)).Dispose();

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 3; i++)
        {
            using var response = await PostChangePasswordAsync(client, "Wrong-Password-1", "New-Passw0rd-Long", path: "Account/Password/");
            statuses.Add(response.StatusCode);
        }

        // The sign-in took the first of the address's three password posts.
        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests], statuses);
    }

    [Fact]
    public async Task ChangePasswordAttemptsShareTheAccountLimit()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite, ct: Ct);
        await using var app = new SecurityTestApp(database, new Dictionary<string, string?>
        {
            ["Security:SignInAttemptsPerMinute"] = "1000", ["Security:SignInAttemptsPerAccountPerMinute"] = "2",
        });
        var (email, password) = await app.CreateUserAsync(AppRoles.Staff);
        var client = app.CreateBrowserlikeClient();
        (await SecurityTestApp.PostSignInAsync(client, email, password)).Dispose();

        using var wrong = await PostChangePasswordAsync(client, "Wrong-Password-1", "New-Passw0rd-Long");
        using var throttled = await PostChangePasswordAsync(client, password, "New-Passw0rd-Long");

        Assert.Contains("The current password is not right.", await wrong.Content.ReadAsStringAsync(Ct));
        Assert.Contains(WebUtility.HtmlEncode(SignInThrottle.Message), await throttled.Content.ReadAsStringAsync(Ct));
        await using var scope = app.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<AppUser>>();
        Assert.True(await users.CheckPasswordAsync((await users.FindByEmailAsync(email))!, password));
    }

    /// <summary>Posts the change-password form with the token from the page, as the browser does.</summary>
    internal static async Task<HttpResponseMessage> PostChangePasswordAsync(HttpClient client, string current, string next,
        string path = "account/password")
    {
        var page = await client.GetStringAsync("account/password", Ct);
        var form = new Dictionary<string, string>
        {
            ["_handler"] = "change-password", ["Input.CurrentPassword"] = current, ["Input.NewPassword"] = next,
            ["Input.ConfirmPassword"] = next, ["__RequestVerificationToken"] = Token(page),
        };
        return await client.PostAsync(path, new FormUrlEncodedContent(form), Ct);
    }

    internal static string Token(string html) => WebUtility.HtmlDecode(
        Regex.Match(html, "name=\"__RequestVerificationToken\" value=\"([^\"]+)\"").Groups[1].Value);

    private static async Task<AppUser> FindUserAsync(SecurityTestApp app, string email)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<AppUser>>();
        return (await users.FindByEmailAsync(email))!;
    }

    /// <summary>The real hasher, counting how often a password is checked against a hash.</summary>
    private sealed class CountingPasswordHasher : IPasswordHasher<AppUser>
    {
        private readonly PasswordHasher<AppUser> _inner = new();
        private int _verifications;

        public int Verifications => Volatile.Read(ref _verifications);

        public string HashPassword(AppUser user, string password) => _inner.HashPassword(user, password);

        public PasswordVerificationResult VerifyHashedPassword(AppUser user, string hashedPassword, string providedPassword)
        {
            Interlocked.Increment(ref _verifications);
            return _inner.VerifyHashedPassword(user, hashedPassword, providedPassword);
        }
    }
}
