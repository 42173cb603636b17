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
/// <c>SaveChanges</c> would add (see <see cref="AppDbContext.StampNew"/>).
/// </summary>
public sealed class RowInserter<T> : IAsyncDisposable where T : class
{
    // On SQLite one row per statement, prepared once: an INSERT of several rows inside a transaction needs a
    // statement journal (to undo a half-done statement), which holds a copy of every page the statement touches and
    // spills to a temporary file past 64 KB; the legacy import wrote 7.5 GB of them for 100,000 tickets at 3 rows per
    // statement. Binding by name also costs time that grows with the square of the parameter count. Without a journal
    // and with the statement reused, a row costs little more than SQLite's own work. PostgreSQL is fastest with few
    // large statements (9,500 reminders: 1.4 s at 26,000 parameters, 2.9 s at 130: each statement is a round trip)
    // and allows 65,535.
    private const int PostgresMaxParameters = 30_000;

    private readonly AppDbContext _db;
    private readonly ModelColumn[] _columns;
    private readonly string _head;
    private readonly string? _returning;
    private readonly int _perStatement;
    private readonly List<T> _pending = [];
    private DbCommand? _full;
    private bool _prepared;

    public int Written { get; private set; }

    /// <param name="returningId">For <see cref="InsertReturningIdAsync"/>: one row per statement, with RETURNING of the generated key (SQLite 3.35+ and PostgreSQL both have it).</param>
    public RowInserter(AppDbContext db, bool returningId = false)
    {
        _db = db;
        var entity = db.Model.FindEntityType(typeof(T)) ?? throw new InvalidOperationException($"{typeof(T).Name} is not in the model.");
        var table = StoreObjectIdentifier.Table(entity.GetTableName()!, entity.GetSchema());
        var sql = db.GetService<ISqlGenerationHelper>();
        _columns = entity.GetProperties()
            .Where(p => p.PropertyInfo is not null && !(p.IsPrimaryKey() && p.ValueGenerated != ValueGenerated.Never))
            .Select(ModelColumn.For)
            .ToArray();
        _head = $"INSERT INTO {sql.DelimitIdentifier(table.Name, table.Schema)} ("
            + string.Join(", ", _columns.Select(c => sql.DelimitIdentifier(c.Property.GetColumnName(table)!))) + ") VALUES ";
        _returning = returningId ? " RETURNING " + sql.DelimitIdentifier(entity.FindPrimaryKey()!.Properties[0].GetColumnName(table)!) : null;
        _perStatement = returningId || db.Database.IsSqlite() ? 1 : Math.Max(1, PostgresMaxParameters / _columns.Length);
    }

    /// <summary>Queues a row; a full statement's worth is written at once. Call <see cref="FlushAsync"/> at the end.</summary>
    public async Task AddAsync(T row, CancellationToken ct)
    {
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
        if (_full is not null) await _full.DisposeAsync();
    }
}

/// <summary>One mapped property as a command parameter: its provider type and its value converted as EF would write it.</summary>
public sealed class ModelColumn
{
    private readonly Func<object, object?> _get;
    private readonly Func<object?, object?> _convert;
    private readonly Func<object, object?> _fromProvider;
    private readonly RelationalTypeMapping _mapping;

    private static readonly ConcurrentDictionary<IProperty, ModelColumn> Known = new();

    /// <summary>The column of <paramref name="property"/>, built (and its getter compiled) once per model.</summary>
    public static ModelColumn For(IProperty property) => Known.GetOrAdd(property, p => new ModelColumn(p));

    private ModelColumn(IProperty property)
    {
        Property = property;
        _mapping = (RelationalTypeMapping)property.GetRelationalTypeMapping();
        // A compiled getter rather than PropertyInfo.GetValue: this runs for every column of every row.
        var instance = Expression.Parameter(typeof(object));
        _get = Expression.Lambda<Func<object, object?>>(Expression.Convert(
            Expression.Property(Expression.Convert(instance, property.DeclaringType.ClrType), property.PropertyInfo!), typeof(object)), instance).Compile();
        var converter = property.GetValueConverter() ?? _mapping.Converter;
        _convert = converter is null ? v => v : v => v is null ? null : converter.ConvertToProvider(v);
        _fromProvider = converter is null ? v => v : converter.ConvertFromProvider;
    }

    public IProperty Property { get; }

    /// <summary>The parameter, typed as EF types it (enum names, cents, UTC), added to the command.</summary>
    public DbParameter CreateParameter(DbCommand command, string name)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        if (_mapping.DbType is { } dbType) parameter.DbType = dbType;
        command.Parameters.Add(parameter);
        return parameter;
    }

    /// <summary>The property's value on <paramref name="entity"/>, converted for the provider.</summary>
    public object Read(object entity) => Convert(_get(entity));

    public object Convert(object? value) => _convert(value) ?? DBNull.Value;

    /// <summary>A value read from this column, converted back as EF would materialise it (enum names to enums, cents to money).</summary>
    public object? FromProvider(object? value) => value is null or DBNull ? null : _fromProvider(value);
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
