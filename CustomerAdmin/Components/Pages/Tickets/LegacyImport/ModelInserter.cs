using System.Data.Common;
using CustomerAdmin.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;

namespace CustomerAdmin.Components.Pages.Tickets.LegacyImport;

/// <summary>
/// One prepared INSERT for many rows of <typeparamref name="T"/>, on the context's connection and inside its current
/// transaction. Columns, store types and value converters come from the EF model, so what is written is what EF
/// would write; store-generated keys are left to the database. Used where change tracking costs more than the insert
/// itself (a million imported tickets).
/// </summary>
internal sealed class ModelInserter<T> : IAsyncDisposable where T : class
{
    private readonly DbCommand _command;
    private readonly (IProperty Property, DbParameter Parameter, Func<object?, object?> Convert)[] _columns;
    private bool _prepared;

    private readonly bool _returningId;

    /// <param name="returningId">Append RETURNING of the generated key (SQLite 3.35+ and PostgreSQL both have it).</param>
    public ModelInserter(AppDbContext db, bool returningId = false)
    {
        _returningId = returningId;
        var entity = db.Model.FindEntityType(typeof(T))!;
        var table = StoreObjectIdentifier.Table(entity.GetTableName()!, entity.GetSchema());
        var sql = db.GetService<ISqlGenerationHelper>();
        var properties = entity.GetProperties()
            .Where(p => p.PropertyInfo is not null && !(p.IsPrimaryKey() && p.ValueGenerated != ValueGenerated.Never))
            .ToList();
        _command = db.Database.GetDbConnection().CreateCommand();
        _command.Transaction = db.Database.CurrentTransaction?.GetDbTransaction();
        _columns = properties.Select((p, i) =>
        {
            var parameter = _command.CreateParameter();
            parameter.ParameterName = "@p" + i;
            var mapping = (RelationalTypeMapping)p.GetRelationalTypeMapping();
            if (mapping.DbType is { } dbType) parameter.DbType = dbType;
            _command.Parameters.Add(parameter);
            var converter = p.GetValueConverter() ?? mapping.Converter;
            Func<object?, object?> convert = converter is null ? v => v : v => v is null ? null : converter.ConvertToProvider(v);
            return (p, parameter, convert);
        }).ToArray();
        _command.CommandText = $"INSERT INTO {sql.DelimitIdentifier(table.Name, table.Schema)} ("
            + string.Join(", ", properties.Select(p => sql.DelimitIdentifier(p.GetColumnName(table)!)))
            + ") VALUES (" + string.Join(", ", _columns.Select(c => c.Parameter.ParameterName)) + ")"
            + (returningId ? " RETURNING " + sql.DelimitIdentifier(entity.FindPrimaryKey()!.Properties[0].GetColumnName(table)!) : "");
    }

    /// <returns>The generated key when constructed with returningId, otherwise null.</returns>
    public async Task<long?> InsertAsync(T row, CancellationToken ct)
    {
        foreach (var (property, parameter, convert) in _columns)
            parameter.Value = convert(property.PropertyInfo!.GetValue(row)) ?? DBNull.Value;
        if (!_prepared)
        {
            await _command.PrepareAsync(ct);
            _prepared = true;
        }
        if (_returningId) return Convert.ToInt64(await _command.ExecuteScalarAsync(ct));
        await _command.ExecuteNonQueryAsync(ct);
        return null;
    }

    public ValueTask DisposeAsync() => _command.DisposeAsync();
}
