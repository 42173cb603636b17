using AngleSharp.Dom;
using Bunit;
using CustomerAdmin.Features.Sales;
using CustomerAdmin.Features.Tickets;
using CustomerAdmin.Data;
using Microsoft.AspNetCore.Components;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace CustomerAdmin.Tests.Features.Sales;

/// <summary>Ringing up a sale at the counter, reading the sales back, and an equipment's service history.</summary>
public sealed class SaleComponentTests : AppComponentTest
{
    // The page runs on the system clock: MudBlazor's debounce timers take the registered TimeProvider too, and a
    // stopped fake clock would keep the customer box from ever searching.
    private static void AssertSoldBetween(DateTime before, Sale sale) =>
        Assert.InRange(sale.SoldAt, before, DateTime.UtcNow);

    private static CancellationToken Ct => Xunit.TestContext.Current.CancellationToken;

    private string Uri => Services.GetRequiredService<NavigationManager>().Uri;

    /// <summary>Types into the sale's customer box and picks the one suggestion it offers.</summary>
    private static void PickCustomer(IRenderedComponent<Bunit.Rendering.ContainerFragment> cut, string typed, string expectedName)
    {
        cut.Find("input#sale-customer").Input(typed);
        cut.WaitForAssertion(() =>
        {
            var suggestion = Assert.Single(cut.FindAll("[data-testid=picker-suggestion]"));
            Assert.Equal(expectedName, suggestion.QuerySelector("b")!.TextContent);
        });
        cut.Find("[data-testid=picker-suggestion]").Closest(".mud-list-item")!.Click();
        cut.WaitForAssertion(() => Assert.StartsWith(expectedName, cut.Find("input#sale-customer").GetAttribute("value")));
    }

    private static void FillLine(IRenderedComponent<Bunit.Rendering.ContainerFragment> cut, int index, string description, int quantity, string price)
    {
        cut.Find($"#line-{index}-description").Change(description);
        // The quantity field has no id of its own: it is the second cell of the line's row.
        cut.FindAll("tbody tr")[index].QuerySelector("td:nth-child(2) input")!.Change(quantity.ToString());
        cut.Find($"#line-{index}-price").Change(price);
    }

    private static void AddLine(IRenderedComponent<Bunit.Rendering.ContainerFragment> cut) =>
        cut.FindAll("button").Single(b => b.TextContent.Trim() == "Add line").Click();

    private static string Text(IElement element) => System.Text.RegularExpressions.Regex.Replace(element.TextContent, @"\s+", " ").Trim();

    [Fact]
    public async Task SaleToACustomerFoundByPhoneSavesItsLinesMovesTheStatsAndOpensTheSale()
    {
        var before = DateTime.UtcNow;
        var ann = await AddCustomerAsync("Ann", "Lee", "+1 212 555 0100");
        await AddCustomerAsync("Bob", "Stone", "+1 646 555 0111");
        var earlier = new DateTime(2026, 1, 10, 9, 0, 0, DateTimeKind.Utc);
        // An earlier visit (a sale of 20): the statistics are counted from the records, so it must be a real one.
        var earlierSale = new Sale
        {
            CustomerId = ann.Id, SoldAt = earlier, Total = 20m, CreatedBy = "test",
            Lines = [new SaleLine { Description = "Cable", Quantity = 1, UnitPrice = 20m, LineTotal = 20m }],
        };
        await using (var db = await Db.Inner.CreateDbContextAsync(Ct))
        {
            db.Sales.Add(earlierSale);
            await db.SaveChangesAsync(Ct);
        }
        var cut = RenderPage<SaleNew>();

        PickCustomer(cut, "212 555 0100", "Ann Lee");
        FillLine(cut, 0, "Screen protector", 2, "9.99");
        AddLine(cut);
        FillLine(cut, 1, "Case", 1, "25");

        cut.WaitForAssertion(() => Assert.Equal("Total $44.98", Text(cut.Find("[data-testid=sale-total]"))));
        cut.Find("[data-testid=save-sale]").Click();

        cut.WaitForAssertion(() => Assert.Matches(@"/sales/\d+$", Uri));
        await using var after = await Db.Inner.CreateDbContextAsync(Ct);
        var sale = await after.Sales.Include(s => s.Lines).SingleAsync(s => s.Id != earlierSale.Id, Ct);
        Assert.EndsWith($"/sales/{sale.Id}", Uri);
        Assert.Equal((ann.Id, 44.98m), (sale.CustomerId, sale.Total));
        AssertSoldBetween(before, sale);
        Assert.Equal([("Screen protector", 2, 9.99m, 19.98m), ("Case", 1, 25m, 25m)],
            sale.Lines.OrderBy(l => l.Id).Select(l => (l.Description, l.Quantity, l.UnitPrice, l.LineTotal)));
        var customer = await after.Customers.SingleAsync(c => c.Id == ann.Id, Ct);
        Assert.Equal((64.98m, 2, (DateTime?)sale.SoldAt), (customer.TotalSpent, customer.VisitCount, customer.LastVisitAt));
        var bob = await after.Customers.SingleAsync(c => c.PrimaryPhone == "+16465550111", Ct);
        Assert.Equal((0m, 0), (bob.TotalSpent, bob.VisitCount));
    }

    [Fact]
    public async Task APhoneThatMatchesNobodyCreatesTheCustomerWithThatPhoneAndSellsToThem()
    {
        var before = DateTime.UtcNow;
        await AddCustomerAsync("Ann", "Lee", "+1 212 555 0100");
        var cut = RenderPage<SaleNew>();

        cut.Find("input#sale-customer").Input("646 555 0199");
        cut.WaitForAssertion(() => cut.Find("[data-testid=new-customer-from-search]").Click());
        cut.WaitForAssertion(() => Assert.Equal("646 555 0199", cut.Find("input#new-phone").GetAttribute("value")));
        cut.Find("input#new-first-name").Input("Maria");
        cut.Find("input#new-last-name").Input("Gonzalez");
        // The dialog's button submits its form through the browser's form= attribute, which bUnit does not emulate.
        cut.Find("form#new-customer-form").Submit();
        cut.WaitForAssertion(() => Assert.StartsWith("Maria Gonzalez", cut.Find("input#sale-customer").GetAttribute("value")));

        FillLine(cut, 0, "Charger", 1, "30");
        cut.Find("[data-testid=save-sale]").Click();

        cut.WaitForAssertion(() => Assert.Matches(@"/sales/\d+$", Uri));
        await using var db = await Db.Inner.CreateDbContextAsync(Ct);
        var maria = await db.Customers.SingleAsync(c => c.PrimaryPhone == "+16465550199", Ct);
        Assert.Equal(("Maria", "Gonzalez"), (maria.FirstName, maria.LastName));
        var sale = await db.Sales.SingleAsync(Ct);
        Assert.Equal((maria.Id, 30m), (sale.CustomerId, sale.Total));
        Assert.EndsWith($"/sales/{sale.Id}", Uri);
        AssertSoldBetween(before, sale);
        Assert.Equal((30m, 1, (DateTime?)sale.SoldAt), (maria.TotalSpent, maria.VisitCount, maria.LastVisitAt));
    }

    [Fact]
    public async Task ASaveThatFailsPartWayLeavesNeitherTheSaleNorTheStatsAndKeepsTheLines()
    {
        var ann = await AddCustomerAsync("Ann", "Lee", "+1 212 555 0100");
        await using (var db = await Db.Inner.CreateDbContextAsync(Ct))
        {
            // The sale's timeline entry is written with the sale and the stats; refusing it must undo them too.
            await db.Database.ExecuteSqlRawAsync(
                "CREATE TRIGGER refuse_activity BEFORE INSERT ON Activities BEGIN SELECT RAISE(ABORT, 'disk full'); END", Ct);
        }
        var cut = RenderPage<SaleNew>();
        var start = Uri;
        PickCustomer(cut, "212 555 0100", "Ann Lee");
        FillLine(cut, 0, "Battery", 1, "10");

        cut.Find("[data-testid=save-sale]").Click();

        cut.WaitForAssertion(() => Assert.StartsWith("The sale could not be saved; the lines are still here.", Text(cut.Find("[data-testid=sale-error]"))));
        Assert.Equal("Battery", cut.Find("#line-0-description").GetAttribute("value"));
        Assert.Equal(start, Uri);
        await using var after = await Db.Inner.CreateDbContextAsync(Ct);
        Assert.False(await after.Sales.AnyAsync(Ct));
        Assert.False(await after.SaleLines.AnyAsync(Ct));
        var customer = await after.Customers.SingleAsync(c => c.Id == ann.Id, Ct);
        Assert.Equal((0m, 0, (DateTime?)null), (customer.TotalSpent, customer.VisitCount, customer.LastVisitAt));
    }

    [Theory]
    [InlineData("Cable", -1, "5", "The quantity must be between 1 and 10,000.")]
    [InlineData("Cable", 1, "-5", "The unit price cannot be negative.")]
    [InlineData(" ", 1, "5", "Describe what was sold.")]
    public async Task ABadLineShowsItsMessageAtTheLineAndSavesNothing(string description, int quantity, string price, string message)
    {
        var ann = await AddCustomerAsync("Ann", "Lee", "+1 212 555 0100");
        var cut = RenderPage<SaleNew>();
        var start = Uri;
        PickCustomer(cut, "212 555 0100", "Ann Lee");
        FillLine(cut, 0, "Battery", 1, "10");
        AddLine(cut);
        FillLine(cut, 1, description, quantity, price);

        cut.Find("[data-testid=save-sale]").Click();

        // The message sits under the second line's description field, not the first's.
        cut.WaitForAssertion(() =>
            Assert.Equal(message, Text(cut.FindAll("tbody tr")[1].QuerySelector(".mud-input-helper-text.mud-input-error")!)));
        Assert.Null(cut.FindAll("tbody tr")[0].QuerySelector(".mud-input-error"));
        Assert.Equal(start, Uri);
        await using var db = await Db.Inner.CreateDbContextAsync(Ct);
        Assert.False(await db.Sales.AnyAsync(Ct));
        var customer = await db.Customers.SingleAsync(c => c.Id == ann.Id, Ct);
        Assert.Equal((0m, 0, (DateTime?)null), (customer.TotalSpent, customer.VisitCount, customer.LastVisitAt));
    }

    [Fact]
    public async Task RemovingABadLineTakesItsMessageAwayInsteadOfMovingItToTheNextLine()
    {
        await AddCustomerAsync("Ann", "Lee", "+1 212 555 0100");
        var cut = RenderPage<SaleNew>();
        PickCustomer(cut, "212 555 0100", "Ann Lee");
        FillLine(cut, 0, " ", 1, "10");
        AddLine(cut);
        FillLine(cut, 1, "Battery", 1, "10");
        AddLine(cut);
        FillLine(cut, 2, "Cable", 1, "-1");
        cut.Find("[data-testid=save-sale]").Click();
        cut.WaitForAssertion(() => Assert.Equal(2, cut.FindAll(".mud-input-helper-text.mud-input-error").Count));

        cut.FindAll("tbody tr")[0].QuerySelector("button[aria-label='Remove line']")!.Click();

        cut.WaitForAssertion(() =>
        {
            Assert.Equal(2, cut.FindAll("tbody tr").Count);
            Assert.Equal("Battery", cut.Find("#line-0-description").GetAttribute("value"));
            Assert.Null(cut.FindAll("tbody tr")[0].QuerySelector(".mud-input-error"));
            Assert.Equal("The unit price cannot be negative.", Text(cut.FindAll("tbody tr")[1].QuerySelector(".mud-input-helper-text.mud-input-error")!));
        });
    }

    [Fact]
    public async Task ASaleStartedFromACustomerHasThemChosenAlready()
    {
        await AddCustomerAsync("Bob", "Stone", "+1 646 555 0111");
        var ann = await AddCustomerAsync("Ann", "Lee", "+1 212 555 0100");
        Services.GetRequiredService<NavigationManager>().NavigateTo($"/sales/new?customer={ann.Id}");
        var cut = RenderPage<SaleNew>();

        cut.WaitForAssertion(() => Assert.StartsWith("Ann Lee", cut.Find("input#sale-customer").GetAttribute("value")));
        FillLine(cut, 0, "Battery", 1, "10");
        cut.Find("[data-testid=save-sale]").Click();

        cut.WaitForAssertion(() => Assert.Matches(@"/sales/\d+$", Uri));
        await using var db = await Db.Inner.CreateDbContextAsync(Ct);
        Assert.Equal(ann.Id, (await db.Sales.SingleAsync(Ct)).CustomerId);
    }

    [Fact]
    public async Task SavingWithoutACustomerAsksForOneAndSavesNothing()
    {
        var cut = RenderPage<SaleNew>();
        FillLine(cut, 0, "Battery", 1, "10");

        cut.Find("[data-testid=save-sale]").Click();

        cut.WaitForAssertion(() => Assert.Contains("Choose or create the customer.", cut.Markup));
        await using var db = await Db.Inner.CreateDbContextAsync(Ct);
        Assert.False(await db.Sales.AnyAsync(Ct));
    }

    private async Task<(Customer Ann, Customer Bob, Sale Old, Sale Newest, Sale Middle)> SeedSalesAsync()
    {
        await using var db = await Db.Inner.CreateDbContextAsync(Ct);
        var data = new TestData.Batch(db);
        var ann = data.Customer("Ann", "Lee", new DateTime(2025, 12, 1, 0, 0, 0, DateTimeKind.Utc));
        var bob = data.Customer("Bob", "Stone", new DateTime(2025, 12, 1, 0, 0, 0, DateTimeKind.Utc));
        // Written out of date order, so ids alone would list them wrongly.
        var old = data.Sale(ann, new DateTime(2026, 1, 5, 10, 0, 0, DateTimeKind.Utc), 12.50m);
        var newest = data.Sale(bob, new DateTime(2026, 3, 1, 10, 0, 0, DateTimeKind.Utc), 40m);
        var middle = data.Sale(ann, new DateTime(2026, 2, 1, 10, 0, 0, DateTimeKind.Utc), 7m);
        old.Lines = [new() { Description = "Cable", Quantity = 1, UnitPrice = 2.50m, LineTotal = 2.50m },
            new() { Description = "Charger", Quantity = 2, UnitPrice = 5m, LineTotal = 10m }];
        newest.Lines = [new() { Description = "Case", Quantity = 1, UnitPrice = 40m, LineTotal = 40m }];
        middle.Lines = [new() { Description = "Film", Quantity = 1, UnitPrice = 7m, LineTotal = 7m }];
        await db.SaveChangesAsync(Ct);
        return (ann, bob, old, newest, middle);
    }

    [Fact]
    public async Task SaleListShowsTheNewestSaleFirstWithLinksAndFiltersByCustomer()
    {
        var (ann, _, old, newest, middle) = await SeedSalesAsync();

        var cut = Render<SaleList>();

        cut.WaitForAssertion(() =>
        {
            Assert.Equal("3 sales", cut.FindAll("p").Select(Text).Single(t => t.EndsWith(" sales")));
            var rows = cut.FindAll("tbody tr").Select(tr => tr.QuerySelectorAll("td").Select(Text).ToArray()).ToList();
            Assert.Equal([$"#{newest.Id}", $"#{middle.Id}", $"#{old.Id}"], rows.Select(r => r[0]));
            Assert.Equal(["Bob Stone", "Ann Lee", "Ann Lee"], rows.Select(r => r[2]));
            Assert.Equal(["1", "1", "2"], rows.Select(r => r[3]));
            Assert.Equal(["$40.00", "$7.00", "$12.50"], rows.Select(r => r[4]));
        });
        Assert.Equal([$"/sales/{newest.Id}", $"/sales/{middle.Id}", $"/sales/{old.Id}"],
            cut.FindAll("tbody tr td:first-child a").Select(a => a.GetAttribute("href")));

        Services.GetRequiredService<NavigationManager>().NavigateTo($"/sales?customer={ann.Id}");
        var filtered = Render<SaleList>();
        filtered.WaitForAssertion(() =>
            Assert.Equal([$"#{middle.Id}", $"#{old.Id}"], filtered.FindAll("tbody tr td:first-child").Select(Text)));
    }

    [Fact]
    public async Task SaleDetailShowsTheCustomerTheLinesAndTheTotal()
    {
        var (ann, _, old, _, _) = await SeedSalesAsync();

        var cut = Render<SaleDetail>(p => p.Add(s => s.Id, old.Id));

        cut.WaitForAssertion(() => Assert.Equal("$12.50", Text(cut.Find("[data-testid=sale-total]"))));
        var lines = cut.FindAll("tbody tr").SkipLast(1).Select(tr => tr.QuerySelectorAll("td").Select(Text).ToArray()).ToList();
        Assert.Equal([["Cable", "1", "$2.50", "$2.50"], ["Charger", "2", "$5.00", "$10.00"]], lines);
        var customer = cut.FindAll("a").Single(a => a.GetAttribute("href") == $"/customers/{ann.Id}");
        Assert.Equal("Ann Lee", Text(customer));
    }

    [Fact]
    public async Task EquipmentPageListsItsTicketsNewestOpenedFirstAndNoOthers()
    {
        var ann = await AddCustomerAsync("Ann", "Lee", "+1 212 555 0100");
        var laptop = await EquipmentOperations.CreateAsync(Db.Inner, ann.Id, new() { Type = "Laptop", SerialNumber = "A-1" }, TimeProvider.System, Ct);
        var phone = await EquipmentOperations.CreateAsync(Db.Inner, ann.Id, new() { Type = "Phone", SerialNumber = "P-1" }, TimeProvider.System, Ct);
        // The later repair gets the lower number, so the list's order can only come from the opening dates.
        var recent = await Data.TicketAsync(laptop.CustomerId, new DateTime(2026, 3, 10, 12, 0, 0, DateTimeKind.Utc), d => { d.EquipmentId = laptop.Id; d.Item = null; d.Problem = "Fan noise"; });
        var first = await Data.TicketAsync(laptop.CustomerId, new DateTime(2025, 11, 20, 12, 0, 0, DateTimeKind.Utc), d => { d.EquipmentId = laptop.Id; d.Item = null; d.Problem = "No boot"; });
        var other = await Data.TicketAsync(phone.CustomerId, new DateTime(2025, 12, 1, 12, 0, 0, DateTimeKind.Utc), d => { d.EquipmentId = phone.Id; d.Item = null; d.Problem = "Cracked"; });

        var cut = RenderPage<EquipmentDetail>(laptop.Id);

        cut.WaitForAssertion(() => Assert.Contains("Service history (2)", cut.Markup));
        var rows = cut.FindAll("tbody tr").Select(tr => tr.QuerySelectorAll("td").Select(Text).ToArray()).ToList();
        Assert.Equal([recent.Number, first.Number], rows.Select(r => r[0]));
        Assert.Equal(["10 Mar 2026", "20 Nov 2025"], rows.Select(r => r[1]));
        Assert.Equal([$"/tickets/{recent.Id}", $"/tickets/{first.Id}"], cut.FindAll("tbody tr td:first-child a").Select(a => a.GetAttribute("href")));
        Assert.DoesNotContain(other.Number, cut.Markup);
    }
}
