using System.Linq.Expressions;
using System.Reflection;
using Microsoft.EntityFrameworkCore;

namespace CustomerAdmin.Data;

/// <summary>
/// The distinct values of an indexed text key without reading every row that carries them (a "loose index scan"):
/// each value found is one probe for the next greater key, <c>ORDER BY key LIMIT 1</c> on the key's index, so ten
/// values cost ten index seeks however many rows share each one. A <c>DISTINCT</c> would read them all. Neither
/// database does this by itself (SQLite's skip-scan needs statistics; PostgreSQL has none), hence the loop.
/// </summary>
public static class LooseIndexScan
{
    private static readonly MethodInfo Compare = typeof(string).GetMethod(nameof(string.Compare), [typeof(string), typeof(string)])!;

    /// <summary>
    /// Up to <paramref name="limit"/> distinct keys of <paramref name="source"/>'s rows in ordinal order, from
    /// <paramref name="from"/> (inclusive) or after <paramref name="after"/> (exclusive) when given, and below
    /// <paramref name="below"/> when given (a prefix's range: <see cref="Sql.PrefixRange.UpperBound"/>).
    /// </summary>
    public static async Task<List<string>> DistinctKeysAsync<T>(IQueryable<T> source, Expression<Func<T, string?>> key,
        string from, string? after, string? below, int limit, CancellationToken ct)
    {
        var keys = new List<string>();
        // The bounds are read through a holder's fields, so EF sends them as parameters: one cached statement for
        // every probe instead of one per key value.
        var bounds = new Bounds { Low = after ?? from, High = below ?? "" };
        var low = Where(key, bounds, nameof(Bounds.Low), after is null ? Expression.GreaterThanOrEqual : Expression.GreaterThan);
        var high = Where(key, bounds, nameof(Bounds.High), Expression.LessThan);
        while (keys.Count < limit)
        {
            var probe = source.Where(low);
            if (below is not null) probe = probe.Where(high);
            var next = await probe.OrderBy(key).Select(key).FirstOrDefaultAsync(ct);
            if (next is null) break;
            keys.Add(next);
            bounds.Low = next;
            low = Where(key, bounds, nameof(Bounds.Low), Expression.GreaterThan);
        }
        return keys;
    }

    /// <summary><c>string.Compare(key, bound) op 0</c>, which EF translates to <c>key op @bound</c>.</summary>
    private static Expression<Func<T, bool>> Where<T>(Expression<Func<T, string?>> key, Bounds bounds, string field,
        Func<Expression, Expression, BinaryExpression> op) =>
        Expression.Lambda<Func<T, bool>>(
            op(Expression.Call(Compare, key.Body, Expression.Field(Expression.Constant(bounds), field)), Expression.Constant(0)),
            key.Parameters);

    private sealed class Bounds
    {
        public string Low = "";
        public string High = "";
    }
}
