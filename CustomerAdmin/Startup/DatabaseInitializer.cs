using CustomerAdmin.Data;
using CustomerAdmin.Data.Sql;
using CustomerAdmin.Features;
using CustomerAdmin.Features.Customers.Search;
using CustomerAdmin.Features.Dashboard;
using CustomerAdmin.Security;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace CustomerAdmin.Startup;

/// <summary>Migrates and seeds before the app takes requests (hosted services start before the server).</summary>
public sealed class DatabaseInitializer(
    IDbContextFactory<AppDbContext> dbFactory,
    IOptions<DatabaseOptions> options,
    DemoData demo,
    ILogger<DatabaseInitializer> logger,
    UserSeeder? users = null) : IHostedService
{
    public async Task StartAsync(CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        if (options.Value.Migrate)
        {
            await db.Database.MigrateAsync(ct);
            await db.Sql().ConfigureDatabaseAsync(db, ct);
        }
        // A database from before the city sort key gets its keys (once).
        if (await SearchIndexKeeper.FillMissingCityKeysAsync(db, ct) is > 0 and var filled)
            logger.LogInformation("Computed the city sort key of {Count} customers", filled);
        // A database from before the dashboard summary, or counted in another time zone, is counted again (once).
        if (await DashboardSummary.EnsureAsync(db, ct: ct))
            logger.LogInformation("Counted the dashboard summary in time zone {Zone}", db.Venue.Zone.Id);
        var seeded = false;
        if (options.Value.SeedDemoData && !await db.Customers.IgnoreQueryFilters().AnyAsync(ct))
        {
            var count = await demo.SeedAsync(options.Value.DemoCustomers, ct);
            seeded = true;
            logger.LogInformation("Seeded {Count} demo customers into the empty database", count);
        }
        // Demo users only beside demo data: a real database that merely has no users yet gets the admin alone.
        if (users is not null)
            await users.SeedAsync(withDemoUsers: seeded, ct);
    }

    public Task StopAsync(CancellationToken ct) => Task.CompletedTask;
}

public static class DatabaseStartup
{
    /// <summary>
    /// The app's database (<see cref="DatabaseSetup.AddAppDatabase"/>) with the app's keepers of derived data, and the
    /// start-up work on it: migrations, the dashboard summary's first count, demo data and the first users, done
    /// before any other hosted service starts.
    /// </summary>
    public static IHostApplicationBuilder AddDatabase(this IHostApplicationBuilder builder)
    {
        builder.AddAppDatabase(DerivedData.Keepers);
        builder.Services.AddHostedService<DatabaseInitializer>();
        builder.Services.AddSingleton<DemoData>();
        return builder;
    }
}
