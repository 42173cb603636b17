using System.Linq.Expressions;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Query;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;

namespace CustomerAdmin.Data.Sql;

/// <summary>PostgreSQL: row locks, advisory locks and SKIP LOCKED claims, multi-row upserts, VACUUM.</summary>
public sealed class PostgresDialect : SqlDialect
{
    public static readonly PostgresDialect Instance = new();

    /// <summary>Rows per upsert statement: each statement is a round trip, and a statement may bind 65,535 parameters.</summary>
    private const int RowsPerStatement = 1000;

    /// <summary>unique_violation.</summary>
    private const string UniqueViolation = "23505", LockNotAvailable = "55P03", DeadlockDetected = "40P01";

    private PostgresDialect() { }

    public override async Task LockRowsAsync<T>(AppDbContext db, IReadOnlyCollection<int> ids, RowLock mode, CancellationToken ct = default)
    {
        if (ids.Count == 0) return;
        var names = Identifiers.Of(db);
        var id = names.Id<T>();
        var strength = mode == RowLock.Values ? "FOR NO KEY UPDATE" : "FOR UPDATE";
        var sql = $"SELECT 1 FROM {names.Table<T>()} WHERE {id} = ANY({{0}}) ORDER BY {id} {strength}";
        await db.Database.ExecuteSqlRawAsync(sql, [ids.ToArray()], ct);
    }

    public override async Task AdvisoryLockAsync(AppDbContext db, long key, CancellationToken ct = default) =>
        await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_xact_lock({key})", ct);

    /// <remarks>
    /// The claim's SELECT is EF's translation of <paramref name="due"/> with <c>FOR UPDATE SKIP LOCKED</c> added; under
    /// READ COMMITTED a row another claimer changed and committed meanwhile is re-checked against its WHERE before it
    /// is locked, so a row already claimed is never taken again. The update then only touches rows this transaction holds.
    /// </remarks>
    public override Task<int> ClaimAsync<T>(AppDbContext db, IQueryable<T> due, int limit, Action<UpdateSettersBuilder<T>> set,
        CancellationToken ct = default) =>
        Identifiers.Of(db).Entity<T>().FindPrimaryKey()!.Properties.Single().ClrType == typeof(long)
            ? ClaimByKeyAsync<T, long>(db, due, limit, set, ct)
            : ClaimByKeyAsync<T, int>(db, due, limit, set, ct);

    private static async Task<int> ClaimByKeyAsync<T, TKey>(AppDbContext db, IQueryable<T> due, int limit, Action<UpdateSettersBuilder<T>> set,
        CancellationToken ct) where T : class
    {
        var keyOf = KeyOf<T, TKey>(Identifiers.Of(db).Entity<T>());
        await using var own = db.Database.CurrentTransaction is null ? await db.Database.BeginTransactionAsync(ct) : null;
        var keys = new List<TKey>(limit);
        await using (var select = due.Take(limit).Select(keyOf).CreateDbCommand())
        {
            select.CommandText += " FOR UPDATE SKIP LOCKED";
            select.Transaction = db.Database.CurrentTransaction!.GetDbTransaction();
            await using var reader = await select.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct)) keys.Add(reader.GetFieldValue<TKey>(0));
        }
        var claimed = keys.Count == 0 ? 0
            : await db.Set<T>().Where(KeyIn(keyOf, keys)).ExecuteUpdateAsync(set, ct);
        if (own is not null) await own.CommitAsync(ct);
        return claimed;
    }

    private static Expression<Func<T, bool>> KeyIn<T, TKey>(Expression<Func<T, TKey>> keyOf, List<TKey> keys) =>
        Expression.Lambda<Func<T, bool>>(
            Expression.Call(typeof(Enumerable), nameof(Enumerable.Contains), [typeof(TKey)], Expression.Constant(keys), keyOf.Body),
            keyOf.Parameters);

    public override async Task AddToRowsAsync<T>(AppDbContext db, IReadOnlyCollection<T> rows, string valueProperty, CancellationToken ct = default)
    {
        if (rows.Count == 0) return;
        var upsert = Upsert.Of<T>(db, valueProperty);
        foreach (var chunk in rows.Chunk(RowsPerStatement))
        {
            var values = new object[chunk.Length * upsert.Columns.Length];
            var tuples = new StringBuilder();
            for (var i = 0; i < chunk.Length; i++)
            {
                if (i > 0) tuples.Append(", ");
                tuples.Append('(');
                for (var c = 0; c < upsert.Columns.Length; c++)
                {
                    var n = i * upsert.Columns.Length + c;
                    // EF's positional parameter placeholders.
                    tuples.Append(c > 0 ? ", " : "").Append('{').Append(n).Append('}');
                    values[n] = upsert.Columns[c].Read(chunk[i]!);
                }
                tuples.Append(')');
            }
            var sql = upsert.Head + tuples + upsert.Tail;
            await db.Database.ExecuteSqlRawAsync(sql, values, ct);
        }
    }

    public override async Task SetByIdAsync<T, TValue>(AppDbContext db, string property, IReadOnlyCollection<KeyValuePair<int, TValue>> values,
        bool onlyWhereEmpty = false, CancellationToken ct = default)
    {
        if (values.Count == 0) return;
        var names = Identifiers.Of(db);
        var column = names.Column<T>(property);
        var (ids, news) = (values.Select(v => v.Key).ToArray(), values.Select(v => v.Value).ToArray());
        var sql = $"UPDATE {names.Table<T>()} AS t SET {column} = v.n FROM unnest({{0}}, {{1}}) AS v(id, n) WHERE t.{names.Id<T>()} = v.id"
            + (onlyWhereEmpty ? $" AND t.{column} = ''" : "");
        await db.Database.ExecuteSqlRawAsync(sql, [ids, news], ct);
    }

    public override Task ConfigureDatabaseAsync(AppDbContext db, CancellationToken ct = default) => Task.CompletedTask;

    public override Task BeginBulkWritesAsync(AppDbContext db, CancellationToken ct = default) => Task.CompletedTask;

    public override Task EndBulkWritesAsync(AppDbContext db) => Task.CompletedTask;

    public override async Task VacuumAsync<T>(AppDbContext db, CancellationToken ct = default)
    {
        var sql = "VACUUM (ANALYZE) " + Identifiers.Of(db).Table<T>();
        await db.Database.ExecuteSqlRawAsync(sql, ct);
    }

    /// <remarks>The server's own tools take a consistent copy (<c>pg_dump -Fc</c>); this process does not.</remarks>
    public override Task<bool> BackupToFileAsync(AppDbContext db, string path, CancellationToken ct = default) => Task.FromResult(false);

    public override string? DatabaseFile(AppDbContext db) => null;

    public override Task<string?> CheckIntegrityAsync(AppDbContext db, CancellationToken ct = default) => Task.FromResult<string?>(null);

    public override Task SecureDeleteAsync(AppDbContext db, bool on, CancellationToken ct = default) => Task.CompletedTask;

    /// <remarks>
    /// A plain VACUUM (no exclusive lock: the app keeps working): the dead row versions the erasure's updates and deletes
    /// left in the tables, their TOAST tables and indexes are removed. PostgreSQL does not zero the space they occupied,
    /// and the WAL segments and base backups keep them until they age out (see the README's "Privacy").
    /// </remarks>
    public override async Task<bool> PurgeAsync(AppDbContext db, IReadOnlyCollection<IEntityType> tables, CancellationToken ct = default)
    {
        var names = Identifiers.Of(db);
        var list = string.Join(", ", tables.Select(names.Table).Distinct());
        if (list.Length == 0) return true;
        await using var open = await db.Database.KeepConnectionOpenAsync(ct);
        // This connection's counts of the rows it just changed reach the statistics when it next goes idle, at most once a
        // second: flushed first, they cannot land after VACUUM's report of what it left dead and undo it.
        if (db.Database.GetDbConnection() is NpgsqlConnection { PostgreSqlVersion.Major: >= 15 })
            await db.Database.ExecuteSqlRawAsync("SELECT pg_stat_force_next_flush()", ct);
        var sql = "VACUUM (ANALYZE) " + list;
        await db.Database.ExecuteSqlRawAsync(sql, ct);
        return true;
    }

    public override string? BusyCause(Exception ex) => (Inner(ex) as PostgresException)?.SqlState switch
    {
        LockNotAvailable => "another transaction held a lock this one needed for longer than the lock timeout",
        // Not a lock held by someone else: two transactions each waited for the other, and PostgreSQL stopped this one.
        DeadlockDetected => "this transaction and another one each waited for a lock the other held (a deadlock), and PostgreSQL stopped this one",
        _ => null,
    };

    public override bool IsUniqueViolation(Exception ex, IReadOnlyIndex index) =>
        Inner(ex) is PostgresException { SqlState: UniqueViolation } pg && pg.ConstraintName == index.GetDatabaseName();
}

/// <summary>The INSERT … ON CONFLICT (primary key) DO UPDATE that adds a value column, from the model (both providers write it alike).</summary>
internal sealed record Upsert(ModelColumn[] Columns, string Head, string Tail)
{
    public static Upsert Of<T>(AppDbContext db, string valueProperty)
    {
        var names = Identifiers.Of(db);
        var entity = names.Entity<T>();
        var key = entity.FindPrimaryKey()!.Properties;
        var value = entity.FindProperty(valueProperty)!;
        var columns = key.Append(value).Select(ModelColumn.For).ToArray();
        var (table, v) = (names.Table(entity), names.Column(value));
        return new(columns,
            $"INSERT INTO {table} ({string.Join(", ", columns.Select(c => names.Column(c.Property)))}) VALUES ",
            $" ON CONFLICT ({string.Join(", ", key.Select(names.Column))}) DO UPDATE SET {v} = {table}.{v} + excluded.{v}");
    }
}
