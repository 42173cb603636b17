using AngleSharp.Dom;
using Bunit;
using CustomerAdmin.Data;
using CustomerAdmin.Features.Customers;
using CustomerAdmin.Features.Customers.Bulk;
using CustomerAdmin.Features.Customers.Tags;
using CustomerAdmin.Security;
using Microsoft.AspNetCore.Components;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CustomerAdmin.Tests.Features.Customers.Bulk;

/// <summary>The customer list's selection and bulk bar, and the tag box with its suggestions, as a user works them.</summary>
public sealed class CustomerBulkBarTests : AppComponentTest
{
    private static IElement Box(IRenderedComponent<Bunit.Rendering.ContainerFragment> cut, string testId, int index = 0) =>
        cut.FindAll($"[data-testid={testId}] input, input[data-testid={testId}]")[index];

    private static string Text(IRenderedComponent<Bunit.Rendering.ContainerFragment> cut, string testId) =>
        cut.Find($"[data-testid={testId}]").TextContent.Trim();

    [Fact]
    public async Task TickingRowsThenSelectingAllMatchingCountsTheFilterNotThePage()
    {
        await Data.ManyCustomersAsync(130, (i, c) => c.City = i < 120 ? "Boston" : "Austin");
        Services.GetRequiredService<NavigationManager>().NavigateTo("/customers?city=Boston");
        var cut = RenderPage<CustomerList>();
        cut.WaitForAssertion(() => Assert.Equal("120 customers", Text(cut, "customer-count")));
        Assert.Empty(cut.FindAll("[data-testid=bulk-bar]"));

        Box(cut, "select-row", 0).Change(true);
        Box(cut, "select-row", 3).Change(true);
        cut.WaitForAssertion(() => Assert.Equal("2 selected", Text(cut, "bulk-selected")));
        Box(cut, "select-page").Change(true);
        cut.WaitForAssertion(() => Assert.Equal($"{CustomerList.PageSize} selected", Text(cut, "bulk-selected")));
        cut.Find("[data-testid=bulk-select-all]").Click();

        cut.WaitForAssertion(() => Assert.Equal("All 120 customers matching this filter selected", Text(cut, "bulk-selected")));
        Assert.All(cut.FindAll("[data-testid=select-row] input, input[data-testid=select-row]"), box => Assert.True(box.HasAttribute("checked")));
        Assert.Empty(cut.FindAll("[data-testid=bulk-select-all]"));
        cut.Find("[data-testid=bulk-clear]").Click();
        cut.WaitForAssertion(() => Assert.Empty(cut.FindAll("[data-testid=bulk-bar]")));
    }

    [Fact]
    public async Task AddingATagToAllMatchingPreviewsTheCountThenRunsAndReportsIt()
    {
        await Data.ManyCustomersAsync(300, (i, c) => c.Tags = i < 40 ? "vip" : null);
        var cut = RenderPage<CustomerList>();
        cut.WaitForAssertion(() => Assert.Equal("300 customers", Text(cut, "customer-count")));
        Box(cut, "select-page").Change(true);
        cut.WaitForAssertion(() => cut.Find("[data-testid=bulk-select-all]").Click());
        cut.Find("[data-testid=bulk-add-tags]").Click();

        cut.Find("input#bulk-tags").Input("VIP");
        cut.Find("[data-testid=bulk-tags-add]").Click();
        cut.WaitForAssertion(() => Assert.Equal("VIP", Assert.Single(cut.FindAll("[data-testid=tag-chip]")).TextContent.Trim()));
        cut.Find("[data-testid=bulk-preview]").Click();
        cut.WaitForAssertion(() => Assert.StartsWith("This will change 260 customers; 40 unchanged.", Text(cut, "bulk-preview-result")));
        Assert.Equal(40, await CountTaggedAsync("vip"));

        cut.Find("[data-testid=bulk-apply]").Click();

        cut.WaitForAssertion(() => Assert.Equal("Done (add the tag \"VIP\"): 260 customers changed, 40 unchanged, 0 refused.",
            Text(cut, "bulk-progress-text")), TimeSpan.FromSeconds(60));
        Assert.Equal(300, await CountTaggedAsync("vip"));
        // The selection is spent: the list is back to no rows ticked.
        Assert.Empty(cut.FindAll("[data-testid=bulk-selected]"));
    }

    [Fact]
    public async Task DeletePreviewNamesTheCustomersItMayNotDeleteAndWhy()
    {
        SignInAs(AppRoles.Manager);
        var keep = await Data.CustomerAsync("Open", "Ticket", "+12125550101");
        await Data.TicketAsync(keep.Id);
        await Data.CustomerAsync("Free", "Person", "+12125550102");
        var cut = RenderPage<CustomerList>();
        cut.WaitForAssertion(() => Assert.Equal("2 customers", Text(cut, "customer-count")));
        Box(cut, "select-page").Change(true);
        cut.WaitForAssertion(() => cut.Find("[data-testid=bulk-delete]").Click());

        cut.Find("[data-testid=bulk-preview]").Click();

        cut.WaitForAssertion(() => Assert.StartsWith("This will change 1 customer; 0 unchanged; 1 refused.", Text(cut, "bulk-preview-result")));
        var refusal = Assert.Single(cut.FindAll("[data-testid=bulk-refusal]")).TextContent;
        Assert.Contains("Open Ticket cannot be deleted while a ticket is open: T-000001", refusal);
        Assert.Equal("Delete 1 customer", Text(cut, "bulk-apply"));
    }

    [Fact]
    public async Task StaffMayTagTheSelectionButNotDeleteExportOrTextIt()
    {
        SignInAs(AppRoles.Staff);
        await Data.CustomerAsync();
        var cut = RenderPage<CustomerList>();
        cut.WaitForAssertion(() => Assert.Equal("1 customer", Text(cut, "customer-count")));

        Box(cut, "select-row").Change(true);

        cut.WaitForAssertion(() => Assert.NotEmpty(cut.FindAll("[data-testid=bulk-add-tags]")));
        Assert.Empty(cut.FindAll("[data-testid=bulk-delete]"));
        Assert.Empty(cut.FindAll("[data-testid=bulk-export]"));
        Assert.Empty(cut.FindAll("[data-testid=bulk-sms]"));
    }

    [Fact]
    public async Task ExportSelectedLinksTheTickedIdsWithTheListsFilter()
    {
        SignInAs(AppRoles.Manager);
        var customers = await Data.ManyCustomersAsync(5);
        Services.GetRequiredService<NavigationManager>().NavigateTo("/customers?city=Boston&page=1");
        var cut = RenderPage<CustomerList>();
        cut.WaitForAssertion(() => Assert.Equal("5 customers", Text(cut, "customer-count")));

        Box(cut, "select-row", 0).Change(true);
        Box(cut, "select-row", 1).Change(true);

        cut.WaitForAssertion(() => Assert.Equal("2 selected", Text(cut, "bulk-selected")));
        var href = cut.Find("[data-testid=bulk-export]").GetAttribute("href")!;
        var filter = CustomerListQueryString.Parse(new Uri(new Uri("http://x"), href).Query, new());
        Assert.Equal("Boston", filter.City);
        Assert.Equal(2, filter.Ids!.Count);
        Assert.Subset(customers.Select(c => c.Id).ToHashSet(), filter.Ids.ToHashSet());
        // The SMS page gets the same selection.
        Assert.StartsWith("/customers/sms?city=Boston&ids=", cut.Find("[data-testid=bulk-sms]").GetAttribute("href"));
    }

    [Fact]
    public async Task TheTagBoxSuggestsTagsInUseAsTypedAndAddsTheOnePicked()
    {
        await Data.ManyCustomersAsync(30, (i, c) => c.Tags = i % 2 == 0 ? "Événements,VIP" : "vip-gold,walk-in");
        await Data.CustomerAsync("Gone", "Person", "+12125550199", c => { c.Tags = "everyone-deleted"; c.Status = CustomerStatus.Deleted; });
        IReadOnlyList<string>? picked = null;
        var cut = RenderPage<TagField>(parameters: new Dictionary<string, object?>
        {
            [nameof(TagField.Tags)] = (IReadOnlyList<string>)["walk-in"],
            [nameof(TagField.TagsChanged)] = EventCallback.Factory.Create<IReadOnlyList<string>>(this, t => picked = t),
            [nameof(TagField.InputId)] = "tags",
        });

        cut.Find("input#tags").Input("e");
        cut.WaitForAssertion(() => Assert.Equal(["Événements"], cut.FindAll("[data-testid=tag-suggestion]").Select(i => i.TextContent.Trim())));
        cut.Find("input#tags").Input("v");
        cut.WaitForAssertion(() => Assert.Equal(["VIP", "vip-gold"], cut.FindAll("[data-testid=tag-suggestion]").Select(i => i.TextContent.Trim())));
        cut.FindAll("[data-testid=tag-suggestion]")[1].Click();

        cut.WaitForAssertion(() => Assert.Equal(["walk-in", "vip-gold"], picked));
    }

    private async Task<int> CountTaggedAsync(string tag)
    {
        await using var db = Db.Inner.CreateDbContext();
        return await db.Filtered(new CustomerListFilter { Tag = tag }, Phones).CountAsync();
    }
}
