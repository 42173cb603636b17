using CustomerAdmin.Common;
using CustomerAdmin.Features.Customers.History;
using CustomerAdmin.Features.Customers.Search;
using CustomerAdmin.Data;
using CustomerAdmin.Startup;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace CustomerAdmin.Tests.Data;

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

    /// <summary>
    /// The schema the checked-in migrations build is the schema the model describes: tables, columns with their types
    /// and nullability, keys, indexes (with their filters) and foreign keys with their delete rules, read back from the
    /// database's catalog and compared with a database created straight from the model. Migrations are append-only
    /// from the Initial one on; a hand-edited or missing step shows here even when the snapshot agrees.
    /// </summary>
    [Theory, InlineData(DatabaseProvider.Sqlite), InlineData(DatabaseProvider.Postgres)]
    public async Task TheMigrationChainBuildsTheSchemaTheModelDescribes(DatabaseProvider provider)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var migrated = await TestDatabase.CreateAsync(provider, ct: ct);
        await using var fromModel = await TestDatabase.CreateAsync(provider, migrate: false, ct: ct);
        await using (var db = fromModel.CreateDbContext())
            Assert.True(await db.Database.EnsureCreatedAsync(ct));

        var expected = await SchemaAsync(fromModel, ct);
        var actual = await SchemaAsync(migrated, ct);

        Assert.NotEmpty(expected);
        Assert.True(expected.SequenceEqual(actual),
            "Only in the model: " + string.Join("; ", expected.Except(actual)) + Environment.NewLine +
            "Only in the migrated database: " + string.Join("; ", actual.Except(expected)));
    }

    /// <summary>One line per column, index and foreign key of every table but EF's own migration bookkeeping.</summary>
    private static async Task<List<string>> SchemaAsync(TestDatabase database, CancellationToken ct)
    {
        await using var db = database.CreateDbContext();
        var connection = db.Database.GetDbConnection();
        await db.Database.OpenConnectionAsync(ct);
        var lines = new List<string>();
        async Task ReadAsync(string sql, Func<System.Data.Common.DbDataReader, string> line)
        {
            await using var command = connection.CreateCommand();
            command.CommandText = sql;
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct)) lines.Add(line(reader));
        }
        // A NOT NULL column added to an existing table gets a zero default from EF, so the rows already there have a
        // value; for the model that is no default at all. Any other default must agree.
        static string Default(string text) => text is "0" or "'0'" or "0.0" or "''" or "''::text" or "''::character varying" or "false" or "FALSE"
            or "'0001-01-01 00:00:00'" or "'-infinity'::timestamp with time zone" ? "" : text;
        static string Text(System.Data.Common.DbDataReader r, int i) => r.IsDBNull(i) ? "" : Convert.ToString(r.GetValue(i), System.Globalization.CultureInfo.InvariantCulture)!;

        if (database.Provider == DatabaseProvider.Sqlite)
        {
            var tables = new List<string>();
            await ReadAsync("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '__EFMigrations%'",
                r => { tables.Add(r.GetString(0)); return "table " + r.GetString(0); });
            foreach (var table in tables)
            {
                await ReadAsync($"SELECT name, type, \"notnull\", pk, dflt_value FROM pragma_table_info('{table}')",
                    r => $"column {table}.{Text(r, 0)} {Text(r, 1)} notnull={Text(r, 2)} pk={Text(r, 3)} default={Default(Text(r, 4))}");
                await ReadAsync($"SELECT \"table\", \"from\", \"to\", on_delete FROM pragma_foreign_key_list('{table}')",
                    r => $"fk {table}.{Text(r, 1)} -> {Text(r, 0)}.{Text(r, 2)} on delete {Text(r, 3)}");
            }
            // Index definitions as SQLite stores them, whitespace folded (their filters included).
            await ReadAsync("SELECT name, tbl_name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL",
                r => $"index {Text(r, 1)}.{Text(r, 0)}: {string.Join(' ', Text(r, 2).Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries))}");
        }
        else
        {
            await ReadAsync("""
                SELECT table_name, column_name, data_type, is_nullable, coalesce(character_maximum_length, -1), coalesce(collation_name, ''),
                       coalesce(column_default, ''), coalesce(numeric_precision, -1), coalesce(numeric_scale, -1)
                FROM information_schema.columns WHERE table_schema = 'public' AND table_name <> '__EFMigrationsHistory'
                """, r => $"column {Text(r, 0)}.{Text(r, 1)} {Text(r, 2)}({Text(r, 4)},{Text(r, 7)},{Text(r, 8)}) nullable={Text(r, 3)} collation={Text(r, 5)} default={Default(Text(r, 6))}");
            await ReadAsync("""
                SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' AND tablename <> '__EFMigrationsHistory'
                """, r => $"index {Text(r, 0)}.{Text(r, 1)}: {Text(r, 2)}");
            await ReadAsync("""
                SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint
                WHERE connamespace = 'public'::regnamespace AND conrelid::regclass::text <> '"__EFMigrationsHistory"'
                """, r => $"constraint {Text(r, 0)}.{Text(r, 1)}: {Text(r, 2)}");
        }
        lines.Sort(StringComparer.Ordinal);
        return lines;
    }

    [Fact]
    public async Task PostgresKeepsAFineHistogramOfSearchTokens()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Postgres, ct: ct);
        await using var db = database.CreateDbContext();

        // Without it PostgreSQL misjudges narrow token ranges by orders of magnitude and picks nested loops that
        // turn a two-word search into half a second (set by hand in the Initial migration).
        var target = await db.Database.SqlQuery<int>($"""
            SELECT attstattarget::int AS "Value" FROM pg_attribute
            WHERE attrelid = '"CustomerSearchTokens"'::regclass AND attname = 'Token'
            """).SingleAsync(ct);
        Assert.Equal(1000, target);
    }
}
