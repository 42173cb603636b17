using System.Collections.Concurrent;
using System.Data.Common;
using System.Linq.Expressions;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;

namespace CustomerAdmin.Data;

/// <summary>
/// Bulk INSERTs for rows written by the thousand (reminders, a million imported tickets) where the change tracker
/// would cost more than the insert itself. Table, columns and value conversions (enum names, UTC, cents) come from
/// the EF model, so the rows are exactly what <c>SaveChanges</c> would have written; store-generated keys are left to
/// the database. Rows are written through one prepared command on the context's connection and current transaction,
/// one row per statement on SQLite and thousands per statement on PostgreSQL. No interceptors, stamps or history
/// run: the caller writes what
/// <c>SaveChanges</c> would add (the keepers of derived data, run by <see cref="AppDbContext.SaveChangesAsync(bool, CancellationToken)"/>).
/// </summary>
public sealed class RowInserter<T> : IAsyncDisposable where T : class
{
    // On SQLite one row per statement, prepared once: an INSERT of several rows inside a transaction needs a
    // statement journal (to undo a half-done statement), which holds a copy of every page the statement touches and
    // spills to a temporary file past 64 KB (gigabytes of them in a legacy import at 3 rows per statement). Binding by
    // name also costs time that grows with the square of the parameter count. Without a journal and with the statement
    // reused, a row costs little more than SQLite's own work. PostgreSQL is fastest with few large statements (each
    // statement is a round trip) and allows 65,535. Figures: docs/benchmarks.md, "Figures behind the code's comments".
    private const int PostgresMaxParameters = 30_000;

    private readonly AppDbContext _db;
    private readonly ModelColumn[] _columns;
    private readonly string _head;
    private readonly string? _returning;
    private readonly int _perStatement;
    private readonly List<T> _pending = [];
    private DbCommand? _full;
    private bool _prepared;
    /// <summary>On SQLite, the INSERT prepared straight on the connection's handle (see <see cref="SqliteRowStatement"/>).</summary>
    private SqliteRowStatement? _sqlite;

    public int Written { get; private set; }

    /// <param name="returningId">For <see cref="InsertReturningIdAsync"/>: one row per statement; the generated key comes back by RETURNING on PostgreSQL and as the rowid on SQLite.</param>
    public RowInserter(AppDbContext db, bool returningId = false)
    {
        _db = db;
        var entity = db.Model.FindEntityType(typeof(T)) ?? throw new InvalidOperationException($"{typeof(T).Name} is not in the model.");
        var table = StoreObjectIdentifier.Table(entity.GetTableName()!, entity.GetSchema());
        var sql = db.GetService<ISqlGenerationHelper>();
        _columns = entity.GetProperties()
            // The key is left out only when the database makes it (an identity or rowid): a key column with a default
            // value (a reference's Source) is written as given, or every row would get the default.
            .Where(p => p.PropertyInfo is not null
                && !(p.IsPrimaryKey() && p.ValueGenerated != ValueGenerated.Never && !p.TryGetDefaultValue(out _) && p.GetDefaultValueSql() is null))
            .Select(ModelColumn.For)
            .ToArray();
        _head = $"INSERT INTO {sql.DelimitIdentifier(table.Name, table.Schema)} ("
            + string.Join(", ", _columns.Select(c => sql.DelimitIdentifier(c.Property.GetColumnName(table)!))) + ") VALUES ";
        _returning = returningId ? " RETURNING " + sql.DelimitIdentifier(entity.FindPrimaryKey()!.Properties[0].GetColumnName(table)!) : null;
        _perStatement = returningId || db.Database.IsSqlite() ? 1 : Math.Max(1, PostgresMaxParameters / _columns.Length);
        if (db.Database.GetDbConnection() is Microsoft.Data.Sqlite.SqliteConnection { State: System.Data.ConnectionState.Open } connection
            && _columns.All(c => SqliteRowStatement.Supports(c))
            // The generated key read back as the rowid: only for a single integer key (INTEGER PRIMARY KEY is the rowid).
            && (!returningId || entity.FindPrimaryKey()!.Properties is [{ ClrType: var keyType }] && (keyType == typeof(int) || keyType == typeof(long))))
        {
            var text = new StringBuilder(_head).Append('(');
            for (var c = 0; c < _columns.Length; c++) text.Append(c == 0 ? "?" : ", ?");
            // No RETURNING: SQLite runs it as a trigger program with a table of its own for every row; the key of the
            // row just inserted is the connection's last_insert_rowid (the tables' integer keys are their rowids).
            _sqlite = new SqliteRowStatement(connection, text.Append(')').ToString(), _columns, returnsRowId: returningId);
        }
    }

    /// <summary>Queues a row; a full statement's worth is written at once. Call <see cref="FlushAsync"/> at the end.</summary>
    public async Task AddAsync(T row, CancellationToken ct)
    {
        if (_sqlite is not null)
        {
            ct.ThrowIfCancellationRequested();
            _sqlite.Execute(row);
            Written++;
            return;
        }
        _pending.Add(row);
        if (_pending.Count < _perStatement) return;
        _full ??= CreateCommand(_perStatement);
        await ExecuteAsync(_full, prepare: true, ct);
    }

    /// <summary>Writes what is queued (a last, shorter statement).</summary>
    public async Task FlushAsync(CancellationToken ct)
    {
        if (_pending.Count == 0) return;
        await using var rest = CreateCommand(_pending.Count);
        await ExecuteAsync(rest, prepare: false, ct);
    }

    /// <summary>Inserts one row now and returns its generated key (constructed with returningId).</summary>
    public async Task<long> InsertReturningIdAsync(T row, CancellationToken ct)
    {
        if (_returning is null) throw new InvalidOperationException("Construct the inserter with returningId.");
        if (_sqlite is not null)
        {
            ct.ThrowIfCancellationRequested();
            Written++;
            return _sqlite.Execute(row);
        }
        _full ??= CreateCommand(1);
        Bind(_full, row, 0);
        await PrepareOnceAsync(_full, ct);
        Written++;
        return Convert.ToInt64(await _full.ExecuteScalarAsync(ct));
    }

    private DbCommand CreateCommand(int rows)
    {
        var command = _db.Database.GetDbConnection().CreateCommand();
        command.Transaction = _db.Database.CurrentTransaction?.GetDbTransaction();
        var text = new StringBuilder(_head);
        for (var r = 0; r < rows; r++)
        {
            text.Append(r == 0 ? "(" : ", (");
            for (var c = 0; c < _columns.Length; c++)
            {
                var parameter = _columns[c].CreateParameter(command, "@p" + command.Parameters.Count);
                text.Append(c == 0 ? parameter.ParameterName : ", " + parameter.ParameterName);
            }
            text.Append(')');
        }
        command.CommandText = text.Append(_returning).ToString();
        return command;
    }

    /// <summary>Prepared once, after its first values are bound (Npgsql needs to know each parameter's type).</summary>
    private async Task PrepareOnceAsync(DbCommand command, CancellationToken ct)
    {
        if (_prepared) return;
        await command.PrepareAsync(ct);
        _prepared = true;
    }

    private async Task ExecuteAsync(DbCommand command, bool prepare, CancellationToken ct)
    {
        for (var r = 0; r < _pending.Count; r++) Bind(command, _pending[r], r);
        if (prepare) await PrepareOnceAsync(command, ct);
        await command.ExecuteNonQueryAsync(ct);
        Written += _pending.Count;
        _pending.Clear();
    }

    private void Bind(DbCommand command, T row, int index)
    {
        var offset = index * _columns.Length;
        for (var c = 0; c < _columns.Length; c++)
            command.Parameters[offset + c].Value = _columns[c].Read(row);
    }

    public async ValueTask DisposeAsync()
    {
        _sqlite?.Dispose();
        if (_full is not null) await _full.DisposeAsync();
    }
}

/// <summary>
/// One INSERT prepared on a SQLite connection's native handle, its values bound by position and converted exactly as
/// Microsoft.Data.Sqlite converts them (its <c>SqliteValueBinder</c>: integers, booleans and enums as INTEGER, DateTime
/// as ISO text, decimal as text, ...), stepped and reset per row. It runs inside whatever transaction the connection
/// has open, like a command of the connection. Going through <see cref="DbCommand"/> costs several times SQLite's
/// own work for a row: parameters looked up by name, a value binder allocated per parameter, a data reader per
/// execution.
/// </summary>
internal sealed class SqliteRowStatement : IDisposable
{
    private readonly Microsoft.Data.Sqlite.SqliteConnection _connection;
    private readonly SQLitePCL.sqlite3_stmt _statement;
    private readonly ModelColumn[] _columns;

    private readonly bool _returnsRowId;

    public SqliteRowStatement(Microsoft.Data.Sqlite.SqliteConnection connection, string sql, ModelColumn[] columns, bool returnsRowId)
    {
        _connection = connection;
        _returnsRowId = returnsRowId;
        _columns = columns;
        var rc = SQLitePCL.raw.sqlite3_prepare_v2(connection.Handle, sql, out _statement);
        Microsoft.Data.Sqlite.SqliteException.ThrowExceptionForRC(rc, connection.Handle);
    }

    /// <summary>The provider types bound here; a column of any other type keeps the inserter on <see cref="DbCommand"/>.</summary>
    public static bool Supports(ModelColumn column)
    {
        var type = Nullable.GetUnderlyingType(column.ProviderClrType) ?? column.ProviderClrType;
        if (type.IsEnum) type = Enum.GetUnderlyingType(type);
        // A DateTime parameter typed as a double would be a Julian day: not handled here.
        if (type == typeof(DateTime)) return column.DbType is null or System.Data.DbType.DateTime or System.Data.DbType.DateTime2 or System.Data.DbType.String;
        return type == typeof(string) || type == typeof(long) || type == typeof(int) || type == typeof(short) || type == typeof(byte)
            || type == typeof(bool) || type == typeof(double) || type == typeof(decimal) || type == typeof(byte[]);
    }

    /// <summary>Inserts <paramref name="row"/>; returns its rowid when constructed with returnsRowId, else 0.</summary>
    public long Execute(object row) => Execute(row, null);

    /// <summary>
    /// Runs the statement with <paramref name="row"/>'s columns bound first, then <paramref name="extra"/> values
    /// (provider values: a WHERE clause's); returns the rowid when constructed with returnsRowId, else the rows changed.
    /// </summary>
    public long Execute(object row, object[]? extra)
    {
        var statement = _statement;
        for (var c = 0; c < _columns.Length; c++)
        {
            var rc = Bind(statement, c + 1, _columns[c].Read(row));
            if (rc != SQLitePCL.raw.SQLITE_OK) Throw(rc);
        }
        for (var e = 0; e < (extra?.Length ?? 0); e++)
        {
            var rc = Bind(statement, _columns.Length + e + 1, extra![e]);
            if (rc != SQLitePCL.raw.SQLITE_OK) Throw(rc);
        }
        var step = SQLitePCL.raw.sqlite3_step(statement);
        if (step != SQLitePCL.raw.SQLITE_DONE) Throw(step);
        SQLitePCL.raw.sqlite3_reset(statement);
        return _returnsRowId ? SQLitePCL.raw.sqlite3_last_insert_rowid(_connection.Handle)
            : extra is null ? 0 : SQLitePCL.raw.sqlite3_changes(_connection.Handle);
    }

    private void Throw(int rc)
    {
        // The error message belongs to the connection; read it before the reset clears it.
        try
        {
            Microsoft.Data.Sqlite.SqliteException.ThrowExceptionForRC(rc, _connection.Handle);
        }
        finally
        {
            SQLitePCL.raw.sqlite3_reset(_statement);
        }
    }

    private static int Bind(SQLitePCL.sqlite3_stmt statement, int index, object value)
    {
        switch (value)
        {
            case DBNull: return SQLitePCL.raw.sqlite3_bind_null(statement, index);
            case string s: return BindText(statement, index, s);
            case long l: return SQLitePCL.raw.sqlite3_bind_int64(statement, index, l);
            case int i: return SQLitePCL.raw.sqlite3_bind_int64(statement, index, i);
            case bool b: return SQLitePCL.raw.sqlite3_bind_int64(statement, index, b ? 1 : 0);
            case DateTime d:
            {
                // "yyyy\-MM\-dd HH\:mm\:ss.FFFFFFF", invariant, as Microsoft.Data.Sqlite writes it.
                Span<char> text = stackalloc char[32];
                if (!d.TryFormat(text, out var length, @"yyyy\-MM\-dd HH\:mm\:ss.FFFFFFF", System.Globalization.CultureInfo.InvariantCulture))
                    throw new InvalidOperationException($"Cannot format {d:O}.");
                Span<byte> utf8 = stackalloc byte[32];
                return SQLitePCL.raw.sqlite3_bind_text(statement, index, utf8[..System.Text.Encoding.UTF8.GetBytes(text[..length], utf8)]);
            }
            case short h: return SQLitePCL.raw.sqlite3_bind_int64(statement, index, h);
            case byte y: return SQLitePCL.raw.sqlite3_bind_int64(statement, index, y);
            case double f:
                if (double.IsNaN(f)) throw new InvalidOperationException("Cannot store NaN values.");
                return SQLitePCL.raw.sqlite3_bind_double(statement, index, f);
            case decimal m: return BindText(statement, index, m.ToString("0.0###########################", System.Globalization.CultureInfo.InvariantCulture));
            case byte[] blob: return SQLitePCL.raw.sqlite3_bind_blob(statement, index, blob);
            case Enum e: return SQLitePCL.raw.sqlite3_bind_int64(statement, index, Convert.ToInt64(e, System.Globalization.CultureInfo.InvariantCulture));
            default: throw new InvalidOperationException($"No SQLite binding for {value.GetType()}.");
        }
    }

    /// <summary>UTF-8 as SQLitePCL encodes a string (Encoding.UTF8), without its allocation per value.</summary>
    private static int BindText(SQLitePCL.sqlite3_stmt statement, int index, string value)
    {
        // An empty span would reach SQLite as a null pointer, which binds NULL, not ''.
        if (value.Length == 0) return SQLitePCL.raw.sqlite3_bind_text(statement, index, "");
        var max = System.Text.Encoding.UTF8.GetMaxByteCount(value.Length);
        byte[]? rented = null;
        var buffer = max <= 1024 ? stackalloc byte[1024] : (rented = System.Buffers.ArrayPool<byte>.Shared.Rent(max));
        try
        {
            return SQLitePCL.raw.sqlite3_bind_text(statement, index, buffer[..System.Text.Encoding.UTF8.GetBytes(value, buffer)]);
        }
        finally
        {
            if (rented is not null) System.Buffers.ArrayPool<byte>.Shared.Return(rented);
        }
    }

    public void Dispose() => _statement.Dispose();
}

public static class RowInserterExtensions
{
    /// <summary>Inserts <paramref name="rows"/> in multi-row statements, in one transaction unless the caller has one.</summary>
    public static async Task<int> InsertRowsAsync<T>(this AppDbContext db, IReadOnlyList<T> rows, CancellationToken ct = default) where T : class
    {
        if (rows.Count == 0) return 0;
        // One transaction for all the statements unless the caller has one: one commit (and one disk sync on SQLite).
        await using var own = db.Database.CurrentTransaction is null ? await db.Database.BeginTransactionAsync(ct) : null;
        await using var inserter = new RowInserter<T>(db);
        foreach (var row in rows) await inserter.AddAsync(row, ct);
        await inserter.FlushAsync(ct);
        if (own is not null) await own.CommitAsync(ct);
        return inserter.Written;
    }
}
