using System.Data.Common;
using System.Linq.Expressions;
using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Query;
using Microsoft.EntityFrameworkCore.Storage;

namespace CustomerAdmin.Data.Sql;

/// <summary>
/// Everything the app writes by hand in SQL, and every difference between SQLite and PostgreSQL, in one place: feature
/// code asks the context's dialect (<see cref="SqlDialects.Sql"/>) and never which database it is on. Table and
/// column names come from the EF model and values go through its converters, so a renamed column or an enum stored
/// differently cannot leave a statement behind; values are always parameters, so the statements built as strings
/// hold nothing a user typed.
/// </summary>
public abstract class SqlDialect
{
    /// <summary>
    /// Write-locks the rows of <typeparamref name="T"/> with these ids until the transaction ends, in id order so two
    /// lockers of overlapping sets cannot deadlock; <paramref name="mode"/> says whether rows that reference them may
    /// still be inserted meanwhile. Nothing on SQLite, whose write transaction already excludes every other writer.
    /// </summary>
    public abstract Task LockRowsAsync<T>(AppDbContext db, IReadOnlyCollection<int> ids, RowLock mode, CancellationToken ct = default) where T : class;

    /// <summary>
    /// Takes the application-wide lock named by <paramref name="key"/> until the transaction ends, so writers that would
    /// otherwise all read the same state and retry queue instead. Nothing on SQLite (one writer at a time).
    /// </summary>
    public abstract Task AdvisoryLockAsync(AppDbContext db, long key, CancellationToken ct = default);

    /// <summary>
    /// Applies <paramref name="set"/> to the first <paramref name="limit"/> rows of <paramref name="due"/> (which must
    /// be ordered) and returns how many it changed. Concurrent claimers on PostgreSQL take disjoint rows: rows another
    /// claimer has locked are skipped rather than waited for, and a row changed meanwhile is checked against
    /// <paramref name="due"/>'s filter again before it is taken.
    /// </summary>
    public abstract Task<int> ClaimAsync<T>(AppDbContext db, IQueryable<T> due, int limit, Action<UpdateSettersBuilder<T>> set,
        CancellationToken ct = default) where T : class;

    /// <summary>
    /// Runs <paramref name="work"/> in one write transaction and commits it, for a background writer that meets other
    /// writers (another instance, an import): a database that stays busy fails it with the database's own exception
    /// (<see cref="BusyCause"/> names it), which the caller treats as expected, without a failed EF command logged at
    /// Error first. On SQLite the write lock is taken as the transaction begins.
    /// </summary>
    public virtual async Task WriteAsync(AppDbContext db, Func<CancellationToken, Task> work, CancellationToken ct = default)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        await work(ct);
        await transaction.CommitAsync(ct);
    }

    /// <summary>
    /// Inserts each row or, when a row with its primary key exists, adds its <paramref name="valueProperty"/> to that
    /// row's; in the caller's transaction.
    /// </summary>
    public abstract Task AddToRowsAsync<T>(AppDbContext db, IReadOnlyCollection<T> rows, string valueProperty, CancellationToken ct = default)
        where T : class;

    /// <summary>
    /// Sets one column of many rows of <typeparamref name="T"/>, each to its own value, by id; with
    /// <paramref name="onlyWhereEmpty"/> (a text column) only rows whose column is still empty, so a value written
    /// meanwhile by someone else is kept.
    /// </summary>
    public abstract Task SetByIdAsync<T, TValue>(AppDbContext db, string property, IReadOnlyCollection<KeyValuePair<int, TValue>> values,
        bool onlyWhereEmpty = false, CancellationToken ct = default) where T : class;

    /// <summary>Database-wide settings applied after the migrations at start-up.</summary>
    public abstract Task ConfigureDatabaseAsync(AppDbContext db, CancellationToken ct = default);

    /// <summary>
    /// Settings for a connection that writes in large batches (the legacy import): on SQLite it opens the context's
    /// connection, which keeps them while it stays open. Undo with <see cref="EndBulkWritesAsync"/> when the work ends.
    /// </summary>
    public abstract Task BeginBulkWritesAsync(AppDbContext db, CancellationToken ct = default);

    /// <summary>Gives back what <see cref="BeginBulkWritesAsync"/> took, on whichever pooled connection it was.</summary>
    public abstract Task EndBulkWritesAsync(AppDbContext db);

    /// <summary>
    /// How long a bulk writer that has committed pauses before its next transaction, so that saves waiting for the
    /// database's write lock go first (zero where writers do not wait on one lock).
    /// </summary>
    public virtual TimeSpan WriterPause => TimeSpan.Zero;

    /// <summary>Fresh planner statistics for <typeparamref name="T"/>'s table (after it was rewritten).</summary>
    public Task AnalyzeAsync<T>(AppDbContext db, CancellationToken ct = default) where T : class
    {
        var sql = "ANALYZE " + Identifiers.Of(db).Table<T>();
        return db.Database.ExecuteSqlRawAsync(sql, ct);
    }

    /// <summary>
    /// Outside any transaction: reclaims the dead row versions of <typeparamref name="T"/>'s table left by a rewrite and
    /// analyzes it (PostgreSQL then answers reads of it from the index alone). Nothing on SQLite, which has no dead row
    /// versions.
    /// </summary>
    public abstract Task VacuumAsync<T>(AppDbContext db, CancellationToken ct = default) where T : class;

    /// <summary>
    /// Copies the whole database into a new file at <paramref name="path"/> as one consistent snapshot: what was committed
    /// when the copy began, while writers go on. False when this database is not one this process can copy
    /// (PostgreSQL: <c>pg_dump</c>, see the README's Backups section).
    /// </summary>
    public abstract Task<bool> BackupToFileAsync(AppDbContext db, string path, CancellationToken ct = default);

    /// <summary>The file the database lives in (what a restore writes), or null when it is not a file (PostgreSQL, in memory).</summary>
    public abstract string? DatabaseFile(AppDbContext db);

    /// <summary>The database's own consistency check ("ok" when it finds nothing); null where there is none to run here.</summary>
    public abstract Task<string?> CheckIntegrityAsync(AppDbContext db, CancellationToken ct = default);

    /// <summary>
    /// On this context's connection, which the caller keeps open: from now on (<paramref name="on"/>) what it deletes or
    /// overwrites is overwritten with zeros in the database file instead of lingering in its free space (SQLite's
    /// <c>secure_delete</c>; off again with false). Nothing on PostgreSQL, whose dead row versions <see cref="PurgeAsync"/> removes.
    /// </summary>
    public abstract Task SecureDeleteAsync(AppDbContext db, bool on, CancellationToken ct = default);

    /// <summary>
    /// Outside any transaction, after personal data was erased from <paramref name="tables"/>: SQLite rebuilds the file
    /// from the live rows (<c>VACUUM</c>, so no freed space keeps an old value), copies the write-ahead log into it and
    /// truncates the log (<c>wal_checkpoint(TRUNCATE)</c>), so no earlier version of a page stays in the -wal file;
    /// PostgreSQL vacuums the tables, so none of them keeps a dead row version.
    /// </summary>
    /// <returns>False when it could not finish (SQLite: readers kept the log in use through every retry).</returns>
    public abstract Task<bool> PurgeAsync(AppDbContext db, IReadOnlyCollection<IEntityType> tables, CancellationToken ct = default);

    /// <summary>True when <paramref name="ex"/> (or the exception inside it) is this database refusing a duplicate key of <paramref name="index"/>.</summary>
    public abstract bool IsUniqueViolation(Exception ex, IReadOnlyIndex index);

    /// <summary>True when <paramref name="ex"/> (or the exception inside it) is this database refusing a lock another connection holds.</summary>
    public bool IsBusy(Exception ex) => BusyCause(ex) is not null;

    /// <summary>
    /// What the refused lock was, in words a user can act on (SQLite's write lock held by another connection, a
    /// PostgreSQL lock timeout, a PostgreSQL deadlock), or null when <paramref name="ex"/> is no such refusal.
    /// </summary>
    public abstract string? BusyCause(Exception ex);

    private protected static DbException? Inner(Exception ex) => ex as DbException ?? ex.InnerException as DbException;

    /// <summary><c>row => EF.Property&lt;TKey&gt;(row, "Id")</c> for the entity's single-column key.</summary>
    private protected static Expression<Func<T, TKey>> KeyOf<T, TKey>(IEntityType entity)
    {
        var row = Expression.Parameter(typeof(T), "row");
        var key = Expression.Call(typeof(EF), nameof(EF.Property), [typeof(TKey)], row, Expression.Constant(entity.FindPrimaryKey()!.Properties.Single().Name));
        return Expression.Lambda<Func<T, TKey>>(key, row);
    }
}

public static class SqlDialects
{
    /// <summary>The dialect of the database this context is on.</summary>
    public static SqlDialect Sql(this AppDbContext db) => db.Database.IsNpgsql() ? PostgresDialect.Instance : SqliteDialect.Instance;

    /// <summary>
    /// Gives back what <see cref="SqlDialect.BeginBulkWritesAsync"/> took (SQLite's page cache and syncs) when a bulk
    /// run ends, on a context of its own; quietly when the database is unreachable, as its connection then is too and
    /// will not be pooled. Not the caller's token: a cancelled run gives them back as well.
    /// </summary>
    public static async Task EndBulkWritesAsync(this IDbContextFactory<AppDbContext> factory)
    {
        try
        {
            await using var db = await factory.CreateDbContextAsync();
            await db.Sql().EndBulkWritesAsync(db);
        }
        catch (Exception ex) when (ex is DbException or InvalidOperationException)
        {
            // The database is unreachable: so is the connection, which will not be pooled.
        }
    }

    /// <summary>
    /// True when <paramref name="ex"/> is a database refusing a duplicate key of <paramref name="index"/>, whichever
    /// database threw it (the exception's type says which): for callers that only have the exception.
    /// </summary>
    public static bool IsUniqueViolation(Exception ex, IReadOnlyIndex index) =>
        PostgresDialect.Instance.IsUniqueViolation(ex, index) || SqliteDialect.Instance.IsUniqueViolation(ex, index);

    /// <summary>
    /// True when <paramref name="ex"/> is a database refusing a lock another connection holds (SQLite's "database is
    /// locked", PostgreSQL's lock timeout or deadlock), whichever database threw it.
    /// </summary>
    public static bool IsBusy(Exception ex) => BusyCause(ex) is not null;

    /// <summary><see cref="SqlDialect.BusyCause"/> of whichever database threw <paramref name="ex"/>.</summary>
    public static string? BusyCause(Exception ex) => PostgresDialect.Instance.BusyCause(ex) ?? SqliteDialect.Instance.BusyCause(ex);

    /// <summary>The unique index of <typeparamref name="T"/> over exactly these properties, in this order.</summary>
    public static IReadOnlyIndex UniqueIndex<T>(this IReadOnlyModel model, params string[] properties)
    {
        var entity = model.FindEntityType(typeof(T)) ?? throw new InvalidOperationException($"{typeof(T).Name} is not in the model.");
        return entity.GetIndexes().SingleOrDefault(i => i.IsUnique && i.Properties.Select(p => p.Name).SequenceEqual(properties))
            ?? throw new InvalidOperationException($"{typeof(T).Name} has no unique index on {string.Join(", ", properties)}.");
    }

    /// <summary>
    /// The unique index of <typeparamref name="T"/> over these properties, from the model of the entities the failed
    /// save wrote; null when the exception names no entity.
    /// </summary>
    public static IReadOnlyIndex? UniqueIndex<T>(this DbUpdateException ex, params string[] properties) =>
        ex.Entries.FirstOrDefault()?.Metadata.Model is { } model ? model.UniqueIndex<T>(properties) : null;
}

/// <summary>Delimited table and column names of one model, as its provider writes them.</summary>
internal sealed class Identifiers
{
    private static readonly ConditionalWeakTable<IModel, Identifiers> ByModel = new();

    private readonly IModel _model;
    private readonly ISqlGenerationHelper _sql;

    private Identifiers(AppDbContext db) => (_model, _sql) = (db.Model, db.GetService<ISqlGenerationHelper>());

    public static Identifiers Of(AppDbContext db) => ByModel.GetValue(db.Model, _ => new Identifiers(db));

    public static IEntityType EntityOf<T>(IModel model) =>
        model.FindEntityType(typeof(T)) ?? throw new InvalidOperationException($"{typeof(T).Name} is not in the model.");

    public static IProperty IdProperty(IEntityType entity) =>
        entity.FindPrimaryKey() is { Properties: [{ } id] } && id.ClrType == typeof(int)
            ? id : throw new InvalidOperationException($"{entity.DisplayName()} has no single integer key.");

    public IEntityType Entity<T>() => EntityOf<T>(_model);

    public static StoreObjectIdentifier StoreObject(IReadOnlyEntityType entity) => StoreObjectIdentifier.Table(entity.GetTableName()!, entity.GetSchema());

    public string Table<T>() => Table(Entity<T>());

    public string Table(IReadOnlyEntityType entity) => _sql.DelimitIdentifier(entity.GetTableName()!, entity.GetSchema());

    public string Column(IReadOnlyProperty property) => _sql.DelimitIdentifier(property.GetColumnName(StoreObject(property.DeclaringType.ContainingEntityType))!);

    public string Column<T>(string property) => Column(Entity<T>().FindProperty(property)!);

    public string Id<T>() => Column(IdProperty(Entity<T>()));
}
