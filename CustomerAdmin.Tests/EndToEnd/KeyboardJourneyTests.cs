using System.Text.RegularExpressions;
using CustomerAdmin.Data;
using CustomerAdmin.Security;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace CustomerAdmin.Tests.EndToEnd;

/// <summary>
/// The keyboard shortcuts pressed as a user presses them, in Chromium over the demo data: <c>g</c> then a letter goes
/// to a section, <c>n</c> and <c>e</c> open a page's new and edit forms, <c>?</c> shows the help and <c>Esc</c> closes
/// it with focus back where it was; nothing fires while typing in a field; the app bar search works with arrows and Enter.
/// </summary>
public sealed class KeyboardJourneyTests(KeyboardJourneyTests.DemoServer server, Browser browser)
    : EndToEndTest(server, browser), IClassFixture<KeyboardJourneyTests.DemoServer>
{
    public sealed class DemoServer() : AppServer(demoCustomers: 300);

    private ILocator HelpDialog => Page.GetByRole(AriaRole.Dialog, new() { Name = "Keyboard shortcuts" });

    private async Task PressAsync(params string[] keys)
    {
        foreach (var key in keys)
            await Page.Keyboard.PressAsync(key);
    }

    private async Task<Customer> SomeIndividualAsync(int skip)
    {
        await using var db = Server.CreateDbContext();
        return await db.Customers.AsNoTracking()
            .Where(c => c.Type == CustomerType.Individual && c.Status == CustomerStatus.Active)
            .OrderBy(c => c.Id).Skip(skip).FirstAsync(TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task GThenALetterGoesToItsSectionAndNOnTheCustomerListOpensTheNewCustomerForm()
    {
        await Page.SignInAsAsync(Server, AppRoles.Staff);
        await Page.GotoBlazorAsync("sales");

        await PressAsync("g", "t");
        await Expect(Page).ToHaveURLAsync(new Regex("/tickets$"));
        await Expect(Page.GetByTestId("new-ticket")).ToBeVisibleAsync();
        await PressAsync("g", "e");
        await Expect(Page).ToHaveURLAsync(new Regex("/events$"));
        await PressAsync("g", "c");
        await Expect(Page).ToHaveURLAsync(new Regex("/customers$"));
        await Expect(Page.GetByTestId("customer-count")).ToHaveTextAsync(new Regex(@"^[\d,]+ customers$"));

        await PressAsync("n");
        await Expect(Page).ToHaveURLAsync(new Regex("/customers/new$"));
        await Expect(Page.Locator("#first-name")).ToBeVisibleAsync();
        Assert.Empty(ConsoleErrors);
    }

    [Fact]
    public async Task AShortcutPressedWhileThePageIsStillConnectingIsRunOnceItHasConnected()
    {
        await Page.SignInAsAsync(Server, AppRoles.Staff);
        // The prerendered page is shown before its circuit has connected: the keys arrive before the shortcuts' host.
        await Page.GotoAsync("sales");
        await PressAsync("g", "t");

        await Expect(Page).ToHaveURLAsync(new Regex("/tickets$"));
        await Expect(Page.GetByTestId("new-ticket")).ToBeVisibleAsync();
        Assert.Empty(ConsoleErrors);
    }

    [Fact]
    public async Task EOnACustomerPageOpensItsEditForm()
    {
        var customer = await SomeIndividualAsync(skip: 150);
        await Page.SignInAsAsync(Server, AppRoles.Staff);
        await Page.GotoBlazorAsync($"customers/{customer.Id}");
        await Expect(Page.GetByTestId("customer-name")).ToBeVisibleAsync();

        await PressAsync("e");

        await Expect(Page).ToHaveURLAsync(new Regex($"/customers/{customer.Id}/edit$"));
        await Expect(Page.Locator("#first-name")).ToHaveValueAsync(customer.FirstName!);
        await Expect(Page.Locator("#last-name")).ToHaveValueAsync(customer.LastName!);
        Assert.Empty(ConsoleErrors);
    }

    [Fact]
    public async Task QuestionMarkShowsTheHelpForThisPageAndEscClosesItWithFocusBack()
    {
        await Page.SignInAsAsync(Server, AppRoles.Staff);
        await Page.GotoBlazorAsync("customers");
        var newCustomer = Page.GetByRole(AriaRole.Link, new() { Name = "New customer" });
        await newCustomer.FocusAsync();

        await PressAsync("?");

        await Expect(HelpDialog).ToBeVisibleAsync();
        await Expect(HelpDialog.GetByTestId("shortcut-on-page")).ToHaveTextAsync(new Regex(@"^\s*n\s*New customer\s*$"));
        await Expect(HelpDialog).ToContainTextAsync("Go to tickets");
        await Expect(HelpDialog).Not.ToContainTextAsync("Go to dashboard");
        // Focus is in the dialog, so keys go to it and not to the page behind.
        await Expect(HelpDialog.Locator(":focus")).ToHaveCountAsync(1);
        await PressAsync("n");
        await Expect(Page).ToHaveURLAsync(new Regex("/customers$"));

        await PressAsync("Escape");

        await Expect(HelpDialog).ToHaveCountAsync(0);
        await Expect(newCustomer).ToBeFocusedAsync();

        // The same help from the account menu, for those who do not know "?".
        await Page.GetByTestId("user-menu").GetByRole(AriaRole.Button).ClickAsync();
        await Page.GetByRole(AriaRole.Menuitem, new() { Name = "Keyboard shortcuts" }).ClickAsync();
        await Expect(HelpDialog).ToBeVisibleAsync();
        // Escape goes to the dialog once its focus trap holds the focus (before that, it reaches the closing menu).
        await Expect(HelpDialog.Locator(":focus")).ToHaveCountAsync(1);
        await PressAsync("Escape");
        await Expect(HelpDialog).ToHaveCountAsync(0);
        await Expect(Page.GetByTestId("user-menu").GetByRole(AriaRole.Button)).ToBeFocusedAsync();
        Assert.Empty(ConsoleErrors);
    }

    [Fact]
    public async Task TypingTheShortcutKeysInAFieldTypesThemAndGoesNowhere()
    {
        await Page.SignInAsAsync(Server, AppRoles.Staff);
        await Page.GotoBlazorAsync("customers");
        var search = Page.Locator("#list-search");
        await search.FocusAsync();

        await PressAsync("g", "c", "g", "t", "n", "e", "?");

        await Expect(search).ToHaveValueAsync("gcgtne?");
        await Expect(Page).ToHaveURLAsync(new Regex(@"/customers(\?.*)?$"));
        await Expect(HelpDialog).ToHaveCountAsync(0);

        // Nor with Ctrl held, the browser's own shortcuts, outside a field.
        await search.BlurAsync();
        await PressAsync("Control+g", "c");
        await Expect(Page).ToHaveURLAsync(new Regex(@"/customers(\?.*)?$"));
        // Outside the field the same keys work.
        await PressAsync("g", "t");
        await Expect(Page).ToHaveURLAsync(new Regex("/tickets$"));
    }

    [Fact]
    public async Task ArrowsAndEnterInTheAppBarSearchOpenTheChosenCustomer()
    {
        var data = new TestData(Server.Services.GetRequiredService<IDbContextFactory<AppDbContext>>());
        var quills = new Dictionary<string, int>();
        foreach (var (first, phone) in new[] { ("Amos", "+12125550191"), ("Bea", "+12125550192"), ("Cyd", "+12125550193") })
            quills[$"{first} Quillfeather"] = (await data.CustomerAsync(first, "Quillfeather", phone)).Id;
        await Page.SignInAsAsync(Server, AppRoles.Staff);
        await Page.GotoBlazorAsync("customers");

        await PressAsync("/");
        await Expect(Page.Locator("#global-search")).ToBeFocusedAsync();
        // One input event: typed key by key, a search result arriving mid-word can wipe what was typed after it (a known
        // problem of the app bar search under load, separate from the arrows, reported to the lead).
        await Page.Locator("#global-search").FillAsync("quillfeather");
        var suggestions = Page.GetByTestId("suggestion");
        await Expect(suggestions).ToHaveCountAsync(3);
        var second = (await suggestions.Nth(1).Locator("b").TextContentAsync())!.Trim();
        // The first suggestion is highlighted as the list opens (Enter would open it); the arrows move the highlight.
        var options = Page.GetByRole(AriaRole.Option);
        await Expect(options.Nth(0)).ToHaveAttributeAsync("aria-selected", "true");

        await PressAsync("ArrowDown", "ArrowDown");
        await Expect(options.Nth(2)).ToHaveAttributeAsync("aria-selected", "true");
        await PressAsync("ArrowUp");
        await Expect(options.Nth(1)).ToHaveAttributeAsync("aria-selected", "true");
        await Expect(Page.Locator("#global-search")).ToHaveAttributeAsync("aria-activedescendant", (await options.Nth(1).GetAttributeAsync("id"))!);
        await PressAsync("Enter");

        await Expect(Page).ToHaveURLAsync(new Regex($"/customers/{quills[second]}$"));
        await Expect(Page.GetByTestId("customer-name")).ToHaveTextAsync(second);
        Assert.Empty(ConsoleErrors);
    }
}
