using Bunit;
using Bunit.TestDoubles;
using CustomerAdmin.Features.Customers;
using CustomerAdmin.Features.Duplicates.Scanning;
using CustomerAdmin.Security;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;

namespace CustomerAdmin.Tests.Features.Duplicates.Scanning;

/// <summary>The typing hints of the customer form and the scan panel, through the pages as staff and managers use them.</summary>
public sealed class DuplicateHintsComponentTests : AppComponentTest
{
    private static readonly string[] Firsts = ["Anna", "Boris", "Chloe", "Dmitri", "Emma", "Felix", "Gina", "Hugo", "Ines", "Jonas"];
    private static readonly string[] Lasts = ["Smith", "Brown", "Wilson", "Taylor", "Clark", "Lewis", "Walker", "Young", "King", "Wright"];

    /// <summary>A town's worth of customers: many share a surname (a hundred "Smith"s and "Brown"s…).</summary>
    private async Task AddTownAsync(int count)
    {
        for (var i = 0; i < count; i++)
            await AddCustomerAsync(Firsts[i % Firsts.Length], Lasts[i / Firsts.Length % Lasts.Length], $"+1 617 {200 + i / 100:000} {1000 + i:0000}",
                $"person{i}@town.example", "Somerville");
    }

    [Fact]
    public async Task TypingBobSmithWithASimilarPhoneShowsRobertSmithWithReasons()
    {
        await AddTownAsync(200);
        var robert = await AddCustomerAsync("Robert", "Smith", "+1 646 555 0142", "rsmith@example.com", "Boston");
        var nav = Services.GetRequiredService<NavigationManager>();

        var cut = RenderWithPopovers<CustomerEdit>();
        cut.Find("#first-name").Input("Bob");
        cut.Find("#last-name").Input("Smith");
        cut.Find("#primary-phone").Input("646-555-0143");

        cut.WaitForAssertion(() =>
        {
            var hints = cut.FindAll("[data-testid=duplicate-hint]");
            Assert.NotEmpty(hints);
            Assert.Contains("Robert Smith", hints[0].TextContent);
            // The answer for the whole draft (name and phone), not an earlier one for the name alone: under load the
            // fields can be more than the settle time apart, and the list then renders again underneath the click.
            Assert.Contains("phone differs by one digit", hints[0].QuerySelector("[data-testid=duplicate-hint-reasons]")!.TextContent);
        }, TimeSpan.FromSeconds(10));
        // Nothing was saved meanwhile, and "use this customer" opens the existing one instead.
        Assert.Equal(201, await CountCustomersAsync());
        cut.Find("[data-testid=use-customer]").Click();
        Assert.EndsWith($"/customers/{robert.Id}", nav.Uri);
    }

    [Fact]
    public async Task ADifferentPersonGetsNoHint()
    {
        await AddTownAsync(100);
        await AddCustomerAsync("Robert", "Smith", "+1 646 555 0142", "rsmith@example.com", "Boston");

        var cut = RenderWithPopovers<CustomerEdit>();
        cut.Find("#first-name").Input("Xavier");
        cut.Find("#last-name").Input("Quenneville");
        cut.Find("#primary-phone").Input("415-555-0199");
        await Task.Delay(1500, Xunit.TestContext.Current.CancellationToken);

        Assert.Empty(cut.FindAll("[data-testid=duplicate-hint]"));
    }

    [Fact]
    public async Task AManagerStartsAScanFromThePanelAndSeesItsSummary()
    {
        await AddTownAsync(60);
        await AddCustomerAsync("Robert", "Smith", "+1 646 555 0142", "rsmith@example.com", "Boston");
        await AddCustomerAsync("Bob", "Smith", "+1 646 555 0199", "rsmith@example.com", "Boston");
        SignInAs(AppRoles.Manager);

        var cut = RenderPage<DuplicateScanPanel>();
        cut.WaitForAssertion(() => Assert.Contains("No scan has run yet", cut.Find("[data-testid=scan-summary]").TextContent));
        cut.Find("[data-testid=scan-now]").Click();

        cut.WaitForAssertion(() =>
        {
            var summary = cut.Find("[data-testid=scan-summary]").TextContent;
            Assert.Contains("62 customers", summary);
            Assert.Contains("likely", summary);
        }, TimeSpan.FromSeconds(20));
        await Services.GetRequiredService<DuplicateScanner>().Running;
    }

    [Fact]
    public async Task StaffSeeNoScanButton()
    {
        await AddCustomerAsync("Robert", "Smith", "+1 646 555 0142");
        SignInAs(AppRoles.Staff);

        var cut = RenderPage<DuplicateScanPanel>();

        cut.WaitForAssertion(() => Assert.NotNull(cut.Find("[data-testid=scan-summary]")));
        Assert.Empty(cut.FindAll("[data-testid=scan-now]"));
    }

    private async Task<int> CountCustomersAsync()
    {
        await using var db = Db.Inner.CreateDbContext();
        return db.Customers.Count();
    }
}
