using CustomerAdmin.Common;
using CustomerAdmin.Features.Customers.History;
using CustomerAdmin.Features.Customers.Search;
using CustomerAdmin.Data;
using CustomerAdmin.Startup;
using CustomerAdmin.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace CustomerAdmin.Tests.Integration;

public class MigrationTests
{
    [Theory, InlineData(DatabaseProvider.Sqlite), InlineData(DatabaseProvider.Postgres)]
    public async Task MigrationsApplyToAnEmptyDatabase(DatabaseProvider provider)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var database = await TestDatabase.CreateAsync(provider, migrate: false, ct: ct);
        await using (var before = database.CreateDbContext())
            Assert.NotEmpty(await before.Database.GetPendingMigrationsAsync(ct));

        // Through the app's own start-up path, as a first run would do it.
        var options = Options.Create(new DatabaseOptions { Migrate = true, SeedDemoData = false });
        await new DatabaseInitializer(database.Factory, options, new DemoData(database.Factory, new PhoneNormalizer("US")),
            NullLogger<DatabaseInitializer>.Instance).StartAsync(ct);

        await using var db = database.CreateDbContext();
        Assert.Empty(await db.Database.GetPendingMigrationsAsync(ct));
        Assert.Equal(db.Database.GetMigrations(), await db.Database.GetAppliedMigrationsAsync(ct));
        Assert.Equal(0, await db.Customers.CountAsync(ct));
    }

    [Theory, InlineData(DatabaseProvider.Sqlite), InlineData(DatabaseProvider.Postgres)]
    public async Task MigrationsMatchTheModel(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider, ct: TestContext.Current.CancellationToken);
        await using var db = database.CreateDbContext();

        // Fails when someone changes the model and forgets to add a migration for this provider.
        Assert.False(db.Database.HasPendingModelChanges());
    }

    [Fact]
    public async Task PostgresKeepsAFineHistogramOfSearchTokens()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Postgres, ct: ct);
        await using var db = database.CreateDbContext();

        // Without it PostgreSQL misjudges narrow token ranges by orders of magnitude and picks nested loops that
        // turn a two-word search into half a second (see the SearchTokenStatistics migration).
        var target = await db.Database.SqlQuery<int>($"""
            SELECT attstattarget::int AS "Value" FROM pg_attribute
            WHERE attrelid = '"CustomerSearchTokens"'::regclass AND attname = 'Token'
            """).SingleAsync(ct);
        Assert.Equal(1000, target);
    }
}
