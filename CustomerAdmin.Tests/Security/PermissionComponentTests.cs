using Bunit;
using CustomerAdmin.Components.Layout;
using CustomerAdmin.Features.Customers;
using CustomerAdmin.Features.Customers.Search;
using CustomerAdmin.Data;
using CustomerAdmin.Security;

namespace CustomerAdmin.Tests.Security;

public sealed class PermissionComponentTests : AppComponentTest
{
    [Fact]
    public void NavigationShowsUsersOnlyToAdmins()
    {
        var staff = Render<NavMenu>();
        Assert.Contains("Customers", staff.Markup);
        Assert.Empty(staff.FindAll("[data-testid=nav-users]"));

        SignInAs(AppRoles.Admin);
        var admin = Render<NavMenu>();
        Assert.Single(admin.FindAll("[data-testid=nav-users]"));
    }

    [Fact]
    public void NavigationReadsTheRightsWithoutAnAuthorizeViewPerGroup()
    {
        SignInAs(AppRoles.Manager);
        var manager = Render<NavMenu>();

        // Each AuthorizeView was a component (ten in the navigation) that every circuit keeps for its whole life.
        Assert.Empty(manager.FindComponents<Microsoft.AspNetCore.Components.Authorization.AuthorizeView>());
        Assert.Single(manager.FindAll("[data-testid=nav-dashboard]"));
        Assert.Single(manager.FindAll("[data-testid=nav-duplicates]"));
        Assert.Empty(manager.FindAll("[data-testid=nav-users]"));
        Assert.Empty(manager.FindAll("[data-testid=nav-webhooks]"));
    }

    [Theory]
    [InlineData(AppRoles.Staff, 7)]
    [InlineData(AppRoles.Manager, 10)]
    [InlineData(AppRoles.Admin, 18)]
    public void NavigationShowsExactlyTheLinksTheRolesPermissionsAllow(string role, int links)
    {
        SignInAs(role);
        var menu = Render<NavMenu>();

        var expected = NavMenu.Links.Where(l => Permissions.Roles[l.Permission].Contains(role)).Select(l => l.Href).ToList();
        Assert.Equal(expected, menu.FindAll("a.mud-nav-link").Select(a => a.GetAttribute("href")));
        Assert.Equal(links, expected.Count);
        // Every link is a page: a route exists for its address.
        var routes = typeof(NavMenu).Assembly.GetTypes()
            .SelectMany(t => t.GetCustomAttributes(typeof(Microsoft.AspNetCore.Components.RouteAttribute), false))
            .Cast<Microsoft.AspNetCore.Components.RouteAttribute>().Select(r => r.Template).ToHashSet();
        Assert.All(NavMenu.Links, l => Assert.Contains(l.Href, routes));
    }

    [Fact]
    public async Task StaffSeeNoDeleteButtonAndCannotRestore()
    {
        var customer = await AddCustomerAsync("Ada", "Lovelace", "+1 212 555 0100");
        var cut = Render<CustomerDetail>(p => p.Add(c => c.Id, customer.Id));
        cut.WaitForAssertion(() => Assert.Contains("Ada Lovelace", cut.Markup));
        Assert.DoesNotContain(cut.FindAll("button"), b => b.TextContent.Trim() == "Delete");

        await using (var db = Db.Inner.CreateDbContext())
        {
            var stored = await db.Customers.FindAsync([customer.Id], Xunit.TestContext.Current.CancellationToken);
            stored!.Status = CustomerStatus.Deleted;
            await db.SaveChangesAsync(Xunit.TestContext.Current.CancellationToken);
        }
        var deleted = Render<CustomerDetail>(p => p.Add(c => c.Id, customer.Id));
        deleted.WaitForAssertion(() => Assert.Contains("An administrator can restore it", deleted.Markup));
        Assert.DoesNotContain(deleted.FindAll("button"), b => b.TextContent.Trim() == "Restore");
    }

    [Fact]
    public async Task AdminsSeeRestoreOnADeletedCustomer()
    {
        SignInAs(AppRoles.Admin);
        var customer = await AddCustomerAsync("Ada", "Lovelace", "+1 212 555 0100");
        await using (var db = Db.Inner.CreateDbContext())
        {
            var stored = await db.Customers.FindAsync([customer.Id], Xunit.TestContext.Current.CancellationToken);
            stored!.Status = CustomerStatus.Deleted;
            await db.SaveChangesAsync(Xunit.TestContext.Current.CancellationToken);
        }
        var cut = Render<CustomerDetail>(p => p.Add(c => c.Id, customer.Id));
        cut.WaitForAssertion(() => Assert.Contains(cut.FindAll("button"), b => b.TextContent.Trim() == "Restore"));
    }
}
