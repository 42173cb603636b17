using CustomerAdmin.Common;
using CustomerAdmin.Data;
using CustomerAdmin.Features;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Npgsql;

namespace CustomerAdmin.Tests.Infrastructure;

/// <summary>
/// A fresh, migrated database for one test, on either provider, handed out as the same
/// <see cref="IDbContextFactory{AppDbContext}"/> the app's components use.
/// </summary>
/// <remarks>
/// SQLite: a named shared-cache in-memory database, kept alive by one open connection for the test's lifetime.
/// Every context opens its own connection (as in the app), so two contexts can hold transactions independently
/// and a component under bUnit can run overlapping loads without sharing one connection object.
/// PostgreSQL: a uniquely named database created from <see cref="PostgresVariable"/> and dropped on dispose.
/// Both are built with the real migrations, never EnsureCreated, so the tests exercise the schema users get.
/// </remarks>
public sealed class TestDatabase : IAsyncDisposable
{
    public const string PostgresVariable = "CUSTOMERADMIN_TEST_POSTGRES";
    public const string PostgresSkipReason =
        "PostgreSQL tests need CUSTOMERADMIN_TEST_POSTGRES (a connection string for a role with CREATEDB)";

    private readonly SqliteConnection? _keepAlive;
    private readonly string? _adminConnectionString;
    private readonly string? _databaseName;
    private readonly TimeProvider? _time;
    private readonly VenueOptions? _venue;

    private TestDatabase(DatabaseProvider provider, string connectionString, IDbContextFactory<AppDbContext> factory,
        SqliteConnection? keepAlive, string? adminConnectionString, string? databaseName, TimeProvider? time, VenueOptions? venue)
    {
        _time = time;
        _venue = venue;
        Provider = provider;
        ConnectionString = connectionString;
        Factory = factory;
        _keepAlive = keepAlive;
        _adminConnectionString = adminConnectionString;
        _databaseName = databaseName;
    }

    public DatabaseProvider Provider { get; }

    /// <summary>Points at this test's database; usable by a WebApplicationFactory while the test runs.</summary>
    public string ConnectionString { get; }

    public IDbContextFactory<AppDbContext> Factory { get; }

    public AppDbContext CreateDbContext() => Factory.CreateDbContext();

    /// <summary>Contexts on this same database that run <paramref name="interceptors"/>, to make something fail at an exact point.</summary>
    public IDbContextFactory<AppDbContext> FactoryWith(params IInterceptor[] interceptors) => Provider switch
    {
        DatabaseProvider.Sqlite => new ContextFactory(() => new SqliteAppDbContext(
            new DbContextOptionsBuilder<SqliteAppDbContext>().UseSqlite(ConnectionString).AddInterceptors(interceptors).UseCustomerAdmin(_time, null, _venue).Options)),
        _ => new ContextFactory(() => new PostgresAppDbContext(
            new DbContextOptionsBuilder<PostgresAppDbContext>().UseNpgsql(ConnectionString).AddInterceptors(interceptors).UseCustomerAdmin(_time, null, _venue).Options)),
    };

    /// <summary>Contexts on this same database that run only <paramref name="keepers"/>, to show what a missing keeper of derived data leaves behind.</summary>
    public IDbContextFactory<AppDbContext> FactoryWithKeepers(IReadOnlyList<DerivedDataKeeper> keepers) => Provider switch
    {
        DatabaseProvider.Sqlite => new ContextFactory(() => new SqliteAppDbContext(
            new DbContextOptionsBuilder<SqliteAppDbContext>().UseSqlite(ConnectionString).UseCustomerAdmin(_time, null, _venue, keepers).Options)),
        _ => new ContextFactory(() => new PostgresAppDbContext(
            new DbContextOptionsBuilder<PostgresAppDbContext>().UseNpgsql(ConnectionString).UseCustomerAdmin(_time, null, _venue, keepers).Options)),
    };

    /// <summary>Contexts on this same database whose SQLite busy timeout (the connection's default command timeout) is <paramref name="seconds"/>.</summary>
    public IDbContextFactory<AppDbContext> FactoryWithBusyTimeout(int seconds) => Provider switch
    {
        DatabaseProvider.Sqlite => new ContextFactory(() => new SqliteAppDbContext(new DbContextOptionsBuilder<SqliteAppDbContext>()
            .UseSqlite(new SqliteConnectionStringBuilder(ConnectionString) { DefaultTimeout = seconds }.ToString()).UseCustomerAdmin(_time, null, _venue).Options)),
        _ => Factory,
    };

    /// <summary>True when CI=true: a missing or broken PostgreSQL must fail the build instead of quietly skipping.</summary>
    public static bool RunningInCi =>
        string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    /// <param name="migrate">False gives an empty database, for tests of the migrations themselves.</param>
    /// <param name="venue">The venue whose days the contexts count the dashboard summary in (UTC when not given).</param>
    public static async Task<TestDatabase> CreateAsync(DatabaseProvider provider, TimeProvider? time = null,
        bool migrate = true, CancellationToken ct = default, VenueOptions? venue = null)
    {
        var database = provider switch
        {
            DatabaseProvider.Sqlite => await CreateSqliteAsync(time, venue, ct),
            DatabaseProvider.Postgres => await CreatePostgresAsync(time, venue, ct),
            _ => throw new ArgumentOutOfRangeException(nameof(provider), provider, null),
        };
        if (!migrate) return database;
        try
        {
            await using var db = database.CreateDbContext();
            await db.Database.MigrateAsync(ct);
            return database;
        }
        catch
        {
            await database.DisposeAsync();
            throw;
        }
    }

    private static async Task<TestDatabase> CreateSqliteAsync(TimeProvider? time, VenueOptions? venue, CancellationToken ct)
    {
        var connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = $"customeradmin-test-{Guid.NewGuid():N}",
            Mode = SqliteOpenMode.Memory,
            Cache = SqliteCacheMode.Shared,
        }.ToString();
        // An in-memory database lives as long as one connection to it is open.
        var keepAlive = new SqliteConnection(connectionString);
        await keepAlive.OpenAsync(ct);
        var options = new DbContextOptionsBuilder<SqliteAppDbContext>().UseSqlite(connectionString).UseCustomerAdmin(time, null, venue).Options;
        return new TestDatabase(DatabaseProvider.Sqlite, connectionString,
            new ContextFactory(() => new SqliteAppDbContext(options)), keepAlive, null, null, time, venue);
    }

    private static async Task<TestDatabase> CreatePostgresAsync(TimeProvider? time, VenueOptions? venue, CancellationToken ct)
    {
        var configured = Environment.GetEnvironmentVariable(PostgresVariable);
        if (string.IsNullOrWhiteSpace(configured))
        {
            if (RunningInCi)
                throw new InvalidOperationException($"CI=true but {PostgresVariable} is not set: {PostgresSkipReason}.");
            Assert.Skip(PostgresSkipReason);
        }

        // The admin connection is not pooled, so no idle session lingers in the maintenance database.
        var admin = new NpgsqlConnectionStringBuilder(configured) { Pooling = false }.ToString();
        var name = $"customeradmin_t_{Guid.NewGuid():N}";
        try
        {
            await using var connection = new NpgsqlConnection(admin);
            await connection.OpenAsync(ct);
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    await using var create = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
                    await create.ExecuteNonQueryAsync(ct);
                    break;
                }
                // CREATE DATABASE copies template1 and refuses while anything else is attached to it (55006), which
                // an autovacuum worker briefly is now and then; it is gone within moments.
                catch (PostgresException ex) when (ex.SqlState == "55006" && attempt < 50)
                {
                    await Task.Delay(200, ct);
                }
            }
        }
        catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException or ArgumentException)
        {
            // Configured but unreachable is a broken setup, in CI and on a developer machine alike: fail loudly.
            throw new InvalidOperationException(
                $"Could not create a test database with {PostgresVariable} ({ex.Message}).", ex);
        }

        var connectionString = new NpgsqlConnectionStringBuilder(configured) { Database = name }.ToString();
        var options = new DbContextOptionsBuilder<PostgresAppDbContext>().UseNpgsql(connectionString).UseCustomerAdmin(time, null, venue).Options;
        return new TestDatabase(DatabaseProvider.Postgres, connectionString,
            new ContextFactory(() => new PostgresAppDbContext(options)), null, admin, name, time, venue);
    }

    /// <summary>
    /// App settings for a test that holds the write lock: on SQLite a busy timeout (the command timeout) of one second, so
    /// the app's writes give up within the test's patience; nothing on PostgreSQL, whose writers wait for the lock.
    /// </summary>
    public Dictionary<string, string?> ShortBusyTimeoutSettings() => Provider == DatabaseProvider.Sqlite
        ? new() { ["ConnectionStrings:Sqlite"] = new SqliteConnectionStringBuilder(ConnectionString) { DefaultTimeout = 1 }.ToString() }
        : [];

    /// <summary>
    /// Another connection's open write transaction, as another instance or an import holds it, released on dispose: on
    /// SQLite the database's write lock (<c>BEGIN IMMEDIATE</c>), on PostgreSQL, which has no lock for a whole database,
    /// an exclusive lock on <paramref name="table"/>.
    /// </summary>
    public async Task<IAsyncDisposable> HoldWriteLockAsync(string table, CancellationToken ct = default)
    {
        if (Provider == DatabaseProvider.Sqlite)
        {
            var connection = new SqliteConnection(ConnectionString);
            await connection.OpenAsync(ct);
            await using (var begin = connection.CreateCommand())
            {
                begin.CommandText = "BEGIN IMMEDIATE";
                await begin.ExecuteNonQueryAsync(ct);
            }
            return connection;
        }
        var pg = new NpgsqlConnection(ConnectionString);
        await pg.OpenAsync(ct);
        await using (var lockTable = new NpgsqlCommand($"BEGIN; LOCK TABLE \"{table}\" IN EXCLUSIVE MODE", pg))
            await lockTable.ExecuteNonQueryAsync(ct);
        return pg;
    }

    public async ValueTask DisposeAsync()
    {
        if (_keepAlive is not null)
        {
            await _keepAlive.DisposeAsync();
            // Pooled connections would otherwise keep the in-memory database alive after the test.
            SqliteConnection.ClearPool(_keepAlive);
        }
        if (_adminConnectionString is not null && _databaseName is not null)
        {
            await using (var pooled = new NpgsqlConnection(ConnectionString))
                NpgsqlConnection.ClearPool(pooled);
            await DropPostgresDatabaseAsync(_adminConnectionString, _databaseName);
        }
    }

    private static async Task DropPostgresDatabaseAsync(string adminConnectionString, string name)
    {
        await using var connection = new NpgsqlConnection(adminConnectionString);
        await connection.OpenAsync();
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)", connection);
                await drop.ExecuteNonQueryAsync();
                return;
            }
            // FORCE ends our own sessions, but a role without superuser rights cannot end an autovacuum worker
            // that has just started on the new database (42501), nor drop while one is attached (55006).
            // The worker finishes within moments on a test-sized database, so wait and try again.
            catch (PostgresException ex) when (ex.SqlState is "42501" or "55006" && attempt < 50)
            {
                await Task.Delay(200);
            }
        }
    }

    private sealed class ContextFactory(Func<AppDbContext> create) : IDbContextFactory<AppDbContext>
    {
        public AppDbContext CreateDbContext() => create();
    }
}
