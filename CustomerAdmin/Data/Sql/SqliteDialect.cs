using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Query;

namespace CustomerAdmin.Data.Sql;

/// <summary>
/// SQLite: one writer at a time (Microsoft.Data.Sqlite opens transactions <c>BEGIN IMMEDIATE</c>), so no row or
/// advisory locks; prepared single-row statements for many rows; the connection settings of a bulk import.
/// </summary>
public sealed class SqliteDialect : SqlDialect
{
    public static readonly SqliteDialect Instance = new();

    /// <summary>SQLITE_CONSTRAINT, and its extended codes for a UNIQUE index and a PRIMARY KEY.</summary>
    private const int Constraint = 19, ConstraintUnique = 2067, ConstraintPrimaryKey = 1555, Busy = 5, Locked = 6;

    /// <summary>
    /// Page cache for a bulk writer's connection (the default is 2 MB). A batch of the legacy import inserts all over
    /// the ticket, timeline and search-token indexes and looks its keys up in the legacy-key index; with the default
    /// cache it reads, spills and rewrites the same pages again and again. A fixed size, so memory stays flat however
    /// long the file is; given back when the work ends (<see cref="EndBulkWritesAsync"/>).
    /// </summary>
    private const string BulkCache = "PRAGMA cache_size = -262144"; // 256 MB

    /// <summary>
    /// Only in WAL mode. The default (FULL) syncs the write-ahead log at every commit; NORMAL syncs it only when a
    /// checkpoint copies it into the database (less often during an import: <see cref="BulkCheckpoint"/>). In WAL mode
    /// that is still crash-safe: a process or OS crash or a power cut leaves a consistent database holding whole
    /// batches, and can only lose the last committed batches, which the import's heartbeat and "run the same file
    /// again" (nothing is imported twice) already cover. In rollback-journal mode NORMAL could corrupt the file on a
    /// power cut, so there the default stays. These settings belong to the connection and leave with it.
    /// </summary>
    private const string BulkSync = "PRAGMA synchronous = NORMAL";

    /// <summary>
    /// Only in WAL mode: the bulk writer's connection copies the write-ahead log into the database when it passes
    /// 262,144 pages (1 GB at SQLite's default page size) instead of 1,000. A batch rewrites most pages of the randomly
    /// keyed indexes (legacy keys, customer ids, tokens), so with the default every batch's pages were copied and the
    /// file synced at its commit; now a page rewritten by several batches is copied once (the
    /// commits' time before and after is in docs/benchmarks.md). The log file can grow to about that size during an import.
    /// </summary>
    private const string BulkCheckpoint = "PRAGMA wal_autocheckpoint = 262144";

    private SqliteDialect() { }

    public override Task LockRowsAsync<T>(AppDbContext db, IReadOnlyCollection<int> ids, RowLock mode, CancellationToken ct = default) => Task.CompletedTask;

    public override Task AdvisoryLockAsync(AppDbContext db, long key, CancellationToken ct = default) => Task.CompletedTask;

    /// <remarks>One writer at a time, so this statement is the whole claim, in <see cref="WriteAsync"/>'s transaction.</remarks>
    public override async Task<int> ClaimAsync<T>(AppDbContext db, IQueryable<T> due, int limit, Action<UpdateSettersBuilder<T>> set,
        CancellationToken ct = default)
    {
        if (db.Database.CurrentTransaction is not null) return await due.Take(limit).ExecuteUpdateAsync(set, ct);
        var claimed = 0;
        await WriteAsync(db, async c => claimed = await due.Take(limit).ExecuteUpdateAsync(set, c), ct);
        return claimed;
    }

    /// <remarks>
    /// The write lock is taken first, by the connection itself (<c>BEGIN IMMEDIATE</c>) rather than by the first write:
    /// while another writer holds it past the busy timeout, the write then fails as a busy <see cref="SqliteException"/>
    /// (<see cref="SqlDialects.BusyCause"/>), not as a failed EF command, which EF logs at Error with its SQL before any
    /// caller can say it was expected.
    /// </remarks>
    public override async Task WriteAsync(AppDbContext db, Func<CancellationToken, Task> work, CancellationToken ct = default)
    {
        await using var open = await db.Database.KeepConnectionOpenAsync(ct);
        var connection = (SqliteConnection)db.Database.GetDbConnection();
        // In turn with the app's other writers (SqliteWriteGate), so a pass waits for its turn without holding a thread.
        await SqliteWriteGate.EnterAsync(connection, ct);
        try
        {
            await using var transaction = connection.BeginTransaction(deferred: false);
            await db.Database.UseTransactionAsync(transaction, ct);
            try
            {
                await work(ct);
                await transaction.CommitAsync(ct);
            }
            finally
            {
                await db.Database.UseTransactionAsync(null, CancellationToken.None);
            }
        }
        finally
        {
            SqliteWriteGate.Leave(connection);
        }
    }

    /// <remarks>
    /// One prepared single-row statement reused for every row: binding thousands of parameters by name costs more than
    /// the rows, and a multi-row INSERT in a transaction needs a statement journal (see <see cref="RowInserter{T}"/>).
    /// </remarks>
    public override async Task AddToRowsAsync<T>(AppDbContext db, IReadOnlyCollection<T> rows, string valueProperty, CancellationToken ct = default)
    {
        if (rows.Count == 0) return;
        var upsert = Upsert.Of<T>(db, valueProperty);
        await using var open = await db.Database.KeepConnectionOpenAsync(ct);
        await using var cmd = db.CreateCommand(upsert.Head + "(" + string.Join(", ", upsert.Columns.Select((_, i) => "$p" + i)) + ")" + upsert.Tail);
        var parameters = upsert.Columns.Select((_, i) => cmd.AddParameter("$p" + i)).ToArray();
        foreach (var row in rows)
        {
            for (var i = 0; i < parameters.Length; i++) parameters[i].Value = upsert.Columns[i].Read(row);
            await cmd.ExecuteNonQueryAsync(ct);
        }
    }

    public override async Task SetByIdAsync<T, TValue>(AppDbContext db, string property, IReadOnlyCollection<KeyValuePair<int, TValue>> values,
        bool onlyWhereEmpty = false, CancellationToken ct = default)
    {
        if (values.Count == 0) return;
        var names = Identifiers.Of(db);
        var column = names.Column<T>(property);
        await using var open = await db.Database.KeepConnectionOpenAsync(ct);
        await using var cmd = db.CreateCommand($"UPDATE {names.Table<T>()} SET {column} = $n WHERE {names.Id<T>()} = $id"
            + (onlyWhereEmpty ? $" AND {column} = ''" : ""));
        var (n, id) = (cmd.AddParameter("$n"), cmd.AddParameter("$id"));
        foreach (var (row, value) in values)
        {
            (n.Value, id.Value) = (value, row);
            await cmd.ExecuteNonQueryAsync(ct);
        }
    }

    /// <summary>Write-ahead logging: readers do not wait for the writer, and a commit appends instead of rewriting pages.</summary>
    public override async Task ConfigureDatabaseAsync(AppDbContext db, CancellationToken ct = default) =>
        await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", ct);

    public override async Task BeginBulkWritesAsync(AppDbContext db, CancellationToken ct = default)
    {
        await db.Database.OpenConnectionAsync(ct);
        await db.Database.ExecuteSqlRawAsync(BulkCache, ct);
        await using var mode = db.Database.GetDbConnection().CreateCommand();
        mode.CommandText = "PRAGMA journal_mode";
        if (await mode.ExecuteScalarAsync(ct) is string journal && journal.Equals("wal", StringComparison.OrdinalIgnoreCase))
        {
            await db.Database.ExecuteSqlRawAsync(BulkSync, ct);
            await db.Database.ExecuteSqlRawAsync(BulkCheckpoint, ct);
        }
    }

    /// <remarks>
    /// The connection the bulk writes used is pooled, and which pooled connection (or pooled context) the next lease
    /// gets is not known, so a PRAGMA on "a" connection may miss it: the idle connections are closed instead
    /// (connections in use are discarded when they are returned).
    /// </remarks>
    public override Task EndBulkWritesAsync(AppDbContext db)
    {
        if (db.Database.GetDbConnection() is SqliteConnection sqlite) SqliteConnection.ClearPool(sqlite);
        return Task.CompletedTask;
    }

    /// <remarks>
    /// One write lock for the whole database, and a busy statement is retried by Microsoft.Data.Sqlite about every
    /// 150 ms: a writer that begins its next transaction as soon as it commits (an import's, every few seconds) takes the
    /// lock again before a waiting save retries, and the save can wait out its 30 s timeout and fail.
    /// </remarks>
    public override TimeSpan WriterPause => TimeSpan.FromMilliseconds(200);

    public override Task VacuumAsync<T>(AppDbContext db, CancellationToken ct = default) => Task.CompletedTask;

    /// <remarks>
    /// SQLite's online backup API, never a file copy (a copy taken mid-commit, or without the write-ahead log, is torn).
    /// One step copies every page under one read transaction, so the copy is the snapshot committed when it began; in
    /// WAL mode writers are not held up meanwhile.
    /// </remarks>
    public override async Task<bool> BackupToFileAsync(AppDbContext db, string path, CancellationToken ct = default)
    {
        await using var open = await db.Database.KeepConnectionOpenAsync(ct);
        var source = (SqliteConnection)db.Database.GetDbConnection();
        await using var target = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        await target.OpenAsync(ct);
        await Task.Run(() => source.BackupDatabase(target), ct);
        return true;
    }

    public override string? DatabaseFile(AppDbContext db)
    {
        var csb = new SqliteConnectionStringBuilder(db.Database.GetConnectionString());
        return csb.Mode == SqliteOpenMode.Memory || csb.DataSource is "" or ":memory:" ? null : Path.GetFullPath(csb.DataSource);
    }

    public override async Task<string?> CheckIntegrityAsync(AppDbContext db, CancellationToken ct = default)
    {
        await using var open = await db.Database.KeepConnectionOpenAsync(ct);
        await using var cmd = db.CreateCommand("PRAGMA integrity_check");
        var lines = new List<string>();
        await using (var reader = await cmd.ExecuteReaderAsync(ct))
            while (await reader.ReadAsync(ct)) lines.Add(reader.GetString(0));
        return string.Join("; ", lines);
    }

    public override async Task SecureDeleteAsync(AppDbContext db, bool on, CancellationToken ct = default) =>
        await db.Database.ExecuteSqlRawAsync(on ? "PRAGMA secure_delete = ON" : "PRAGMA secure_delete = OFF", ct);

    /// <remarks>
    /// <c>secure_delete</c> zeroes only what is freed while it is on: the values an earlier update or delete freed (an old
    /// phone, a row rewritten by a status change) still sit in the free space of their pages. <c>VACUUM</c> rebuilds the
    /// whole file from the live rows (the time it takes grows with the file; writers wait meanwhile). A checkpoint cannot
    /// copy frames a reader still uses, nor truncate the log while one is reading: it answers busy (first column 1)
    /// rather than failing, so it is tried again for a few seconds. An in-memory database answers -1s.
    /// </remarks>
    public override async Task<bool> PurgeAsync(AppDbContext db, IReadOnlyCollection<IEntityType> tables, CancellationToken ct = default)
    {
        await using var open = await db.Database.KeepConnectionOpenAsync(ct);
        await db.Database.ExecuteSqlRawAsync("VACUUM", ct);
        for (var attempt = 1; ; attempt++)
        {
            await using (var cmd = db.Database.GetDbConnection().CreateCommand())
            {
                cmd.CommandText = "PRAGMA wal_checkpoint(TRUNCATE)";
                await using var reader = await cmd.ExecuteReaderAsync(ct);
                if (!await reader.ReadAsync(ct) || reader.GetInt64(0) == 0) return true;
            }
            if (attempt == 30) return false;
            await Task.Delay(200, ct);
        }
    }

    public override string? BusyCause(Exception ex) => Inner(ex) is SqliteException { SqliteErrorCode: Busy or Locked }
        ? "another connection (this app or another program) held the database's write lock for longer than the busy timeout"
        : null;

    /// <remarks>
    /// SQLite names no constraint in a field; its message lists the index's columns as <c>table.column</c>
    /// ("UNIQUE constraint failed: Bookings.CustomerId, Bookings.EventId"), so the whole list, taken from the index in
    /// the model, must match: a shorter list that is a prefix of it is another index.
    /// </remarks>
    public override bool IsUniqueViolation(Exception ex, IReadOnlyIndex index)
    {
        if (Inner(ex) is not SqliteException { SqliteErrorCode: Constraint } sqlite
            || sqlite.SqliteExtendedErrorCode is not (ConstraintUnique or ConstraintPrimaryKey)) return false;
        var table = index.DeclaringEntityType.GetTableName();
        var store = Identifiers.StoreObject(index.DeclaringEntityType);
        var columns = string.Join(", ", index.Properties.Select(p => table + "." + p.GetColumnName(store)));
        var failed = sqlite.Message.IndexOf("constraint failed: ", StringComparison.Ordinal);
        if (failed < 0) return false;
        var listed = sqlite.Message[(failed + "constraint failed: ".Length)..].TrimEnd('\'', '.', ' ');
        return listed == columns;
    }
}
