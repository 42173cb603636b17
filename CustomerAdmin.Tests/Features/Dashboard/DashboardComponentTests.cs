using Bunit;
using CustomerAdmin.Components.Layout;
using CustomerAdmin.Common;
using CustomerAdmin.Features.Dashboard;
using CustomerAdmin.Security;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace CustomerAdmin.Tests.Features.Dashboard;

/// <summary>The dashboard page over the hand-built data set of <see cref="DashboardQueryTests"/>, on 15 March 2026 in India.</summary>
public sealed class DashboardComponentTests : AppComponentTest
{
    protected override VenueOptions Venue => DashboardQueryTests.Venue;

    private async Task SeedAsync()
    {
        Services.AddSingleton<TimeProvider>(new FakeTimeProvider(DashboardQueryTests.Venue.ToUtc(new DateTime(2026, 3, 15, 12, 0, 0))));
        await using var db = Db.Inner.CreateDbContext();
        await DashboardQueryTests.SeedAsync(db, Xunit.TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task ShowsThisMonthsFiguresWithTheChangeAndLinksToTheRecords()
    {
        await SeedAsync();
        SignInAs(AppRoles.Manager);

        var cut = RenderWithPopovers<CustomerAdmin.Features.Dashboard.Dashboard>();

        cut.WaitForAssertion(() => Assert.Equal("4", cut.Find("[data-testid=figure-total-customers]").TextContent.Trim()), TimeSpan.FromSeconds(10));
        Assert.Contains("1 Mar 2026 – 31 Mar 2026 compared with 29 Jan 2026 – 28 Feb 2026", cut.Find("[data-testid=period-range]").TextContent);
        var revenue = cut.Find("[data-testid=figure-revenue]");
        Assert.Equal("$120.00", revenue.TextContent.Trim());
        Assert.Equal("/customers?bought_from=2026-03-01&bought_to=2026-03-31", revenue.GetAttribute("href"));
        Assert.Contains("▲ 50% vs $80.00", revenue.ParentElement!.TextContent.Replace("\n", " "), StringComparison.Ordinal);
        Assert.Equal("/customers?created_to=2026-03-31", cut.Find("[data-testid=figure-total-customers]").GetAttribute("href"));
        Assert.Equal("100.0%", cut.Find("[data-testid=figure-repeat-customer-rate]").TextContent.Trim());
        Assert.Equal("10", cut.Find("[data-testid=open-Open]").TextContent.Trim());
        Assert.Contains("Asha Rao", cut.Find("[data-testid=top-revenue]").TextContent);
        Assert.Contains("Spring gala", cut.Find("[data-testid=events]").TextContent);
        Assert.StartsWith("/events/", cut.Find("[data-testid=events] a").GetAttribute("href"));
        Assert.Contains("2 sent · 1 delivered · 1 failed", System.Text.RegularExpressions.Regex.Replace(cut.Find("[data-testid=sms]").TextContent, @"\s+", " "));
        Assert.Equal("/sms?from=2026-03-01&to=2026-03-31&outcome=failed", cut.Find("[data-testid=sms-failed]").GetAttribute("href"));
        Assert.Equal(["Delhi", "Mumbai", "Pune"], cut.FindAll("[data-testid=cities] tr td:first-child a").Select(a => a.TextContent.Trim()));
    }

    [Fact]
    public async Task MoreThanNTicketsNarrowsTheCitiesAndLinksToThatFilter()
    {
        await SeedAsync();
        SignInAs(AppRoles.Manager);

        var nav = Services.GetRequiredService<Microsoft.AspNetCore.Components.NavigationManager>();
        nav.NavigateTo("/dashboard?tickets=10");
        var cut = Render<CustomerAdmin.Features.Dashboard.Dashboard>();

        cut.WaitForAssertion(() => Assert.Single(cut.FindAll("[data-testid=cities] tr td:first-child a")), TimeSpan.FromSeconds(10));
        var mumbai = cut.Find("[data-testid=cities] tr td:first-child a");
        Assert.Equal("Mumbai", mumbai.TextContent.Trim());
        Assert.Equal("/customers?city=Mumbai&tickets_min=11", mumbai.GetAttribute("href"));
    }

    [Fact]
    public void NavigationShowsTheDashboardToManagersOnly()
    {
        Assert.Empty(Render<NavMenu>().FindAll("[data-testid=nav-dashboard]"));
        SignInAs(AppRoles.Manager);
        Assert.Single(Render<NavMenu>().FindAll("[data-testid=nav-dashboard]"));
    }
}
