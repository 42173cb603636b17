using CustomerAdmin.Data;
using CustomerAdmin.Security;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static Microsoft.Playwright.Assertions;

namespace CustomerAdmin.Tests.EndToEnd;

/// <summary>A manager filters the customer list, selects all 10,000 customers matching it, tags them all and watches it run.</summary>
public sealed class BulkJourneyTests(AppServer server, Browser browser)
    : EndToEndTest(server, browser), IClassFixture<AppServer>
{
    [Fact]
    public async Task ManagerTagsAllCustomersMatchingAFilterAndSeesProgressAndTheResult()
    {
        var ct = TestContext.Current.CancellationToken;
        var data = new TestData(Server.Services.GetRequiredService<IDbContextFactory<AppDbContext>>());
        await data.ManyCustomersAsync(10_050, (i, c) => c.City = i < 10_000 ? "Springfield" : "Shelbyville");

        var manager = await Page.SignInAsAsync(Server, AppRoles.Manager);
        await Page.GotoBlazorAsync("customers?city=Springfield");
        await Expect(Page.GetByTestId("customer-count")).ToHaveTextAsync("10,000 customers");
        await Page.GetByRole(Microsoft.Playwright.AriaRole.Checkbox, new() { Name = "Select every customer on this page" }).CheckAsync();
        await Expect(Page.GetByTestId("bulk-selected")).ToHaveTextAsync("25 selected");
        await Page.GetByTestId("bulk-select-all").ClickAsync();
        await Expect(Page.GetByTestId("bulk-selected")).ToHaveTextAsync("All 10,000 customers matching this filter selected");

        await Page.GetByTestId("bulk-add-tags").ClickAsync();
        await Page.Locator("#bulk-tags").FillAsync("Spring drive");
        await Page.GetByTestId("bulk-tags-add").ClickAsync();
        await Expect(Page.GetByTestId("tag-chip")).ToHaveTextAsync("Spring drive");
        await Page.GetByTestId("bulk-preview").ClickAsync();
        await Expect(Page.GetByTestId("bulk-preview-result")).ToContainTextAsync("This will change 10,000 customers; 0 unchanged.");
        await Page.GetByTestId("bulk-apply").ClickAsync();

        await Expect(Page.GetByTestId("bulk-progress")).ToBeVisibleAsync();
        await Expect(Page.GetByTestId("bulk-progress-text")).ToHaveTextAsync(
            "Done (add the tag \"Spring drive\"): 10,000 customers changed, 0 unchanged, 0 refused.", new() { Timeout = 180_000 });

        // The result is still there after going elsewhere and coming back, and the list finds the customers by their new tag.
        await Page.GotoBlazorAsync("customers?tag=spring%20drive");
        await Expect(Page.GetByTestId("customer-count")).ToHaveTextAsync("10,000 customers");
        await Expect(Page.GetByTestId("bulk-progress-text")).ToContainTextAsync("10,000 customers changed");
        await using (var db = Server.CreateDbContext())
        {
            Assert.Equal(10_000, await db.CustomerChanges.CountAsync(h => h.Field == nameof(Customer.Tags) && h.NewValue == "Spring drive"
                && h.ChangedBy == manager, ct));
            Assert.Equal(0, await db.Customers.CountAsync(c => c.City == "Shelbyville" && c.Tags != null, ct));
        }
        Assert.Empty(ConsoleErrors);
    }
}
