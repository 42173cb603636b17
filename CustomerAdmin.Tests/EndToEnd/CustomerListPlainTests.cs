using System.Text.RegularExpressions;
using CustomerAdmin.Data;
using CustomerAdmin.Security;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace CustomerAdmin.Tests.EndToEnd;

/// <summary>
/// What the customer list and the navigation draw without a component per checkbox, filter and link (issue #19's memory
/// per idle circuit) still works as before in a browser: ticking by mouse and keyboard, the filters behind their button,
/// the current page marked in the navigation and a phone's drawer closing when a link is followed.
/// </summary>
public sealed class CustomerListPlainTests(AppServer server, Browser browser)
    : EndToEndTest(server, browser), IClassFixture<AppServer>
{
    private async Task<string> CityWithCustomersAsync(int count, string areaCode, Action<int, Customer>? with = null)
    {
        var city = "Plainville" + Guid.NewGuid().ToString("N")[..6];
        var data = new TestData(Server.Services.GetRequiredService<IDbContextFactory<AppDbContext>>());
        await data.ManyCustomersAsync(count, (i, c) =>
        {
            c.City = city;
            c.PrimaryPhone = $"+1{areaCode}{i:D7}";
            with?.Invoke(i, c);
        });
        return city;
    }

    [Fact]
    public async Task RowCheckboxesTickByClickSpaceAndEnterWithoutOpeningTheCustomerAndTheHeaderTicksThePage()
    {
        var city = await CityWithCustomersAsync(30, "313");
        await Page.SignInAsAsync(Server, AppRoles.Staff);
        await Page.GotoBlazorAsync($"customers?city={city}");
        await Expect(Page.GetByTestId("customer-count")).ToHaveTextAsync("30 customers");
        var rows = Page.Locator("input[data-testid=select-row]");
        await Expect(rows).ToHaveCountAsync(25);

        await Page.GetByRole(AriaRole.Checkbox, new() { Name = "Select Bulk0 Customer0", Exact = true }).ClickAsync();
        await Expect(Page.GetByTestId("bulk-selected")).ToHaveTextAsync("1 selected");
        Assert.Contains("/customers?", Page.Url);
        await Expect(rows.Nth(0)).ToBeCheckedAsync();

        await rows.Nth(1).FocusAsync();
        await Page.Keyboard.PressAsync("Space");
        await Expect(Page.GetByTestId("bulk-selected")).ToHaveTextAsync("2 selected");
        await rows.Nth(2).FocusAsync();
        await Page.Keyboard.PressAsync("Enter");
        await Expect(Page.GetByTestId("bulk-selected")).ToHaveTextAsync("3 selected");
        await Page.Keyboard.PressAsync("Delete");
        await Expect(Page.GetByTestId("bulk-selected")).ToHaveTextAsync("2 selected");
        await Expect(rows.Nth(2)).Not.ToBeCheckedAsync();

        await Page.GetByRole(AriaRole.Checkbox, new() { Name = "Select every customer on this page" }).CheckAsync();
        await Expect(Page.GetByTestId("bulk-selected")).ToHaveTextAsync("25 selected");
        for (var i = 0; i < 25; i++) await Expect(rows.Nth(i)).ToBeCheckedAsync();
        await Page.GetByRole(AriaRole.Checkbox, new() { Name = "Select every customer on this page" }).UncheckAsync();
        await Expect(Page.GetByTestId("bulk-bar")).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task TheFiltersOpenBehindTheirButtonFilterAndWhenClosedShowTheOnesInUseAsChipsThatTakeThemOff()
    {
        var city = await CityWithCustomersAsync(30, "314", (i, c) => c.Tier = i < 10 ? CustomerTier.Vip : CustomerTier.Standard);
        await Page.SignInAsAsync(Server, AppRoles.Staff);
        await Page.GotoBlazorAsync($"customers?city={city}");
        await Expect(Page.GetByTestId("customer-count")).ToHaveTextAsync("30 customers");
        var toggle = Page.GetByTestId("filters-toggle");
        await Expect(toggle).ToHaveTextAsync("Filters (1)");
        await Expect(toggle).ToHaveAttributeAsync("aria-expanded", "false");
        await Expect(Page.GetByTestId("active-filter")).ToHaveTextAsync($"City: {city}");
        await Expect(Page.GetByLabel("Tier", new() { Exact = true })).ToHaveCountAsync(0);

        await toggle.ClickAsync();
        await Expect(toggle).ToHaveAttributeAsync("aria-expanded", "true");
        await Expect(Page.GetByTestId("active-filter")).ToHaveCountAsync(0);
        await Page.GetByLabel("Tier", new() { Exact = true }).ClickAsync();
        await Page.Locator(".mud-popover-open .mud-list-item", new() { HasText = "VIP" }).ClickAsync();
        await Expect(Page.GetByTestId("customer-count")).ToHaveTextAsync("10 customers");
        Assert.Contains("tier=vip", Page.Url);

        await toggle.ClickAsync();
        await Expect(toggle).ToHaveTextAsync("Filters (2)");
        await Expect(Page.GetByTestId("active-filter")).ToHaveTextAsync(["Tier: VIP", $"City: {city}"]);
        await Page.GetByTestId("active-filter").Filter(new() { HasText = "Tier: VIP" }).Locator(".mud-chip-close-button").ClickAsync();
        await Expect(Page.GetByTestId("customer-count")).ToHaveTextAsync("30 customers");
        await Expect(toggle).ToHaveTextAsync("Filters (1)");
        Assert.DoesNotContain("tier=", Page.Url);
    }

    [Fact]
    public async Task TheNavigationMarksTheCurrentPageAndOnAPhoneClosesWhenALinkIsFollowed()
    {
        await Page.SignInAsAsync(Server, AppRoles.Staff);
        await Page.GotoBlazorAsync("customers");
        await Expect(Page.GetByTestId("nav-customers")).ToHaveAttributeAsync("aria-current", "page");
        await Expect(Page.GetByTestId("nav-tickets")).Not.ToHaveAttributeAsync("aria-current", "page");
        await Page.GetByTestId("nav-tickets").ClickAsync();
        await Page.WaitForURLAsync(new Regex("/tickets$"));
        await Expect(Page.GetByTestId("nav-tickets")).ToHaveClassAsync(new Regex(@"\bactive\b"));
        await Expect(Page.GetByTestId("nav-customers")).Not.ToHaveClassAsync(new Regex(@"\bactive\b"));

        var phone = await Browser.NewPageAsync(Server.BaseUrl, PhoneWidthTests.Phone);
        try
        {
            await phone.SignInAsAsync(Server, AppRoles.Staff);
            await phone.GotoBlazorAsync("customers");
            var drawer = phone.Locator(".mud-drawer");
            if (!await drawer.EvaluateAsync<bool>("d => d.classList.contains('mud-drawer--open')"))
                await phone.GetByLabel("Toggle navigation").ClickAsync();
            await Expect(drawer).ToHaveClassAsync(new Regex("mud-drawer--open"));
            await phone.GetByTestId("nav-events").ClickAsync();
            await phone.WaitForURLAsync(new Regex("/events$"));
            await Expect(drawer).ToHaveClassAsync(new Regex("mud-drawer--closed"));
        }
        finally
        {
            await phone.Context.CloseAsync();
        }
    }
}
