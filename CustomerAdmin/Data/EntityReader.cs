using System.Data.Common;
using System.Linq.Expressions;
using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;

namespace CustomerAdmin.Data;

/// <summary>
/// Reads whole rows of one entity type from a plain command (<see cref="DirectSql"/>) the way an EF no-tracking query
/// would: every mapped column of the entity's table, each read as its provider type, converted back with the model's
/// value converters (enum names, cents, UTC) and written to the member EF writes (the backing field where EF uses it).
/// The mirror of <see cref="RowInserter{T}"/>. One per model.
/// </summary>
public sealed class EntityReader<T> where T : class, new()
{
    private static readonly ConditionalWeakTable<IModel, EntityReader<T>> ByModel = new();

    private readonly Column[] _columns;
    private readonly ISqlGenerationHelper _sql;
    private readonly StoreObjectIdentifier _table;

    public static EntityReader<T> For(AppDbContext db) => ByModel.GetValue(db.Model, _ => new EntityReader<T>(db));

    private EntityReader(AppDbContext db)
    {
        var entity = db.Model.FindEntityType(typeof(T)) ?? throw new InvalidOperationException($"{typeof(T).Name} is not in the model.");
        _table = StoreObjectIdentifier.Table(entity.GetTableName()!, entity.GetSchema());
        _sql = db.GetService<ISqlGenerationHelper>();
        // Shadow properties live only in EF's change tracker, which an untracked read has none of.
        _columns = entity.GetProperties().Where(p => !p.IsShadowProperty())
            .Select(p => new Column(p, p.GetColumnName(_table)!)).ToArray();
        Key = Array.FindIndex(_columns, c => c.Property.IsPrimaryKey());
    }

    /// <summary>How many columns <see cref="Read"/> takes from a row.</summary>
    public int Count => _columns.Length;

    /// <summary>Which of them is the key (null in the row of a LEFT JOIN that found nothing).</summary>
    public int Key { get; }

    /// <summary>The delimited table name.</summary>
    public string Table => _sql.DelimitIdentifier(_table.Name, _table.Schema);

    /// <summary>The delimited column name of <paramref name="property"/>, qualified by <paramref name="alias"/>.</summary>
    public string ColumnOf(string alias, string property) =>
        alias + "." + _sql.DelimitIdentifier(_columns.Single(c => c.Property.Name == property).Name);

    /// <summary>The select list, qualified by <paramref name="alias"/>, in the order <see cref="Read"/> expects.</summary>
    public string SelectList(string alias) => string.Join(", ", _columns.Select(c => alias + "." + _sql.DelimitIdentifier(c.Name)));

    /// <summary>The entity in the columns of the current row starting at <paramref name="offset"/>, or null if its key is null.</summary>
    public T? Read(DbDataReader reader, int offset = 0)
    {
        if (reader.IsDBNull(offset + Key)) return null;
        var entity = new T();
        for (var i = 0; i < _columns.Length; i++) _columns[i].ReadInto(entity, reader, offset + i);
        return entity;
    }

    private sealed class Column
    {
        private readonly Func<DbDataReader, int, object> _get;
        private readonly Func<object, object?> _fromProvider;
        private readonly Action<object, object?> _set;

        public Column(IProperty property, string name)
        {
            (Property, Name) = (property, name);
            var mapping = (RelationalTypeMapping)property.GetRelationalTypeMapping();
            var converter = property.GetValueConverter() ?? mapping.Converter;
            var stored = converter?.ProviderClrType ?? mapping.ClrType;
            stored = Nullable.GetUnderlyingType(stored) ?? stored;
            _get = typeof(Column).GetMethod(nameof(Get), System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)!
                .MakeGenericMethod(stored).CreateDelegate<Func<DbDataReader, int, object>>();
            _fromProvider = converter is null ? v => v : converter.ConvertFromProvider;

            // The member EF itself writes when it materialises (a backing field when it prefers one).
            var member = property.GetMemberInfo(forMaterialization: true, forSet: true);
            var instance = Expression.Parameter(typeof(object));
            var value = Expression.Parameter(typeof(object));
            var memberType = member is System.Reflection.FieldInfo f ? f.FieldType : ((System.Reflection.PropertyInfo)member).PropertyType;
            _set = Expression.Lambda<Action<object, object?>>(Expression.Assign(
                Expression.MakeMemberAccess(Expression.Convert(instance, typeof(T)), member),
                Expression.Convert(value, memberType)), instance, value).Compile();
        }

        public IProperty Property { get; }
        public string Name { get; }

        private static object Get<TStored>(DbDataReader reader, int ordinal) => reader.GetFieldValue<TStored>(ordinal)!;

        public void ReadInto(object entity, DbDataReader reader, int ordinal) =>
            _set(entity, reader.IsDBNull(ordinal) ? null : _fromProvider(_get(reader, ordinal)));
    }
}
