using CustomerAdmin.Data;
using CustomerAdmin.Features.Customers.Search;
using Microsoft.EntityFrameworkCore;

namespace CustomerAdmin.Tests.Features.Customers.Search;

/// <summary>
/// A database from before the city sort key gets every customer's key at start-up, the key a save computes, and a key
/// written meanwhile is kept.
/// </summary>
public sealed class CityKeyFillTests
{
    private static readonly DateTime Day = new(2026, 3, 10, 12, 0, 0, DateTimeKind.Utc);

    [Theory, InlineData(DatabaseProvider.Sqlite), InlineData(DatabaseProvider.Postgres)]
    public async Task CustomersWithoutACityKeyGetTheKeyASaveComputesInBatches(DatabaseProvider provider)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var database = await TestDatabase.CreateAsync(provider, ct: ct);
        string?[] cities = ["Zürich", " zurich ", "ZURICH", "Bergen", null, "", "São Paulo", "Łódź"];
        await using (var db = database.CreateDbContext())
        {
            var data = new TestData.Batch(db);
            for (var i = 0; i < 250; i++)
                data.Customer($"Person{i}", $"Family{i}", Day, city: cities[i % cities.Length],
                    status: i % 50 == 7 ? CustomerStatus.Deleted : CustomerStatus.Active);
            await db.SaveChangesAsync(ct);
            // As a database written before the column: every key empty but one customer's, which a save (another
            // instance, already upgraded) wrote meanwhile and which the fill must keep.
            await db.Customers.ExecuteUpdateAsync(s => s.SetProperty(c => c.CityKey, ""), ct);
            await db.Customers.Where(c => c.FirstName == "Person3").ExecuteUpdateAsync(s => s.SetProperty(c => c.CityKey, "kept"), ct);
        }

        await using (var db = database.CreateDbContext())
            Assert.Equal(249, await SearchIndexKeeper.FillMissingCityKeysAsync(db, ct, batch: 40));

        await using (var db = database.CreateDbContext())
        {
            var customers = await db.Customers.AsNoTracking().ToListAsync(ct);
            Assert.Equal(250, customers.Count);
            Assert.Equal("kept", customers.Single(c => c.FirstName == "Person3").CityKey);
            foreach (var c in customers.Where(c => c.FirstName != "Person3"))
                Assert.Equal(CustomerSearchIndex.CityKeyFor(c.City), c.CityKey);
            Assert.Equal(["zurich"], customers.Where(c => c.City?.Trim().ToLowerInvariant() is "zürich" or "zurich").Select(c => c.CityKey).Distinct());
            Assert.Equal([CustomerSearchIndex.NoCityKey], customers.Where(c => string.IsNullOrEmpty(c.City)).Select(c => c.CityKey).Distinct());
            // Every start after the first: nothing to fill.
            Assert.Equal(0, await SearchIndexKeeper.FillMissingCityKeysAsync(db, ct));
        }
    }
}
