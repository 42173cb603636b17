using CustomerAdmin.Features.Account;
using CustomerAdmin.Security;
using Microsoft.Playwright;

namespace CustomerAdmin.Tests.EndToEnd;

public sealed class SignInTests(AppServer server, Browser browser)
    : EndToEndTest(server, browser), IClassFixture<AppServer>
{
    [Fact]
    public async Task AWrongPasswordShowsTheMessage()
    {
        var (email, _) = await Server.CreateUserAsync(AppRoles.Staff);

        await Page.SubmitSignInAsync(email, "Not-The-Passw0rd");

        await Assertions.Expect(Page.GetByTestId("sign-in-error")).ToHaveTextAsync(SignIn.FailedMessage);
        Assert.Contains("/account/sign-in", Page.Url);
    }

    [Fact]
    public async Task StaffSeeNoUsersLinkAndAreRefusedOnItsUrl()
    {
        await Page.SignInAsAsync(Server, AppRoles.Staff);

        await Assertions.Expect(Page.GetByRole(AriaRole.Link, new() { Name = "Customers", Exact = true })).ToBeVisibleAsync();
        await Assertions.Expect(Page.GetByTestId("nav-users")).ToHaveCountAsync(0);

        var response = await Page.GotoAsync("users");
        Assert.Equal(403, response?.Status);
        await Assertions.Expect(Page.GetByTestId("access-denied")).ToBeVisibleAsync();
    }

    [Fact]
    public async Task AnAdminCreatesAUser()
    {
        await Page.SignInAsAsync(Server, AppRoles.Admin);
        await Page.GetByTestId("nav-users").ClickAsync();
        await Assertions.Expect(Page.GetByRole(AriaRole.Heading, new() { Name = "Users" })).ToBeVisibleAsync();

        var email = $"new-{Guid.NewGuid():N}@test.local";
        await Page.Locator("#new-user-email").FillAsync(email);
        await Page.GetByTestId("create-user").ClickAsync();

        await Assertions.Expect(Page.Locator($"[data-testid=user-row][data-email='{email}']")).ToBeVisibleAsync();
        await Assertions.Expect(Page.GetByTestId("new-password")).ToContainTextAsync(email);
    }

    [Fact]
    public async Task SigningOutEndsTheSession()
    {
        await Page.SignInAsAsync(Server, AppRoles.Staff);

        await Page.GetByTestId("sign-out").ClickAsync();
        await Page.WaitForURLAsync(url => url.Contains("/account/sign-in"));

        await Page.GotoAsync("customers");
        Assert.Contains("/account/sign-in", Page.Url);
    }
}
