using System.Collections.Concurrent;
using System.Data.Common;
using System.Linq.Expressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;

namespace CustomerAdmin.Data;

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

    /// <summary>The CLR type of the value <see cref="Read"/> returns (after the value converter).</summary>
    public Type ProviderClrType => (Property.GetValueConverter() ?? _mapping.Converter)?.ProviderClrType ?? Property.ClrType;

    public System.Data.DbType? DbType => _mapping.DbType;

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
