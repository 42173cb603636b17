using CustomerAdmin.Data;
using CustomerAdmin.Features.Customers;

namespace CustomerAdmin.Tests.Features.Customers;

/// <summary>The customer list's city filter suggests cities as staff type, read by probes of the city index.</summary>
public sealed class CityQueryTests
{
    private static readonly DateTime Day = new(2026, 3, 10, 12, 0, 0, DateTimeKind.Utc);

    [Theory, InlineData(DatabaseProvider.Sqlite), InlineData(DatabaseProvider.Postgres)]
    public async Task CitiesStartingWithTheTypedTextComeOnceEachInOrderAndOnlyOfLiveCustomers(DatabaseProvider provider)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var database = await TestDatabase.CreateAsync(provider, ct: ct);
        await using (var db = database.CreateDbContext())
        {
            var data = new TestData.Batch(db);
            var i = 0;
            foreach (var city in new[] { "Berlin", "Berlin", "Bern", "Bergen", "Boston", "Aberdeen", "bergamo", "Bernau" })
                data.Customer($"Person{i}", $"Family{i++}", Day, city: city);
            data.Customer("Gone", "Away", Day, city: "Berwick", status: CustomerStatus.Deleted);
            data.Customer("No", "City", Day, city: null);
            await db.SaveChangesAsync(ct);
        }

        await using var read = database.CreateDbContext();
        Assert.Equal(["Bergen", "Berlin", "Bern", "Bernau", "bergamo"], await read.CitiesAsync("ber", ct: ct));
        Assert.Equal(["Bergen", "Berlin", "Bern", "Bernau"], await read.CitiesAsync("Ber", ct: ct));
        Assert.Equal(["Bern", "Bernau"], await read.CitiesAsync(" bern ", ct: ct));
        Assert.Equal(["Bergen", "Berlin"], await read.CitiesAsync("ber", limit: 2, ct: ct));
        Assert.Equal(["Aberdeen", "Bergen", "Berlin"], await read.CitiesAsync("", limit: 3, ct: ct));
        Assert.Empty(await read.CitiesAsync("Berw", ct: ct));
    }
}
