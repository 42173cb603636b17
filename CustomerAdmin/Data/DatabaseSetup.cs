using CustomerAdmin.Common;
using CustomerAdmin.Features.Dashboard;
using CustomerAdmin.Features.Events;
using CustomerAdmin.Security;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace CustomerAdmin.Data;

public static class DatabaseSetup
{
    public const string DefaultSqliteConnection = "Data Source=data/customeradmin.db";

    /// <summary>
    /// Registers <c>IDbContextFactory&lt;AppDbContext&gt;</c> for the configured provider. Contexts come from EF's
    /// context pool: every component and search keystroke creates one per operation, and a new context's set-up
    /// (EF's internal services) otherwise costs more than the indexed query it runs.
    /// </summary>
    public static IHostApplicationBuilder AddAppDatabase(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<DatabaseOptions>().BindConfiguration(DatabaseOptions.Section)
            .ValidateDataAnnotations().ValidateOnStart();
        var options = builder.Configuration.GetSection(DatabaseOptions.Section).Get<DatabaseOptions>() ?? new();

        if (options.Provider == DatabaseProvider.Postgres)
        {
            var cs = builder.Configuration.GetConnectionString("Postgres");
            if (string.IsNullOrWhiteSpace(cs))
                throw new InvalidOperationException("Database:Provider is Postgres but ConnectionStrings:Postgres is not set.");
            builder.Services.AddPooledDbContextFactory<PostgresAppDbContext>((sp, o) => o.UseNpgsql(cs).UseAppServices(sp));
            builder.Services.AddSingleton<IDbContextFactory<AppDbContext>, ProviderFactory<PostgresAppDbContext>>();
        }
        else
        {
            var cs = builder.Configuration.GetConnectionString("Sqlite") ?? DefaultSqliteConnection;
            var contentRoot = builder.Environment.ContentRootPath;
            builder.Services.AddPooledDbContextFactory<SqliteAppDbContext>((sp, o) => o.UseSqlite(PrepareSqlite(cs, contentRoot)).UseAppServices(sp));
            builder.Services.AddSingleton<IDbContextFactory<AppDbContext>, ProviderFactory<SqliteAppDbContext>>();
        }
        builder.Services.AddHostedService<DatabaseInitializer>();
        builder.Services.AddSingleton<DemoData>();
        builder.Services.AddHealthChecks().AddCheck<DatabaseHealthCheck>("database");
        return builder;
    }

    /// <summary>Makes a relative SQLite path relative to the app's folder and creates the folder it lives in.</summary>
    public static string PrepareSqlite(string connectionString, string contentRoot)
    {
        var csb = new SqliteConnectionStringBuilder(connectionString);
        if (csb.DataSource is { Length: > 0 } path && path != ":memory:" && csb.Mode != SqliteOpenMode.Memory)
        {
            var full = Path.IsPathRooted(path) ? path : Path.Combine(contentRoot, path);
            Directory.CreateDirectory(Path.GetDirectoryName(full)!);
            csb.DataSource = full;
        }
        return csb.ToString();
    }

    private static DbContextOptionsBuilder UseAppServices(this DbContextOptionsBuilder o, IServiceProvider sp) =>
        o.UseAppServices(sp.GetService<TimeProvider>(), sp.GetService<CurrentUser>(), sp.GetService<IOptions<VenueOptions>>()?.Value);

    private sealed class ProviderFactory<T>(IDbContextFactory<T> inner) : IDbContextFactory<AppDbContext>
        where T : AppDbContext
    {
        public AppDbContext CreateDbContext()
        {
            var db = inner.CreateDbContext();
            db.ResetForReuse();
            return db;
        }
    }
}

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
            if (db.Database.IsSqlite())
                await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", ct);
        }
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

/// <summary>/health: can the app reach its database right now?</summary>
public sealed class DatabaseHealthCheck(IDbContextFactory<AppDbContext> dbFactory) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default)
    {
        try
        {
            await using var db = await dbFactory.CreateDbContextAsync(ct);
            return await db.Database.CanConnectAsync(ct)
                ? HealthCheckResult.Healthy("The database is reachable.")
                : HealthCheckResult.Unhealthy("The database is not reachable.");
        }
        catch (Exception ex)
        {
            return HealthCheckResult.Unhealthy("The database is not reachable.", ex);
        }
    }
}
