using System.Linq.Expressions;

namespace CustomerAdmin.Data;

/// <summary>
/// The one place that says which customers are gone: deleted ones and those merged into another record. Lists, search,
/// pickers, counts, exports and the phone's unique index leave both out; a merged customer's page sends the reader on
/// to the survivor.
/// </summary>
public static class CustomerStatuses
{
    /// <summary>Statuses of records that no longer stand for a customer of their own.</summary>
    public static IReadOnlyList<CustomerStatus> Gone { get; } = [CustomerStatus.Deleted, CustomerStatus.Merged];

    public static bool IsGone(this CustomerStatus status) => status is CustomerStatus.Deleted or CustomerStatus.Merged;

    /// <summary>The filter as an expression, for queries (translated to SQL).</summary>
    public static Expression<Func<Customer, bool>> IsLive { get; } =
        c => c.Status != CustomerStatus.Deleted && c.Status != CustomerStatus.Merged;

    /// <summary>Only customers that are not deleted or merged.</summary>
    public static IQueryable<Customer> Live(this IQueryable<Customer> customers) => customers.Where(IsLive);

    /// <summary>The filter text of the phone's partial unique index; the same text works in both databases.</summary>
    public const string LiveFilterSql = "\"Status\" NOT IN ('Deleted', 'Merged')";

    /// <summary>Live customers with a phone: the phone is unique among them (a customer known by email alone has none).</summary>
    public const string LiveWithPhoneFilterSql = LiveFilterSql + " AND \"PrimaryPhone\" <> ''";
}
