using CustomerAdmin.Common;
using CustomerAdmin.Features.Customers.History;
using CustomerAdmin.Features.Customers.Search;
using CustomerAdmin.Data;
using CustomerAdmin.Startup;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace CustomerAdmin.Tests.Startup;

public class DemoDataTests
{
    private const int DemoCustomers = 500;

    [Theory, InlineData(DatabaseProvider.Sqlite), InlineData(DatabaseProvider.Postgres)]
    public async Task DemoSeedCoversEveryTypeStatusTierAndTwelveCities(DatabaseProvider provider)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var database = await TestDatabase.CreateAsync(provider, ct: ct);

        await StartAppAsync(database);

        await using var db = database.CreateDbContext();
        var customers = await db.Customers.AsNoTracking().ToListAsync(ct);
        Assert.Equal(DemoCustomers, customers.Count);
        Assert.Equal(Enum.GetValues<CustomerType>().ToHashSet(), customers.Select(c => c.Type).ToHashSet());
        // Merged records come only from a merge (they point at their survivor); the demo has pairs to merge instead.
        Assert.Equal(Enum.GetValues<CustomerStatus>().Where(s => s != CustomerStatus.Merged).ToHashSet(), customers.Select(c => c.Status).ToHashSet());
        Assert.Equal(Enum.GetValues<CustomerTier>().ToHashSet(), customers.Select(c => c.Tier).ToHashSet());
        Assert.Equal(12, customers.Select(c => c.City).Distinct().Count());
        // The seed must respect the rules the app enforces: valid E.164 phones, one live record per phone.
        var phones = new PhoneNormalizer("US");
        Assert.All(customers, c => Assert.Equal(c.PrimaryPhone, phones.Check(c.PrimaryPhone).E164));
        Assert.Equal(customers.Count, customers.Select(c => c.PrimaryPhone).Distinct().Count());
        Assert.All(customers, c => Assert.False(string.IsNullOrWhiteSpace(c.FullName)));
    }

    [Theory, InlineData(DatabaseProvider.Sqlite), InlineData(DatabaseProvider.Postgres)]
    public async Task DemoCustomersStatsAreBackedByTheirClosedTicketsAndSales(DatabaseProvider provider)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var database = await TestDatabase.CreateAsync(provider, ct: ct);

        await StartAppAsync(database);

        await using var db = database.CreateDbContext();
        var customers = await db.Customers.AsNoTracking().ToListAsync(ct);
        var tickets = await db.Tickets.AsNoTracking().Where(t => t.Status == TicketStatus.Closed)
            .Select(t => new { t.CustomerId, Amount = t.FinalAmount!.Value, At = t.ClosedAt!.Value }).ToListAsync(ct);
        var sales = await db.Sales.AsNoTracking().Select(s => new { s.CustomerId, Amount = s.Total, At = s.SoldAt }).ToListAsync(ct);
        var visits = tickets.Concat(sales).ToLookup(v => v.CustomerId);
        Assert.True(visits.Count > DemoCustomers / 2, "most demo customers have a history");
        Assert.All(customers, c =>
        {
            var mine = visits[c.Id].ToList();
            Assert.Equal(mine.Sum(v => v.Amount), c.TotalSpent);
            Assert.Equal(mine.Count, c.VisitCount);
            Assert.Equal(mine.Count == 0 ? null : mine.Max(v => v.At), c.LastVisitAt);
        });
    }

    [Theory, InlineData(DatabaseProvider.Sqlite), InlineData(DatabaseProvider.Postgres)]
    public async Task DemoSeedIsSearchableAndHidesDeletedCustomers(DatabaseProvider provider)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var database = await TestDatabase.CreateAsync(provider, ct: ct);
        await StartAppAsync(database);

        await using var db = database.CreateDbContext();
        var jose = await db.SuggestAsync(SearchQuery.Parse("jose alv", new PhoneNormalizer("US")), ct);
        Assert.Contains(jose, s => s.Name == "José Álvarez");
        var deletedIds = await db.Customers.Where(c => c.Status == CustomerStatus.Deleted).Select(c => c.Id).ToListAsync(ct);
        Assert.NotEmpty(deletedIds);
        Assert.False(await db.CustomerSearchTokens.AnyAsync(t => deletedIds.Contains(t.CustomerId), ct));
    }

    [Fact]
    public async Task DemoHistoryEndsOnTheDayOfSeedingSoThisMonthHasFigures()
    {
        var ct = TestContext.Current.CancellationToken;
        var now = new DateTimeOffset(2027, 3, 15, 9, 30, 0, TimeSpan.Zero);
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite, ct: ct);
        await new DemoData(database.Factory, new PhoneNormalizer("US"), new Microsoft.Extensions.Time.Testing.FakeTimeProvider(now))
            .SeedAsync(DemoCustomers, ct);

        await using var db = database.CreateDbContext();
        var (today, monthStart) = (now.UtcDateTime.Date, new DateTime(2027, 3, 1, 0, 0, 0, DateTimeKind.Utc));
        // Nothing in the future, and this month already has closed tickets, sales and new customers to show.
        Assert.False(await db.Customers.AnyAsync(c => c.CreatedAt > today, ct));
        Assert.False(await db.Tickets.AnyAsync(t => t.OpenedAt > today || t.ClosedAt > today, ct));
        Assert.False(await db.Sales.AnyAsync(s => s.SoldAt > today, ct));
        Assert.True(await db.Tickets.CountAsync(t => t.Status == TicketStatus.Closed && t.ClosedAt >= monthStart, ct) >= 5);
        Assert.True(await db.Sales.AnyAsync(s => s.SoldAt >= monthStart, ct));
        Assert.True(await db.Customers.AnyAsync(c => c.CreatedAt >= monthStart, ct));
        Assert.True(await db.Customers.AnyAsync(c => c.CreatedAt < today.AddDays(-650), ct));
    }

    [Fact]
    public async Task DemoSeedIsDeterministic()
    {
        var first = await SeededNamesAsync();
        var second = await SeededNamesAsync();

        Assert.Equal(DemoCustomers, first.Count);
        Assert.Equal(first, second);
    }

    [Theory, InlineData(DatabaseProvider.Sqlite), InlineData(DatabaseProvider.Postgres)]
    public async Task DemoSeedDoesNothingOnANonEmptyDatabase(DatabaseProvider provider)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var database = await TestDatabase.CreateAsync(provider, ct: ct);
        await using (var db = database.CreateDbContext())
        {
            db.Customers.Add(TestCustomers.Individual("Ann", "Lee", "+12127365000"));
            await db.SaveChangesAsync(ct);
        }

        await StartAppAsync(database);

        await using var check = database.CreateDbContext();
        Assert.Equal("Ann Lee", (await check.Customers.SingleAsync(ct)).FullName);
    }

    [Theory, InlineData(DatabaseProvider.Sqlite), InlineData(DatabaseProvider.Postgres)]
    public async Task DemoSeedDoesNothingWhenOnlyDeletedCustomersExist(DatabaseProvider provider)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var database = await TestDatabase.CreateAsync(provider, ct: ct);
        await using (var db = database.CreateDbContext())
        {
            var deleted = TestCustomers.Individual("Ann", "Lee", "+12127365000");
            deleted.Status = CustomerStatus.Deleted;
            db.Customers.Add(deleted);
            await db.SaveChangesAsync(ct);
        }

        await StartAppAsync(database);

        await using var check = database.CreateDbContext();
        Assert.Equal(1, await check.Customers.CountAsync(ct));
    }

    [Theory, InlineData(DatabaseProvider.Sqlite), InlineData(DatabaseProvider.Postgres)]
    public async Task StartingTheAppTwiceSeedsOnce(DatabaseProvider provider)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var database = await TestDatabase.CreateAsync(provider, ct: ct);

        await StartAppAsync(database, customers: 20);
        await StartAppAsync(database, customers: 20);

        await using var check = database.CreateDbContext();
        Assert.Equal(20, await check.Customers.CountAsync(ct));
    }

    /// <summary>Runs the app's start-up initializer (migrate, then seed an empty database) against the test database.</summary>
    private static Task StartAppAsync(TestDatabase database, int customers = DemoCustomers)
    {
        var options = Options.Create(new DatabaseOptions { Migrate = true, SeedDemoData = true, DemoCustomers = customers });
        var initializer = new DatabaseInitializer(database.Factory, options,
            new DemoData(database.Factory, new PhoneNormalizer("US")), NullLogger<DatabaseInitializer>.Instance);
        return initializer.StartAsync(TestContext.Current.CancellationToken);
    }

    private static async Task<List<string>> SeededNamesAsync()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite, ct: ct);
        await StartAppAsync(database);
        await using var db = database.CreateDbContext();
        return await db.Customers.OrderBy(c => c.Id)
            .Select(c => c.FirstName + "|" + c.LastName + "|" + c.Name + "|" + c.PrimaryPhone + "|" + c.Email)
            .ToListAsync(ct);
    }
}
