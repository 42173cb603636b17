using System.Globalization;
using System.Reflection;
using CustomerAdmin.Data;
using CustomerAdmin.Features.Customers;
using CustomerAdmin.Features.Customers.Search;

namespace CustomerAdmin.Features.Customers.History;

public sealed record FieldChange(string Field, string? OldValue, string? NewValue);

/// <summary>Field-level diffs of a customer and the record as it was on a given date.</summary>
public static class CustomerHistory
{
    private static readonly HashSet<string> Untracked =
    [
        nameof(Customer.Id), nameof(Customer.CreatedAt), nameof(Customer.CreatedBy), nameof(Customer.UpdatedAt),
        nameof(Customer.UpdatedBy), nameof(Customer.Version), nameof(Customer.SortName), nameof(Customer.CityKey), nameof(Customer.PrimaryPhoneSmsCapable),
        nameof(Customer.TotalSpent), nameof(Customer.VisitCount), nameof(Customer.LastVisitAt), nameof(Customer.ImportRunId),
        nameof(Customer.TicketCount),
    ];

    private static readonly HashSet<string> Statistics =
        [nameof(Customer.TotalSpent), nameof(Customer.VisitCount), nameof(Customer.LastVisitAt)];

    /// <summary>The fields a person edits, in the order the form shows them.</summary>
    public static readonly IReadOnlyList<PropertyInfo> TrackedProperties = typeof(Customer)
        .GetProperties(BindingFlags.Public | BindingFlags.Instance)
        .Where(p => p.CanWrite && !Untracked.Contains(p.Name) && IsScalar(p.PropertyType))
        .ToList();

    public static bool IsStatistic(string field) => Statistics.Contains(field);

    public static List<FieldChange> Diff(Customer before, Customer after) =>
        TrackedProperties
            .Select(p => new FieldChange(p.Name, Format(p.GetValue(before)), Format(p.GetValue(after))))
            .Where(c => c.OldValue != c.NewValue)
            .ToList();

    public static Dictionary<string, string?> Snapshot(Customer customer) =>
        TrackedProperties.ToDictionary(p => p.Name, p => Format(p.GetValue(customer)));

    /// <summary>
    /// The record as it stood at <paramref name="asOf"/>: start from today's values and undo, newest first,
    /// every change made after that moment. Null when the customer did not exist yet.
    /// </summary>
    public static Dictionary<string, string?>? AsOf(Customer current, IEnumerable<CustomerChange> changes, DateTime asOf)
    {
        if (current.CreatedAt > asOf) return null;
        var values = Snapshot(current);
        foreach (var change in changes.Where(c => c.ChangedAt > asOf).OrderByDescending(c => c.ChangedAt).ThenByDescending(c => c.Id))
        {
            if (values.ContainsKey(change.Field)) values[change.Field] = change.OldValue;
        }
        return values;
    }

    public static string? Format(object? value) => value switch
    {
        null => null,
        string s => s.Length == 0 ? null : s,
        DateTime d => d.ToString("O", CultureInfo.InvariantCulture),
        bool b => b ? "true" : "false",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString(),
    };

    private static bool IsScalar(Type t)
    {
        var type = Nullable.GetUnderlyingType(t) ?? t;
        return type.IsPrimitive || type.IsEnum || type == typeof(string) || type == typeof(decimal) || type == typeof(DateTime);
    }
}
