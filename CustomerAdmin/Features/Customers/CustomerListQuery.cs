using CustomerAdmin.Data;
using CustomerAdmin.Common;
using CustomerAdmin.Features.Customers.Search;

namespace CustomerAdmin.Features.Customers;

public enum CustomerSort { LastName, Name, City, Created, TotalSpent }

public enum CustomerKind { Private, Business }

/// <summary>What the customer list shows: filters and sort, as they appear in the page's query string.</summary>
public sealed record CustomerListFilter
{
    public string? Search { get; init; }
    public CustomerType? Type { get; init; }
    public CustomerKind? Kind { get; init; }
    /// <summary>Null means every customer that is not deleted.</summary>
    public CustomerStatus? Status { get; init; }
    public CustomerTier? Tier { get; init; }
    public string? City { get; init; }
    public string? Tag { get; init; }
    /// <summary>Tickets of any status, inclusive bounds.</summary>
    public int? MinTickets { get; init; }
    public int? MaxTickets { get; init; }
    /// <summary>Lifetime revenue (closed tickets plus sales, the denormalised <see cref="Customer.TotalSpent"/>), inclusive.</summary>
    public decimal? MinRevenue { get; init; }
    public decimal? MaxRevenue { get; init; }
    /// <summary>UTC, inclusive.</summary>
    public DateTime? CreatedFrom { get; init; }
    /// <summary>UTC, exclusive.</summary>
    public DateTime? CreatedBefore { get; init; }
    /// <summary>
    /// With <see cref="BoughtBefore"/>: customers with at least <see cref="MinPurchases"/> purchases (a ticket closed or a
    /// sale) in [from, before), UTC. The dashboard's buyers, repeat customers and revenue link here.
    /// </summary>
    public DateTime? BoughtFrom { get; init; }
    public DateTime? BoughtBefore { get; init; }
    public int MinPurchases { get; init; } = 1;
    /// <summary>With <see cref="BoughtFrom"/>: only customers who had also bought before it (the dashboard's returning buyers).</summary>
    public bool BoughtEarlier { get; init; }
    /// <summary>With <see cref="ActiveBefore"/>: customers who opened a ticket or bought something in [from, before), UTC.</summary>
    public DateTime? ActiveFrom { get; init; }
    public DateTime? ActiveBefore { get; init; }
    /// <summary>Customers with a booking (seats or reminders only) on this event.</summary>
    public int? BookedEventId { get; init; }
    /// <summary>Customers who made a booking at or after this instant (UTC).</summary>
    public DateTime? BookedSince { get; init; }
    /// <summary>Customers who made no booking at or after this instant (UTC), those who never booked included.</summary>
    public DateTime? NotBookedSince { get; init; }
    /// <summary>Only these customers (rows ticked on the list: "export selected"); null for no such limit.</summary>
    public IReadOnlyList<int>? Ids { get; init; }
    public CustomerSort Sort { get; init; } = CustomerSort.LastName;
    public bool Descending { get; init; }
}

public sealed record CustomerRow(int Id, string Name, string PrimaryPhone, string? Email, string? City,
    CustomerType Type, CustomerStatus Status, CustomerTier Tier, decimal TotalSpent, DateTime CreatedAt);

/// <summary>The list page's query (and, later, the export's): filters and sort applied in the database.</summary>
public static class CustomerListQuery
{
    public static IQueryable<Customer> Filtered(this AppDbContext db, CustomerListFilter f, PhoneNormalizer phones)
    {
        var q = db.Customers.AsQueryable();
        q = f.Status is { } status ? q.Where(c => c.Status == status) : q.Live();
        if (f.Type is { } type) q = q.Where(c => c.Type == type);
        if (f.Kind == CustomerKind.Private) q = q.Where(c => c.Type == CustomerType.Individual);
        if (f.Kind == CustomerKind.Business) q = q.Where(c => c.Type != CustomerType.Individual);
        if (f.Tier is { } tier) q = q.Where(c => c.Tier == tier);
        if (!string.IsNullOrWhiteSpace(f.City))
        {
            var city = f.City.Trim();
            q = q.Where(c => c.City == city);
        }
        if (!string.IsNullOrWhiteSpace(f.Tag))
        {
            var tag = SearchText.Fold(f.Tag.Trim());
            q = q.Where(c => db.CustomerSearchTokens.Any(t => t.CustomerId == c.Id && t.Kind == SearchTokenKind.Tag && t.Token == tag));
        }
        if (f.MinTickets is { } minTickets) q = q.Where(c => db.Tickets.Count(t => t.CustomerId == c.Id) >= minTickets);
        if (f.MaxTickets is { } maxTickets) q = q.Where(c => db.Tickets.Count(t => t.CustomerId == c.Id) <= maxTickets);
        if (f.MinRevenue is { } minRevenue) q = q.Where(c => c.TotalSpent >= minRevenue);
        if (f.MaxRevenue is { } maxRevenue) q = q.Where(c => c.TotalSpent <= maxRevenue);
        // "New customers" on the dashboard count the day a customer was first seen, and link here: the same day.
        if (f.CreatedFrom is { } createdFrom) q = q.Where(c => c.FirstSeenAt >= createdFrom);
        if (f.CreatedBefore is { } createdBefore) q = q.Where(c => c.FirstSeenAt < createdBefore);
        if (f is { BoughtFrom: { } boughtFrom, BoughtBefore: { } boughtBefore })
        {
            var min = Math.Max(1, f.MinPurchases);
            q = q.Where(c => db.Tickets.Count(t => t.CustomerId == c.Id && t.Status == TicketStatus.Closed && t.ClosedAt >= boughtFrom && t.ClosedAt < boughtBefore)
                + db.Sales.Count(s => s.CustomerId == c.Id && s.SoldAt >= boughtFrom && s.SoldAt < boughtBefore) >= min);
            if (f.BoughtEarlier)
                q = q.Where(c => db.Tickets.Any(t => t.CustomerId == c.Id && t.Status == TicketStatus.Closed && t.ClosedAt < boughtFrom)
                    || db.Sales.Any(s => s.CustomerId == c.Id && s.SoldAt < boughtFrom));
        }
        if (f is { ActiveFrom: { } activeFrom, ActiveBefore: { } activeBefore })
        {
            q = q.Where(c => db.Tickets.Any(t => t.CustomerId == c.Id && t.OpenedAt >= activeFrom && t.OpenedAt < activeBefore)
                || db.Sales.Any(s => s.CustomerId == c.Id && s.SoldAt >= activeFrom && s.SoldAt < activeBefore));
        }
        if (f.BookedEventId is { } bookedEvent) q = q.Where(c => db.Bookings.Any(b => b.CustomerId == c.Id && b.EventId == bookedEvent));
        if (f.BookedSince is { } bookedSince) q = q.Where(c => db.Bookings.Any(b => b.CustomerId == c.Id && b.CreatedAt >= bookedSince));
        if (f.NotBookedSince is { } notSince) q = q.Where(c => !db.Bookings.Any(b => b.CustomerId == c.Id && b.CreatedAt >= notSince));
        if (f.Ids is { } ids)
        {
            var list = ids.ToList();
            q = q.Where(c => list.Contains(c.Id));
        }
        var search = SearchQuery.Parse(f.Search, phones);
        if (search.IsEmpty && !string.IsNullOrWhiteSpace(f.Search))
        {
            // A term with nothing searchable in it ("%", "'") matches nothing rather than everything.
            q = q.Where(c => false);
        }
        else if (!search.IsEmpty)
        {
            // Deleted and merged customers are not in the search index, so their views search the row itself.
            if (f.Status is { } gone && gone.IsGone())
            {
                var folded = SearchText.Fold(f.Search!.Trim());
                var digits = PhoneNormalizer.Digits(f.Search);
                q = q.Where(c => c.SortName.Contains(folded) || (c.Email != null && c.Email.StartsWith(folded))
                    || (digits.Length >= SearchQuery.MinPhoneDigits && c.PrimaryPhone.EndsWith(digits)));
            }
            else
            {
                q = q.Matching(db, search);
            }
        }
        return q;
    }

    public static IQueryable<Customer> Sorted(this IQueryable<Customer> q, CustomerSort sort, bool descending) => (sort, descending) switch
    {
        (CustomerSort.Name, false) => q.OrderBy(c => c.DisplayName ?? c.FirstName ?? c.Name).ThenBy(c => c.LastName).ThenBy(c => c.Id),
        (CustomerSort.Name, true) => q.OrderByDescending(c => c.DisplayName ?? c.FirstName ?? c.Name).ThenByDescending(c => c.LastName).ThenBy(c => c.Id),
        // The folded key (Customer.CityKey): case and accents ignored, customers without a city last, the same order
        // on both databases, and an index to read it from.
        (CustomerSort.City, false) => q.OrderBy(c => c.CityKey).ThenBy(c => c.SortName).ThenBy(c => c.Id),
        (CustomerSort.City, true) => q.OrderByDescending(c => c.CityKey).ThenBy(c => c.SortName).ThenBy(c => c.Id),
        (CustomerSort.Created, false) => q.OrderBy(c => c.CreatedAt).ThenBy(c => c.Id),
        (CustomerSort.Created, true) => q.OrderByDescending(c => c.CreatedAt).ThenByDescending(c => c.Id),
        (CustomerSort.TotalSpent, false) => q.OrderBy(c => c.TotalSpent).ThenBy(c => c.SortName).ThenBy(c => c.Id),
        (CustomerSort.TotalSpent, true) => q.OrderByDescending(c => c.TotalSpent).ThenBy(c => c.SortName).ThenBy(c => c.Id),
        (_, false) => q.OrderBy(c => c.SortName).ThenBy(c => c.Id),
        (_, true) => q.OrderByDescending(c => c.SortName).ThenByDescending(c => c.Id),
    };

    public static IQueryable<CustomerRow> AsRows(this IQueryable<Customer> q) => q.Select(c => new CustomerRow(c.Id,
        c.DisplayName ?? (c.Type == CustomerType.Individual ? (c.FirstName ?? "") + " " + (c.LastName ?? "") : c.Name ?? ""),
        c.PrimaryPhone, c.Email, c.City, c.Type, c.Status, c.Tier, c.TotalSpent, c.CreatedAt));
}
