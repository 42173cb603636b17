using System.Text.RegularExpressions;
using CustomerAdmin.Security;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace CustomerAdmin.Tests.EndToEnd;

/// <summary>The foundation's promise, driven through the real app in Chromium.</summary>
public sealed class CustomerJourneyTests(AppServer server, Browser browser)
    : EndToEndTest(server, browser), IClassFixture<AppServer>
{
    [Fact]
    public async Task CreateFindByLastPhoneDigitsChangePhoneAndSeeOldPhoneInHistory()
    {
        var staff = await Page.SignInAsAsync(Server, AppRoles.Staff);

        // Create.
        await Page.GotoBlazorAsync("customers/new");
        await Page.Locator("#first-name").FillAsync("Ada");
        await Page.Locator("#last-name").FillAsync("Lovelace");
        await Page.Locator("#primary-phone").FillAsync("(212) 555-0142");
        await Page.Locator("[data-testid=save]").ClickAsync();
        await Expect(Page).ToHaveURLAsync(new Regex(@"/customers/\d+$"));
        await Expect(Page.Locator("[data-testid=customer-name]")).ToHaveTextAsync("Ada Lovelace");
        var profileUrl = Page.Url;

        // Find it from anywhere: "/" focuses the app bar search, the last digits find it, Enter opens it.
        await Page.GotoBlazorAsync("customers");
        await Page.Locator("body").PressAsync("/");
        await Expect(Page.Locator("#global-search")).ToBeFocusedAsync();
        await Page.Locator("#global-search").FillAsync("0142");
        var suggestion = Page.Locator("[data-testid=suggestion]").Filter(new() { HasText = "Ada Lovelace" });
        await Expect(suggestion).ToBeVisibleAsync();
        await Expect(suggestion).ToContainTextAsync("(212) 555-0142");
        await Page.Keyboard.PressAsync("ArrowDown");
        await Page.Keyboard.PressAsync("Enter");
        await Expect(Page).ToHaveURLAsync(profileUrl);

        // Change the phone.
        await Page.GetByRole(AriaRole.Link, new() { Name = "Edit" }).ClickAsync();
        await Page.Locator("#primary-phone").FillAsync("+1 646 555 0199");
        await Page.Locator("[data-testid=save]").ClickAsync();
        await Expect(Page).ToHaveURLAsync(profileUrl);
        await Expect(Page.Locator("[data-testid=primary-phone]")).ToContainTextAsync("(646) 555-0199");

        // The history keeps the old number.
        await Page.GetByRole(AriaRole.Link, new() { Name = "History" }).ClickAsync();
        var phoneChange = Page.Locator("[data-testid=changes] tr").Filter(new() { HasText = "Phone" });
        await Expect(phoneChange).ToContainTextAsync("(212) 555-0142");
        await Expect(phoneChange).ToContainTextAsync("(646) 555-0199");
        await Expect(phoneChange).ToContainTextAsync(staff);
        Assert.Empty(ConsoleErrors);
    }
}
