using Bunit;
using CustomerAdmin.Data;
using CustomerAdmin.Features.Customers;
using CustomerAdmin.Features.Customers.Tags;
using CustomerAdmin.Security;
using Microsoft.EntityFrameworkCore;

namespace CustomerAdmin.Tests.Features.Customers.Tags;

/// <summary>The tags page (/settings/tags): tags in use with their counts, renamed or merged on every customer.</summary>
public sealed class TagsPageTests : AppComponentTest
{
    [Fact]
    public async Task MergingTwoTagsIntoOneChangesEveryCustomerAndRecordsIt()
    {
        SignInAs(AppRoles.Admin);
        await Data.ManyCustomersAsync(260, (i, c) => c.Tags = (i % 4) switch { 0 => "Walk In", 1 => "walkin,vip", 2 => "walk-in", _ => null });
        var cut = RenderPage<TagsPage>();
        cut.WaitForAssertion(() =>
        {
            Assert.Equal(["vip", "Walk In", "walk-in", "walkin"], cut.FindAll("[data-testid=tag-name]").Select(t => t.TextContent.Trim()));
            Assert.All(cut.FindAll("[data-testid=tag-count]"), c => Assert.Equal("65 customers", c.TextContent.Trim()));
        });

        Choose(cut, "Walk In");
        Choose(cut, "walkin");
        cut.Find("#new-tag-name").Input("walk-in");
        cut.Find("[data-testid=rename-preview]").Click();
        cut.WaitForAssertion(() => Assert.StartsWith("This will change 130 customers; 0 unchanged.", cut.Find("[data-testid=rename-preview-result]").TextContent.Trim()));
        cut.Find("[data-testid=rename-apply]").Click();

        cut.WaitForAssertion(() => Assert.StartsWith("Done", cut.Find("[data-testid=rename-progress]").TextContent.Trim()), TimeSpan.FromSeconds(30));
        cut.WaitForAssertion(() => Assert.Equal(["vip", "walk-in"], cut.FindAll("[data-testid=tag-name]").Select(t => t.TextContent.Trim())));
        Assert.Equal(["65 customers", "195 customers"], cut.FindAll("[data-testid=tag-count]").Select(c => c.TextContent.Trim()));
        await using var db = Db.Inner.CreateDbContext();
        Assert.Equal(195, await db.Filtered(new CustomerListFilter { Tag = "walk-in" }, Phones).CountAsync(Xunit.TestContext.Current.CancellationToken));
        Assert.Equal("walk-in,vip", await db.Customers.Where(c => c.FirstName == "Bulk1").Select(c => c.Tags).SingleAsync(Xunit.TestContext.Current.CancellationToken));
        Assert.Equal(130, await db.CustomerChanges.CountAsync(h => h.Field == nameof(Customer.Tags) && h.ChangedBy == "admin@test.local",
            Xunit.TestContext.Current.CancellationToken));
    }

    private static void Choose(IRenderedComponent<Bunit.Rendering.ContainerFragment> cut, string tag)
    {
        var item = cut.FindAll("[data-testid=tag-list] .tag-list-item").Single(i => i.QuerySelector("[data-testid=tag-name]")!.TextContent.Trim() == tag);
        item.QuerySelector("input[type=checkbox]")!.Change(true);
    }
}
