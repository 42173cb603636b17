using CustomerAdmin.Data;
using CustomerAdmin.Features.Duplicates.Matching;

namespace CustomerAdmin.Features.Duplicates.Scanning;

/// <summary>The customers the duplicate detector looks at, and the columns it reads of them, as one query shape.</summary>
public static class MatchRecords
{
    /// <summary>Customers that can still have a duplicate: neither deleted nor merged into another.</summary>
    public static IQueryable<Customer> Matchable(this IQueryable<Customer> customers) => customers.Live();

    /// <summary>True for a status the detector looks at (the in-memory twin of <see cref="Matchable"/>).</summary>
    public static bool IsMatchable(CustomerStatus status) => !status.IsGone();

    /// <summary>Only the matching columns, straight into <see cref="MatchRecord"/> (as <see cref="MatchRecord.From"/> builds it).</summary>
    public static IQueryable<MatchRecord> ToMatchRecords(this IQueryable<Customer> customers) =>
        customers.Select(c => new MatchRecord(c.Id, c.Type,
            c.Type == CustomerType.Individual ? c.FirstName : null,
            c.Type == CustomerType.Individual ? c.LastName : null,
            c.Type == CustomerType.Individual ? null : c.Name,
            c.PrimaryPhone, c.SecondaryPhone, c.Email, c.AddressLine1, c.AddressLine2, c.City, c.PostalCode, c.Country));

    /// <summary>The properties of <see cref="Customer"/> a profile is computed from (a change to one re-checks the customer).</summary>
    public static readonly IReadOnlySet<string> Fields = new HashSet<string>(StringComparer.Ordinal)
    {
        nameof(Customer.Type), nameof(Customer.FirstName), nameof(Customer.LastName), nameof(Customer.Name),
        nameof(Customer.PrimaryPhone), nameof(Customer.SecondaryPhone), nameof(Customer.Email),
        nameof(Customer.AddressLine1), nameof(Customer.AddressLine2), nameof(Customer.City), nameof(Customer.PostalCode),
        nameof(Customer.Country), nameof(Customer.Status),
    };
}
