using System.Data.Common;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;

namespace CustomerAdmin.Data;

/// <summary>
/// Bulk UPDATEs of named columns by primary key, for rows changed by the thousand (an import's matched customers) where
/// the change tracker would cost more than the update itself: <see cref="RowInserter{T}"/>'s counterpart, with the same
/// columns and value conversions from the EF model and, on SQLite, the same statement prepared on the native handle and
/// bound by position. When the entity has a concurrency token the row is written only while it still holds the
/// token's value the caller read (as <c>SaveChanges</c> checks it): <see cref="UpdateAsync"/> returns false otherwise.
/// No keepers run: the caller writes what <c>SaveChanges</c> would add, through the keepers' bulk entry points.
/// </summary>
public sealed class RowUpdater<T> : IAsyncDisposable where T : class
{
    private readonly ModelColumn[] _columns;
    private readonly ModelColumn _key;
    private readonly ModelColumn? _token;
    private readonly DbCommand? _command;
    private readonly SqliteRowStatement? _sqlite;
    private bool _prepared;

    /// <param name="properties">The properties to write (the token, when it is among them, is written with its new value).</param>
    public RowUpdater(AppDbContext db, IEnumerable<string> properties)
    {
        var entity = db.Model.FindEntityType(typeof(T)) ?? throw new InvalidOperationException($"{typeof(T).Name} is not in the model.");
        var table = StoreObjectIdentifier.Table(entity.GetTableName()!, entity.GetSchema());
        var sql = db.GetService<ISqlGenerationHelper>();
        string Column(IProperty p) => sql.DelimitIdentifier(p.GetColumnName(table)!);
        _columns = properties.Distinct().Select(name => ModelColumn.For(entity.FindProperty(name)
            ?? throw new InvalidOperationException($"{typeof(T).Name} has no property {name}."))).ToArray();
        _key = ModelColumn.For(entity.FindPrimaryKey()!.Properties.Single());
        _token = entity.GetProperties().Where(p => p.IsConcurrencyToken).Select(ModelColumn.For).SingleOrDefault();
        var where = new List<ModelColumn> { _key };
        if (_token is not null) where.Add(_token);

        if (db.Database.GetDbConnection() is Microsoft.Data.Sqlite.SqliteConnection { State: System.Data.ConnectionState.Open } connection
            && _columns.Concat(where).All(SqliteRowStatement.Supports))
        {
            var text = new StringBuilder($"UPDATE {sql.DelimitIdentifier(table.Name, table.Schema)} SET ")
                .AppendJoin(", ", _columns.Select(c => Column(c.Property) + " = ?"))
                .Append(" WHERE ").AppendJoin(" AND ", where.Select(c => Column(c.Property) + " = ?"));
            _sqlite = new SqliteRowStatement(connection, text.ToString(), _columns, returnsRowId: false);
            return;
        }
        _command = db.Database.GetDbConnection().CreateCommand();
        _command.Transaction = db.Database.CurrentTransaction?.GetDbTransaction();
        var sets = _columns.Select((c, i) => Column(c.Property) + " = " + c.CreateParameter(_command, "@p" + i).ParameterName).ToList();
        var conditions = where.Select((c, i) => Column(c.Property) + " = " + c.CreateParameter(_command, "@w" + i).ParameterName).ToList();
        _command.CommandText = $"UPDATE {sql.DelimitIdentifier(table.Name, table.Schema)} SET {string.Join(", ", sets)} WHERE {string.Join(" AND ", conditions)}";
    }

    public int Written { get; private set; }

    /// <summary>
    /// Writes <paramref name="row"/>'s columns to the row with its key, if that row still holds <paramref name="token"/>
    /// (the concurrency token's value when it was read; ignored when the entity has none). False when it does not.
    /// </summary>
    public async Task<bool> UpdateAsync(T row, object? token, CancellationToken ct)
    {
        object[] where = _token is null ? [_key.Read(row)] : [_key.Read(row), _token.Convert(token)];
        long changed;
        if (_sqlite is not null)
        {
            ct.ThrowIfCancellationRequested();
            changed = _sqlite.Execute(row, where);
        }
        else
        {
            for (var c = 0; c < _columns.Length; c++) _command!.Parameters[c].Value = _columns[c].Read(row);
            for (var w = 0; w < where.Length; w++) _command!.Parameters[_columns.Length + w].Value = where[w];
            if (!_prepared)
            {
                await _command!.PrepareAsync(ct);
                _prepared = true;
            }
            changed = await _command!.ExecuteNonQueryAsync(ct);
        }
        if (changed == 1) Written++;
        return changed == 1;
    }

    public async ValueTask DisposeAsync()
    {
        _sqlite?.Dispose();
        if (_command is not null) await _command.DisposeAsync();
    }
}
