using System.Net;
using CustomerAdmin.Security;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace CustomerAdmin.Tests.EndToEnd;

/// <summary>Users for browser tests, and signing in through the real sign-in page.</summary>
public static class SignInExtensions
{
    /// <summary>Creates a user with a random password and one role in the server's database.</summary>
    public static async Task<(string Email, string Password)> CreateUserAsync(this AppServer server, string role)
    {
        var email = $"{role.ToLowerInvariant()}-{Guid.NewGuid():N}@test.local";
        var password = PasswordRules.Generate();
        await using var scope = server.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<AppUser>>();
        var user = new AppUser { UserName = email, Email = email, EmailConfirmed = true };
        var created = await users.CreateAsync(user, password);
        Assert.True(created.Succeeded, string.Join(" ", created.Errors.Select(e => e.Description)));
        Assert.True((await users.AddToRoleAsync(user, role)).Succeeded);
        return (email, password);
    }

    /// <summary>
    /// A plain HTTP client (no browser) signed in as a new user with <paramref name="role"/> through the real sign-in
    /// form, keeping its cookies, for downloads and headers over Kestrel.
    /// </summary>
    public static async Task<HttpClient> SignedInHttpClientAsync(this AppServer server, string role)
    {
        var (email, password) = await server.CreateUserAsync(role);
        var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, CookieContainer = new CookieContainer() })
        {
            BaseAddress = server.BaseUrl,
        };
        using var response = await SecurityTestApp.PostSignInAsync(client, email, password);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        return client;
    }

    /// <summary>Fills and posts the (static) sign-in page; does not wait for any particular page afterwards.</summary>
    public static async Task SubmitSignInAsync(this IPage page, string email, string password)
    {
        await page.GotoAsync("account/sign-in");
        await page.Locator("#email").FillAsync(email);
        await page.Locator("#password").FillAsync(password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
    }

    /// <summary>Creates a user with <paramref name="role"/>, signs in as them and waits for the customer list.</summary>
    public static async Task<string> SignInAsAsync(this IPage page, AppServer server, string role)
    {
        var (email, password) = await server.CreateUserAsync(role);
        await page.SubmitSignInAsync(email, password);
        // Only until the next document is committed: what counts is that it turns interactive (WaitForBlazorAsync).
        // Waiting for its "load" event as well once hung for 30 s in CI although the server had signed the user in.
        await page.WaitForURLAsync(url => !url.Contains("/account/sign-in"), new() { WaitUntil = WaitUntilState.Commit });
        await page.WaitForBlazorAsync();
        return email;
    }
}
