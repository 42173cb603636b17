using CustomerAdmin.Features.Customers.Search;
using CustomerAdmin.Data;

namespace CustomerAdmin.Tests.Features.Customers.Search;

/// <summary>
/// <see cref="CustomerLookup.FindCustomerAsync"/> is what every customer page loads: the customer with its
/// organisation, untracked (a page's form edits a copy, never the context's entity), null for an unknown id.
/// </summary>
public class CustomerLookupTests
{
    [Theory, InlineData(DatabaseProvider.Sqlite), InlineData(DatabaseProvider.Postgres)]
    public async Task LookupLoadsTheCustomerWithItsOrganisationUntracked(DatabaseProvider provider)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var database = await TestDatabase.CreateAsync(provider, ct: ct);
        int id;
        await using (var db = database.CreateDbContext())
        {
            var customer = TestCustomers.Organisation("Mercy Clinic North", "+13125550199", CustomerType.Hospital);
            customer.Organization = new Organization { Name = "Mercy Health", City = "Chicago", CreatedAt = DateTime.UtcNow };
            db.Customers.Add(customer);
            await db.SaveChangesAsync(ct);
            id = customer.Id;
        }

        await using var read = database.CreateDbContext();
        var found = await read.FindCustomerAsync(id, ct);

        Assert.NotNull(found);
        Assert.Equal("Mercy Clinic North", found.Name);
        Assert.Equal("+13125550199", found.PrimaryPhone);
        Assert.Equal("Mercy Health", found.Organization?.Name);
        Assert.Empty(read.ChangeTracker.Entries());
    }

    [Theory, InlineData(DatabaseProvider.Sqlite), InlineData(DatabaseProvider.Postgres)]
    public async Task LookupOfAnUnknownIdReturnsNull(DatabaseProvider provider)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var database = await TestDatabase.CreateAsync(provider, ct: ct);
        await using var db = database.CreateDbContext();

        Assert.Null(await db.FindCustomerAsync(12345, ct));
    }
}
