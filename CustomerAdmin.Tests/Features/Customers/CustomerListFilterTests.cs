using CustomerAdmin.Common;
using CustomerAdmin.Features.Customers;
using CustomerAdmin.Features.Customers.Search;
using CustomerAdmin.Data;
using Microsoft.EntityFrameworkCore;

namespace CustomerAdmin.Tests.Features.Customers;

/// <summary>The filters the dashboard added to the customer list, read from the query string as the page reads it.</summary>
public sealed class CustomerListFilterTests
{
    private static readonly DateTime Day = new(2026, 3, 10, 12, 0, 0, DateTimeKind.Utc);

    [Theory, InlineData(DatabaseProvider.Sqlite), InlineData(DatabaseProvider.Postgres)]
    public async Task TicketRevenueAndCreatedRangesSelectExactlyTheCustomersInside(DatabaseProvider provider)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var database = await TestDatabase.CreateAsync(provider, ct: ct);
        await using (var db = database.CreateDbContext())
        {
            var data = new TestData.Batch(db);
            var none = data.Customer("No", "Tickets", Day.AddDays(-10));
            var two = data.Customer("Two", "Tickets", Day);
            data.Ticket(two, Day, TicketStatus.Closed, Day, 100m);
            data.Ticket(two, Day);
            var five = data.Customer("Five", "Tickets", Day.AddDays(1));
            for (var i = 0; i < 5; i++) data.Ticket(five, Day, TicketStatus.Closed, Day, 10m);
            await db.SaveChangesAsync(ct);
        }

        await using var read = database.CreateDbContext();
        async Task<string[]> NamesAsync(string query) =>
            (await read.Filtered(CustomerListQueryString.Parse(query, new()), new PhoneNormalizer("US")).Sorted(CustomerSort.Created, false)
                .Select(c => c.FirstName!).ToListAsync(ct)).ToArray();

        Assert.Equal(["Two", "Five"], await NamesAsync("?tickets_min=2"));
        Assert.Equal(["No", "Two"], await NamesAsync("?tickets_max=2"));
        Assert.Equal(["Two"], await NamesAsync("?tickets_min=1&tickets_max=4"));
        Assert.Equal(["Five"], await NamesAsync("?revenue_min=50&revenue_max=99.99"));
        Assert.Equal(["Two", "Five"], await NamesAsync("?revenue_min=50"));
        Assert.Equal(["Two"], await NamesAsync("?created_from=2026-03-10&created_to=2026-03-10"));
        Assert.Equal(["No", "Two", "Five"], await NamesAsync("?tickets_min=-1&revenue_min=abc"));
    }

    [Theory, InlineData(DatabaseProvider.Sqlite), InlineData(DatabaseProvider.Postgres)]
    public async Task TheListSearchFindsACustomerByAnExternalReferenceOfAnySourceAsTheAppBarDoes(DatabaseProvider provider)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var database = await TestDatabase.CreateAsync(provider, ct: ct);
        await using (var db = database.CreateDbContext())
        {
            var data = new TestData.Batch(db);
            var customers = Enumerable.Range(0, 300).Select(i => data.Customer($"Person{i}", $"Family{i}", Day, city: i % 2 == 0 ? "Boston" : "Salem")).ToList();
            var run = new ImportRun { FileName = "old.csv", FileHash = "00", StartedAt = Day, Status = ImportRunStatus.Completed };
            db.ImportRuns.Add(run);
            await db.SaveChangesAsync(ct);
            for (var i = 0; i < 300; i++)
                db.LegacyCustomerLinks.Add(new LegacyCustomerLink { Source = i < 150 ? "legacy" : "shopify", LegacyId = $"C-{1000 + i}", CustomerId = customers[i].Id, ImportRunId = run.Id });
            await db.SaveChangesAsync(ct);
        }

        await using var read = database.CreateDbContext();
        async Task<string[]> NamesAsync(string query) =>
            (await read.Filtered(CustomerListQueryString.Parse(query, new()), new PhoneNormalizer("US")).Sorted(CustomerSort.Name, false)
                .Select(c => c.FirstName!).ToListAsync(ct)).ToArray();

        Assert.Equal(["Person42"], await NamesAsync("?q=C-1042"));
        Assert.Equal(["Person242"], await NamesAsync("?q=C-1242"));
        // Exact, not a prefix; combined with the other filters like any search.
        Assert.Empty(await NamesAsync("?q=C-104"));
        Assert.Empty(await NamesAsync("?q=C-1042&city=Salem"));
        Assert.Equal(["Person43"], await NamesAsync("?q=C-1043&city=Salem"));
        // Names are still found as before.
        Assert.Equal(["Person299"], await NamesAsync("?q=person299 family"));
    }
}
