using Bunit;
using CustomerAdmin.Data;
using CustomerAdmin.Features.Customers;
using CustomerAdmin.Features.Customers.History;
using CustomerAdmin.Features.Duplicates.Review;
using CustomerAdmin.Security;
using Microsoft.AspNetCore.Components;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CustomerAdmin.Tests.Features.Duplicates.Review;

/// <summary>The review queue, the pair view, the merge dialog and the undo, through the pages a manager uses.</summary>
public sealed class DuplicateReviewComponentTests : AppComponentTest
{
    public DuplicateReviewComponentTests() => SignInAs(AppRoles.Manager);

    private static CancellationToken Ct => Xunit.TestContext.Current.CancellationToken;

    private NavigationManager Nav => Services.GetRequiredService<NavigationManager>();

    /// <summary><paramref name="customers"/> customers and a pair of each two neighbours, scores rising with the id.</summary>
    private async Task<List<Customer>> QueueAsync(int customers)
    {
        var ct = Xunit.TestContext.Current.CancellationToken;
        await using var db = await Db.Inner.CreateDbContextAsync(ct);
        var list = Enumerable.Range(0, customers).Select(i => TestCustomers.Individual($"First{i:D3}", $"Last{i / 2:D3}", $"+1212736{i:D4}")).ToList();
        db.Customers.AddRange(list);
        await db.SaveChangesAsync(ct);
        // The queue is the test's own: drop what the duplicate check found when the customers were saved.
        await db.DuplicatePairs.ExecuteDeleteAsync(ct);
        for (var i = 0; i + 1 < customers; i += 2)
        {
            db.DuplicatePairs.Add(new DuplicatePair
            {
                CustomerAId = list[i].Id, CustomerBId = list[i + 1].Id, Score = i, Level = i % 4 == 0 ? DuplicateLevel.Possible : DuplicateLevel.Likely,
                Reasons = i % 3 == 0 ? "same email; names sound alike" : "same last name; same city", Signature = $"s{i}", FoundAt = DateTime.UtcNow,
                UpdatedAt = DateTime.UtcNow, Version = 1,
            });
        }
        await db.SaveChangesAsync(ct);
        return list;
    }

    [Fact]
    public async Task TheQueueListsPairsSurestFirstWithTheirCountAndPagesThroughHundreds()
    {
        var customers = await QueueAsync(600);

        var cut = RenderPage<DuplicateQueue>();

        cut.WaitForAssertion(() => Assert.Equal("300 pairs", cut.Find("[data-testid=pair-count]").TextContent.Trim()));
        var rows = cut.FindAll("[data-testid=pairs] tbody tr");
        Assert.Equal(DuplicateQueue.PageSize, rows.Count);
        Assert.Contains($"#{customers[598].Id}", rows[0].TextContent);
        Assert.Contains($"#{customers[596].Id}", rows[1].TextContent);
        Assert.Contains("598.0", rows[0].TextContent);
        Assert.NotEmpty(cut.FindAll(".mud-pagination"));
    }

    [Fact]
    public async Task TheQueueFiltersByLevelAndReason()
    {
        await QueueAsync(120);
        Nav.NavigateTo("/duplicates?level=possible&reason=" + Uri.EscapeDataString("same email"));

        var cut = RenderPage<DuplicateQueue>();

        // Pairs start at every even i below 120; possible when i % 4 == 0; "same email" when i % 3 == 0: i % 12 == 0.
        cut.WaitForAssertion(() => Assert.Equal("10 pairs", cut.Find("[data-testid=pair-count]").TextContent.Trim()));
        Assert.All(cut.FindAll("[data-testid=pairs] tbody tr"), r => Assert.Contains("same email", r.TextContent));
    }

    [Fact]
    public async Task ThePairShowsBothRecordsSideBySideWithTheDifferencesMarkedAndTheReasons()
    {
        var ann = await AddCustomerAsync("Ann", "Lee", "+1 212 555 0100", email: "ann@example.com", city: "Boston");
        var anne = await AddCustomerAsync("Anne", "Lee", "+1 212 555 0101", city: "Boston");
        var pair = await Data.DuplicatePairAsync(ann.Id, anne.Id, reasons: "names sound alike; same city");

        var cut = RenderPage<DuplicatePairPage>(parameters: new Dictionary<string, object?> { ["Id"] = pair.Id });

        cut.WaitForAssertion(() => Assert.NotNull(cut.Find("[data-testid=side-by-side]")));
        Assert.Equal("true", cut.Find($"tr[data-field={nameof(Customer.FirstName)}]").GetAttribute("data-differs"));
        Assert.Equal("true", cut.Find($"tr[data-field={nameof(Customer.Email)}]").GetAttribute("data-differs"));
        Assert.Equal("false", cut.Find($"tr[data-field={nameof(Customer.LastName)}]").GetAttribute("data-differs"));
        Assert.Equal("false", cut.Find($"tr[data-field={nameof(Customer.City)}]").GetAttribute("data-differs"));
        Assert.Contains("merge-differs", cut.Find($"tr[data-field={nameof(Customer.FirstName)}]").ClassList);
        var reasons = cut.Find("[data-testid=reasons]").TextContent;
        Assert.Contains("names sound alike", reasons);
        Assert.Contains("same city", reasons);
    }

    [Fact]
    public async Task MergingFromThePairKeepsAValueTakenFromTheOtherRecordAndMovesItsTicket()
    {
        var ann = await AddCustomerAsync("Ann", "Lee", "+1 212 555 0100", email: "ann@old.example");
        var anne = await AddCustomerAsync("Anne", "Lee", "+1 212 555 0101", email: "anne@new.example");
        await Data.TicketAsync(ann.Id);
        await Data.TicketAsync(ann.Id);
        var ticket = await Data.TicketAsync(anne.Id);
        var pair = await Data.DuplicatePairAsync(ann.Id, anne.Id);
        var cut = RenderPage<DuplicatePairPage>(parameters: new Dictionary<string, object?> { ["Id"] = pair.Id });
        cut.WaitForAssertion(() => cut.Find("[data-testid=merge]"));

        cut.Find("[data-testid=merge]").Click();
        cut.WaitForAssertion(() => cut.Find("[data-testid=merge-fields]"));
        // Ann has more history, so she stays. Anne's record is the newer, so her values are preselected; the user keeps
        // Ann's phone and Anne's email.
        Assert.Contains($"Merge into #{ann.Id}", cut.Find("[data-testid=confirm-merge]").TextContent);
        Keep(cut, nameof(Customer.PrimaryPhone), ann.Id);
        Keep(cut, nameof(Customer.Email), anne.Id);
        cut.Find("[data-testid=confirm-merge]").Click();

        cut.WaitForAssertion(() => Assert.EndsWith($"/customers/{ann.Id}", Nav.Uri));
        await using var db = await Db.Inner.CreateDbContextAsync(Xunit.TestContext.Current.CancellationToken);
        var survivor = await db.Customers.SingleAsync(c => c.Id == ann.Id, Ct);
        Assert.Equal(("anne@new.example", "+12125550100"), (survivor.Email, survivor.PrimaryPhone));
        Assert.Equal(ann.Id, (await db.Tickets.SingleAsync(t => t.Id == ticket.Id, Ct)).CustomerId);
        Assert.Equal(CustomerStatus.Merged, (await db.Customers.SingleAsync(c => c.Id == anne.Id, Ct)).Status);
        Assert.Equal(DuplicatePairState.Merged, (await db.DuplicatePairs.SingleAsync(Ct)).State);
    }

    [Fact]
    public async Task AMergeRefusedBecauseARecordChangedShowsWhyInTheDialogAndMergesNothing()
    {
        var ann = await AddCustomerAsync("Ann", "Lee", "+1 212 555 0100");
        var anne = await AddCustomerAsync("Anne", "Lee", "+1 212 555 0101");
        var pair = await Data.DuplicatePairAsync(ann.Id, anne.Id);
        var cut = RenderPage<DuplicatePairPage>(parameters: new Dictionary<string, object?> { ["Id"] = pair.Id });
        cut.WaitForAssertion(() => cut.Find("[data-testid=merge]"));
        cut.Find("[data-testid=merge]").Click();
        cut.WaitForAssertion(() => cut.Find("[data-testid=confirm-merge]"));

        await using (var db = await Db.Inner.CreateDbContextAsync(Xunit.TestContext.Current.CancellationToken))
        {
            var edited = await db.Customers.SingleAsync(c => c.Id == anne.Id, Ct);
            edited.City = "Salem";
            await db.SaveChangesAsync(Ct);
        }
        cut.Find("[data-testid=confirm-merge]").Click();

        cut.WaitForAssertion(() => Assert.Contains("was changed after this pair was listed", cut.Find("[data-testid=merge-error]").TextContent));
        await using var check = await Db.Inner.CreateDbContextAsync(Xunit.TestContext.Current.CancellationToken);
        Assert.Equal(CustomerStatus.Active, (await check.Customers.SingleAsync(c => c.Id == anne.Id, Ct)).Status);
        Assert.Empty(check.CustomerMerges);
    }

    [Fact]
    public async Task NotTheSameCustomerIsRememberedAndLeavesTheQueue()
    {
        var ann = await AddCustomerAsync("Ann", "Lee", "+1 212 555 0100");
        var anne = await AddCustomerAsync("Anne", "Lee", "+1 212 555 0101");
        var pair = await Data.DuplicatePairAsync(ann.Id, anne.Id);
        var cut = RenderPage<DuplicatePairPage>(parameters: new Dictionary<string, object?> { ["Id"] = pair.Id });
        cut.WaitForAssertion(() => cut.Find("[data-testid=not-same]"));

        cut.Find("[data-testid=not-same]").Click();

        cut.WaitForAssertion(() => Assert.EndsWith("/duplicates", Nav.Uri));
        await using var db = await Db.Inner.CreateDbContextAsync(Xunit.TestContext.Current.CancellationToken);
        var decided = await db.DuplicatePairs.SingleAsync(Ct);
        Assert.Equal((DuplicatePairState.NotSame, "manager@test.local"), (decided.State, decided.DecidedBy));
        await DisposeComponentsAsync();
        var queue = RenderPage<DuplicateQueue>();
        queue.WaitForAssertion(() => Assert.Equal("0 pairs", queue.Find("[data-testid=pair-count]").TextContent.Trim()));
    }

    [Fact]
    public async Task TheCustomerPageCountsItsPossibleDuplicatesAndAMergedRecordsPageLeadsToTheSurvivor()
    {
        var ann = await AddCustomerAsync("Ann", "Lee", "+1 212 555 0100");
        var anne = await AddCustomerAsync("Anne", "Lee", "+1 212 555 0101");
        var annie = await AddCustomerAsync("Annie", "Lee", "+1 212 555 0102");
        await Data.DuplicatePairAsync(ann.Id, anne.Id);
        await Data.DuplicatePairAsync(ann.Id, annie.Id);

        var page = RenderPage<CustomerDetail>(ann.Id);
        page.WaitForAssertion(() => Assert.Contains("Possible duplicates (2)", page.Find("[data-testid=possible-duplicates]").TextContent));
        Assert.EndsWith($"/duplicates?customer={ann.Id}", page.Find("[data-testid=possible-duplicates]").GetAttribute("href"));

        var merges = Services.GetRequiredService<CustomerAdmin.Features.Duplicates.Merging.MergeOperations>();
        await merges.MergeAsync(new(annie.Id, anne.Id, await ReloadVersionAsync(annie.Id), await ReloadVersionAsync(anne.Id)), ct: Ct);
        await merges.MergeAsync(new(ann.Id, annie.Id, await ReloadVersionAsync(ann.Id), await ReloadVersionAsync(annie.Id)), ct: Ct);
        await DisposeComponentsAsync();
        RenderPage<CustomerDetail>(anne.Id);
        WaitForAssertionOnNav(() => Assert.EndsWith($"/customers/{ann.Id}", Nav.Uri));
    }

    [Fact]
    public async Task TheSurvivorsHistoryUndoesAMerge()
    {
        var ann = await AddCustomerAsync("Ann", "Lee", "+1 212 555 0100");
        var anne = await AddCustomerAsync("Anne", "Lee", "+1 212 555 0101");
        var ticket = await Data.TicketAsync(anne.Id);
        var merges = Services.GetRequiredService<CustomerAdmin.Features.Duplicates.Merging.MergeOperations>();
        var merge = await merges.MergeAsync(new(ann.Id, anne.Id, await ReloadVersionAsync(ann.Id), await ReloadVersionAsync(anne.Id)), ct: Ct);
        var cut = RenderPage<CustomerHistoryPage>(ann.Id);
        cut.WaitForAssertion(() => cut.Find($"[data-testid=undo-merge-{merge.MergeId}]"));
        Assert.Contains("Merge", cut.Find("[data-testid=changes]").TextContent);

        cut.Find($"[data-testid=undo-merge-{merge.MergeId}]").Click();
        cut.WaitForAssertion(() => cut.FindAll(".mud-dialog button").Single(b => b.TextContent.Contains("Undo merge")).Click());

        cut.WaitForAssertion(() => Assert.Contains("undone", cut.Find($"[data-testid=merge-{merge.MergeId}]").TextContent));
        await using var db = await Db.Inner.CreateDbContextAsync(Xunit.TestContext.Current.CancellationToken);
        Assert.Equal(anne.Id, (await db.Tickets.SingleAsync(t => t.Id == ticket.Id, Ct)).CustomerId);
        Assert.Equal(CustomerStatus.Active, (await db.Customers.SingleAsync(c => c.Id == anne.Id, Ct)).Status);
    }

    private static void Keep(IRenderedComponent<Bunit.Rendering.ContainerFragment> cut, string field, int customerId)
    {
        var radio = cut.FindAll($"[data-testid=keep-{field}-{customerId}]").FirstOrDefault()
            ?? throw new InvalidOperationException(cut.Find($"[data-testid=merge-fields] tr[data-field={field}]").OuterHtml);
        (radio.TagName == "INPUT" ? radio : radio.QuerySelector("input")!).Click();
    }

    private async Task<int> ReloadVersionAsync(int id)
    {
        await using var db = await Db.Inner.CreateDbContextAsync(Xunit.TestContext.Current.CancellationToken);
        return await db.Customers.Where(c => c.Id == id).Select(c => c.Version).SingleAsync();
    }

    private static void WaitForAssertionOnNav(Action assertion)
    {
        var until = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            try
            {
                assertion();
                return;
            }
            catch when (DateTime.UtcNow < until)
            {
                Thread.Sleep(50);
            }
        }
    }
}
