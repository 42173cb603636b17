using CustomerAdmin.Common;
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
    /// <param name="keepers">The keepers of derived data every save runs (<see cref="DerivedDataKeeper"/>).</param>
    public static IHostApplicationBuilder AddAppDatabase(this IHostApplicationBuilder builder, IReadOnlyList<DerivedDataKeeper> keepers)
    {
        builder.Services.AddOptions<DatabaseOptions>().BindConfiguration(DatabaseOptions.Section)
            .ValidateDataAnnotations().ValidateOnStart();
        var options = builder.Configuration.GetSection(DatabaseOptions.Section).Get<DatabaseOptions>() ?? new();

        if (options.Provider == DatabaseProvider.Postgres)
        {
            var cs = builder.Configuration.GetConnectionString("Postgres");
            if (string.IsNullOrWhiteSpace(cs))
                throw new InvalidOperationException("Database:Provider is Postgres but ConnectionStrings:Postgres is not set.");
            cs = TunePostgres(cs);
            builder.Services.AddPooledDbContextFactory<PostgresAppDbContext>((sp, o) => o.UseNpgsql(cs).UseAppServices(sp, keepers));
            builder.Services.AddSingleton<IDbContextFactory<AppDbContext>, ProviderFactory<PostgresAppDbContext>>();
        }
        else
        {
            var cs = builder.Configuration.GetConnectionString("Sqlite") ?? DefaultSqliteConnection;
            var contentRoot = builder.Environment.ContentRootPath;
            builder.Services.AddPooledDbContextFactory<SqliteAppDbContext>((sp, o) => o.UseSqlite(PrepareSqlite(cs, contentRoot)).UseAppServices(sp, keepers));
            builder.Services.AddSingleton<IDbContextFactory<AppDbContext>, ProviderFactory<SqliteAppDbContext>>();
        }
        builder.Services.AddHealthChecks().AddCheck<DatabaseHealthCheck>("database");
        return builder;
    }

    /// <summary>
    /// Npgsql settings for many short statements, unless the connection string sets them itself. <c>Max Auto Prepare</c>
    /// (off by default): a statement run a few times on a pooled connection is prepared there, so PostgreSQL parses and
    /// plans it once per connection instead of at every request (the API's get, the token check, the lookups).
    /// <c>No Reset On Close</c>: a connection given back to the pool is not reset (<c>DISCARD</c> and friends before
    /// its next statement); the app keeps no session state on a connection (no <c>SET</c>, temporary tables, session
    /// advisory locks or <c>LISTEN</c>: its one advisory lock is transaction-scoped), so the reset only cost a backend's time.
    /// </summary>
    public static string TunePostgres(string connectionString)
    {
        var given = new System.Data.Common.DbConnectionStringBuilder { ConnectionString = connectionString }.Keys.Cast<string>()
            .Select(k => k.Replace(" ", "", StringComparison.Ordinal)).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var csb = new Npgsql.NpgsqlConnectionStringBuilder(connectionString);
        if (!given.Contains("MaxAutoPrepare")) csb.MaxAutoPrepare = 64;
        if (!given.Contains("NoResetOnClose")) csb.NoResetOnClose = true;
        return csb.ConnectionString;
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

    private static DbContextOptionsBuilder UseAppServices(this DbContextOptionsBuilder o, IServiceProvider sp, IReadOnlyList<DerivedDataKeeper> keepers) =>
        o.UseAppServices(keepers, sp.GetService<TimeProvider>(), sp.GetService<CurrentUser>(), sp.GetService<IOptions<VenueOptions>>()?.Value);

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
