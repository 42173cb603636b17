using System.Linq.Expressions;
using System.Text;
using System.Text.Json;
using CustomerAdmin.Common;
using CustomerAdmin.Data;
using Microsoft.EntityFrameworkCore;

namespace CustomerAdmin.Features.Customers;

/// <summary>One page of the customer list and where the next one starts (null on the last page).</summary>
public sealed record CustomerKeysetPage(IReadOnlyList<CustomerRow> Items, string? NextCursor);

/// <summary>
/// The customer list (<see cref="CustomerListQuery.Filtered"/>, the same filters as the page) paged by keyset for the
/// API: a cursor holds the sort values of the last row given, and the next page is what sorts after them, so rows added
/// or removed meanwhile never shift a page. The order is the page's (<see cref="CustomerListQuery.Sorted"/>), with an
/// empty text in place of a missing one, so each key compares the same way in SQL and in the cursor.
/// </summary>
public static class CustomerListKeyset
{
    public const int MaxLimit = 200;

    /// <exception cref="FormatException">The cursor is not one this list made for the same sort.</exception>
    public static async Task<CustomerKeysetPage> KeysetPageAsync(this AppDbContext db, IQueryable<Customer> filtered,
        CustomerSort sort, bool descending, string? cursor, int limit, CancellationToken ct = default)
    {
        var keys = Keys(sort, descending);
        var q = filtered;
        if (!string.IsNullOrEmpty(cursor)) q = q.Where(After(keys, Decode(cursor, sort, descending, keys)));
        IOrderedQueryable<Customer>? ordered = null;
        foreach (var key in keys) ordered = key.Order(q, ordered);
        var rows = await ordered!.AsRows().Take(limit + 1).ToListAsync(ct);
        if (rows.Count <= limit) return new CustomerKeysetPage(rows, null);
        rows.RemoveAt(limit);
        var lastId = rows[^1].Id;
        var last = await db.Customers.AsNoTracking().FirstAsync(c => c.Id == lastId, ct);
        return new CustomerKeysetPage(rows, Encode(sort, descending, keys.Select(k => k.ValueOf(last)).ToList()));
    }

    private static SortKey[] Keys(CustomerSort sort, bool desc) => sort switch
    {
        CustomerSort.Name => [Key(c => c.DisplayName ?? c.FirstName ?? c.Name ?? "", desc), Key(c => c.LastName ?? "", desc), Key(c => c.Id, false)],
        CustomerSort.City => [Key(c => c.CityKey, desc), Key(c => c.SortName, false), Key(c => c.Id, false)],
        CustomerSort.Created => [Key(c => c.CreatedAt, desc), Key(c => c.Id, desc)],
        CustomerSort.TotalSpent => [Key(c => c.TotalSpent, desc), Key(c => c.SortName, false), Key(c => c.Id, false)],
        _ => [Key(c => c.SortName, desc), Key(c => c.Id, desc)],
    };

    private static SortKey<T> Key<T>(Expression<Func<Customer, T>> selector, bool descending) => new(selector, descending);

    /// <summary>
    /// (k1 after v1) or (k1 = v1 and k2 after v2) or ...: the rows that sort after the cursor's, and k1 at or after v1
    /// said once more on its own: a bound the databases read the first key's index from, instead of scanning it from
    /// its start and filtering (a page deep in a million rows).
    /// </summary>
    private static Expression<Func<Customer, bool>> After(SortKey[] keys, object?[] values)
    {
        var c = Expression.Parameter(typeof(Customer), "c");
        Expression? any = null;
        Expression? equalSoFar = null;
        for (var i = 0; i < keys.Length; i++)
        {
            var (after, equal, _) = keys[i].Compare(c, values[i]);
            var term = equalSoFar is null ? after : Expression.AndAlso(equalSoFar, after);
            any = any is null ? term : Expression.OrElse(any, term);
            equalSoFar = equalSoFar is null ? equal : Expression.AndAlso(equalSoFar, equal);
        }
        return Expression.Lambda<Func<Customer, bool>>(Expression.AndAlso(keys[0].Compare(c, values[0]).AtOrAfter, any!), c);
    }

    private static string Encode(CustomerSort sort, bool descending, List<object?> values) =>
        Convert.ToBase64String(JsonSerializer.SerializeToUtf8Bytes(new Cursor(sort, descending, values)))
            .TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static object?[] Decode(string text, CustomerSort sort, bool descending, SortKey[] keys)
    {
        try
        {
            var base64 = text.Replace('-', '+').Replace('_', '/');
            var bytes = Convert.FromBase64String(base64 + new string('=', (4 - base64.Length % 4) % 4));
            var cursor = JsonSerializer.Deserialize<JsonCursor>(bytes);
            if (cursor is null || cursor.S != sort || cursor.D != descending || cursor.K.Length != keys.Length)
                throw new FormatException();
            return keys.Select((k, i) => cursor.K[i].Deserialize(k.Type) ?? throw new FormatException()).ToArray();
        }
        catch (Exception e) when (e is JsonException or ArgumentException or NotSupportedException or InvalidOperationException or FormatException)
        {
            throw new FormatException("The cursor is not one this list made for this sort order: start again without it.", e);
        }
    }

    private sealed record Cursor(CustomerSort S, bool D, List<object?> K);

    private sealed record JsonCursor(CustomerSort S, bool D, JsonElement[] K);

    private abstract class SortKey
    {
        public abstract Type Type { get; }
        public abstract IOrderedQueryable<Customer> Order(IQueryable<Customer> q, IOrderedQueryable<Customer>? sorted);
        public abstract object? ValueOf(Customer customer);
        public abstract (Expression After, Expression Equal, Expression AtOrAfter) Compare(ParameterExpression c, object? value);
    }

    private sealed class SortKey<T>(Expression<Func<Customer, T>> selector, bool descending) : SortKey
    {
        private readonly Func<Customer, T> _compiled = selector.Compile();

        public override Type Type => typeof(T);

        public override IOrderedQueryable<Customer> Order(IQueryable<Customer> q, IOrderedQueryable<Customer>? sorted) =>
            (sorted, descending) switch
            {
                (null, false) => q.OrderBy(selector),
                (null, true) => q.OrderByDescending(selector),
                (_, false) => sorted.ThenBy(selector),
                _ => sorted.ThenByDescending(selector),
            };

        public override object? ValueOf(Customer customer) => _compiled(customer);

        public override (Expression After, Expression Equal, Expression AtOrAfter) Compare(ParameterExpression c, object? value)
        {
            var body = Predicates.Rebind(selector, c);
            // Through a closure's field, so the value is a SQL parameter and not a constant baked into the query text.
            Expression constant = Expression.Field(Expression.Constant(new Box((T)value!)), nameof(Box.Value));
            Expression left = body, right = constant;
            if (typeof(T) == typeof(string))
            {
                left = Expression.Call(typeof(string).GetMethod(nameof(string.Compare), [typeof(string), typeof(string)])!, body, constant);
                right = Expression.Constant(0);
            }
            return descending
                ? (Expression.LessThan(left, right), Expression.Equal(body, constant), Expression.LessThanOrEqual(left, right))
                : (Expression.GreaterThan(left, right), Expression.Equal(body, constant), Expression.GreaterThanOrEqual(left, right));
        }

        private sealed class Box(T value)
        {
            public readonly T Value = value;
        }
    }
}
