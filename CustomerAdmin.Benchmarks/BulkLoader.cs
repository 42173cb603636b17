using System.Data.Common;
using CustomerAdmin.Features.Customers;
using CustomerAdmin.Features.Customers.History;
using CustomerAdmin.Features.Customers.Search;
using CustomerAdmin.Data;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Npgsql;

namespace CustomerAdmin.Benchmarks;

/// <summary>
/// Fills the migrated schema with plain ADO.NET: one prepared INSERT in one transaction on SQLite, binary COPY on
/// PostgreSQL. Columns, value conversions (cents, UTC, enum names) and store types come from the app's EF model,
/// and search tokens from <see cref="CustomerSearchIndex"/>, so the rows are the ones the app itself would write.
/// </summary>
public static class BulkLoader
{
    public static Task LoadAsync(AppDbContext db, IReadOnlyList<Customer> customers)
    {
        var tokens = customers.SelectMany(CustomerSearchIndex.TokensFor)
            .OrderBy(t => t.Kind).ThenBy(t => t.Token, StringComparer.Ordinal).ThenBy(t => t.CustomerId).ToList();
        return LoadTablesAsync(db, [Table.For<Customer>(db, customers), Table.For<CustomerSearchToken>(db, tokens)]);
    }

    /// <summary>Events and their bookings, with ids set by the caller, for customers already loaded.</summary>
    public static Task LoadAsync(AppDbContext db, IReadOnlyList<Event> events, IReadOnlyList<Booking> bookings) =>
        LoadTablesAsync(db, [Table.For<Event>(db, events), Table.For<Booking>(db, bookings)]);

    /// <summary>Any other entity's rows (tickets for the dashboard benchmark), streamed: the sequence is read once.</summary>
    public static Task LoadAsync<T>(AppDbContext db, IEnumerable<T> rows) where T : class =>
        LoadTablesAsync(db, [Table.For<T>(db, rows)]);

    private static async Task LoadTablesAsync(AppDbContext db, Table[] tables)
    {
        var conn = db.Database.GetDbConnection();
        await db.Database.OpenConnectionAsync();
        try
        {
            // Secondary indexes are built once after the load (a sort) instead of row by row in random order;
            // their definitions are read back from the migrated database, so they come back exactly as migrated.
            var indexes = await SecondaryIndexesAsync(conn, tables.Select(t => t.Name));
            foreach (var (name, _) in indexes) await ExecAsync(conn, $"DROP INDEX \"{name}\"");
            foreach (var table in tables)
            {
                if (conn is NpgsqlConnection pg) await CopyAsync(pg, table);
                else await InsertAsync((SqliteConnection)conn, table);
            }
            if (conn is NpgsqlConnection) await ExecAsync(conn, "SET maintenance_work_mem = '1GB'");
            foreach (var (_, sql) in indexes) await ExecAsync(conn, sql);
            if (conn is NpgsqlConnection)
            {
                // Rows were written with their ids; the identity sequences must continue after them.
                foreach (var table in tables.Where(t => t.Columns.Any(c => c.Name == "Id")))
                    await ExecAsync(conn, $"""SELECT setval(pg_get_serial_sequence('"{table.Name}"', 'Id'), (SELECT max("Id") FROM "{table.Name}"))""");
                await ExecAsync(conn, "VACUUM ANALYZE");
            }
            else
            {
                await ExecAsync(conn, "ANALYZE");
            }
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    private static async Task InsertAsync(SqliteConnection conn, Table table)
    {
        // Nothing to lose if the load dies half way (it is simply run again), so skip the fsyncs while loading.
        await ExecAsync(conn, "PRAGMA synchronous = OFF");
        await ExecAsync(conn, "PRAGMA cache_size = -2000000");
        await using var tx = conn.BeginTransaction();
        await using var cmd = conn.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = $"INSERT INTO \"{table.Name}\" ({table.ColumnList}) VALUES ({string.Join(", ", table.Columns.Select((_, i) => "$p" + i))})";
        var parameters = table.Columns.Select((_, i) => cmd.Parameters.Add(new SqliteParameter("$p" + i, null))).ToArray();
        cmd.Prepare();
        foreach (var row in table.Rows)
        {
            for (var i = 0; i < parameters.Length; i++)
                parameters[i].Value = table.Value(row, i) ?? DBNull.Value;
            cmd.ExecuteNonQuery();
        }
        await tx.CommitAsync();
        await ExecAsync(conn, "PRAGMA synchronous = FULL");
        await ExecAsync(conn, "PRAGMA wal_checkpoint(TRUNCATE)");
    }

    private static async Task CopyAsync(NpgsqlConnection conn, Table table)
    {
        await using var writer = await conn.BeginBinaryImportAsync($"COPY \"{table.Name}\" ({table.ColumnList}) FROM STDIN (FORMAT BINARY)");
        writer.Timeout = TimeSpan.FromHours(1);
        foreach (var row in table.Rows)
        {
            writer.StartRow();
            for (var i = 0; i < table.Columns.Count; i++)
            {
                if (table.Value(row, i) is { } value) writer.Write(value, table.Columns[i].StoreType);
                else writer.WriteNull();
            }
        }
        await writer.CompleteAsync();
    }

    private static async Task<List<(string Name, string Sql)>> SecondaryIndexesAsync(DbConnection conn, IEnumerable<string> tables)
    {
        var names = string.Join(", ", tables.Select(t => $"'{t}'"));
        await using var cmd = conn.CreateCommand();
        cmd.CommandText = conn is NpgsqlConnection
            ? $"SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() AND tablename IN ({names}) AND indexname NOT IN (SELECT conname FROM pg_constraint)"
            : $"SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name IN ({names}) AND sql IS NOT NULL";
        var result = new List<(string, string)>();
        await using var reader = await cmd.ExecuteReaderAsync();
        while (await reader.ReadAsync()) result.Add((reader.GetString(0), reader.GetString(1)));
        return result;
    }

    private static async Task ExecAsync(DbConnection conn, string sql)
    {
        await using var cmd = conn.CreateCommand();
        cmd.CommandText = sql;
        cmd.CommandTimeout = 0;
        await cmd.ExecuteNonQueryAsync();
    }

    private sealed record Column(string Name, string StoreType, IProperty Property);

    /// <summary>An entity's table as the EF model maps it: column names, store types and provider values.</summary>
    private sealed record Table(string Name, IReadOnlyList<Column> Columns, IEnumerable<object> Rows)
    {
        public string ColumnList => string.Join(", ", Columns.Select(c => $"\"{c.Name}\""));

        public static Table For<T>(DbContext db, IEnumerable<T> rows) where T : class
        {
            var entity = db.Model.FindEntityType(typeof(T))!;
            var table = StoreObjectIdentifier.Table(entity.GetTableName()!, entity.GetSchema());
            var columns = entity.GetProperties()
                .Select(p => new Column(p.GetColumnName(table)!, p.GetRelationalTypeMapping().StoreType, p)).ToList();
            return new(table.Name, columns, rows);
        }

        public object? Value(object row, int column)
        {
            var property = Columns[column].Property;
            var value = property.GetGetter().GetClrValueUsingContainingEntity(row);
            var converter = property.GetTypeMapping().Converter;
            return value is null || converter is null ? value : converter.ConvertToProvider(value);
        }
    }
}
