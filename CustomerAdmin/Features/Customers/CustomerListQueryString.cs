using System.Globalization;
using CustomerAdmin.Common;
using CustomerAdmin.Features.Customers.Search;
using CustomerAdmin.Features.Events;
using CustomerAdmin.Data;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Primitives;

namespace CustomerAdmin.Features.Customers;

/// <summary>
/// The customer list's query string, read in one place: the list page, the CSV export (same query string on
/// <c>/customers/export.csv</c>) and the dashboard's links all mean the same records by the same keys.
/// Dates are whole days at the venue (<see cref="VenueOptions.TimeZone"/>), "to" inclusive.
/// </summary>
public static class CustomerListQueryString
{
    public const string Search = "q", Type = "type", Kind = "kind", Status = "status", Tier = "tier", City = "city", Tag = "tag",
        Sort = "sort", Desc = "desc", TicketsMin = "tickets_min", TicketsMax = "tickets_max", RevenueMin = "revenue_min",
        RevenueMax = "revenue_max", CreatedFrom = "created_from", CreatedTo = "created_to", BoughtFrom = "bought_from",
        BoughtTo = "bought_to", PurchasesMin = "purchases_min", BoughtEarlier = "bought_earlier", ActiveFrom = "active_from", ActiveTo = "active_to",
        BookedEvent = "booked_event", BookedSince = "booked_since", NotBookedSince = "not_booked_since", Ids = "ids";

    /// <summary>The most ids a link may carry (ticked rows); a larger selection is "all matching" the filter instead.</summary>
    public const int MaxIds = 1000;

    public static CustomerListFilter Parse(string? queryString, VenueOptions venue) =>
        Parse(QueryHelpers.ParseQuery(queryString), venue);

    // An unknown or malformed value in a hand-edited URL is ignored rather than failing the page or the export.
    public static CustomerListFilter Parse(IDictionary<string, StringValues> query, VenueOptions venue)
    {
        string? Get(string key) => query.TryGetValue(key, out var v) && !StringValues.IsNullOrEmpty(v) ? v.ToString() : null;
        return new CustomerListFilter
        {
            Search = Get(Search),
            Type = ParseEnum<CustomerType>(Get(Type)),
            Kind = ParseEnum<CustomerKind>(Get(Kind)),
            Status = ParseEnum<CustomerStatus>(Get(Status)),
            Tier = ParseEnum<CustomerTier>(Get(Tier)),
            City = Get(City),
            Tag = Get(Tag),
            MinTickets = ParseInt(Get(TicketsMin)),
            MaxTickets = ParseInt(Get(TicketsMax)),
            MinRevenue = ParseDecimal(Get(RevenueMin)),
            MaxRevenue = ParseDecimal(Get(RevenueMax)),
            CreatedFrom = DayStart(Get(CreatedFrom), venue),
            CreatedBefore = DayStart(Get(CreatedTo), venue, nextDay: true),
            BoughtFrom = DayStart(Get(BoughtFrom), venue),
            BoughtBefore = DayStart(Get(BoughtTo), venue, nextDay: true),
            MinPurchases = ParseInt(Get(PurchasesMin)) ?? 1,
            BoughtEarlier = Get(BoughtEarlier) is "1" or "true",
            ActiveFrom = DayStart(Get(ActiveFrom), venue),
            ActiveBefore = DayStart(Get(ActiveTo), venue, nextDay: true),
            BookedEventId = ParseInt(Get(BookedEvent)),
            BookedSince = DayStart(Get(BookedSince), venue),
            NotBookedSince = DayStart(Get(NotBookedSince), venue),
            Ids = ParseIds(Get(Ids)),
            Sort = ParseEnum<CustomerSort>(Get(Sort)) ?? CustomerSort.LastName,
            Descending = bool.TryParse(Get(Desc), out var desc) && desc,
        };
    }

    /// <summary>A link to the list with these keys set (null values left out).</summary>
    public static string Link(params (string Key, string? Value)[] parts) =>
        QueryHelpers.AddQueryString("/customers", parts.Where(p => !string.IsNullOrEmpty(p.Value)).Select(p => KeyValuePair.Create(p.Key, p.Value)));

    public static string Day(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    public static DateOnly? ParseDay(string? value) =>
        DateOnly.TryParseExact(value, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d) ? d : null;

    public static T? ParseEnum<T>(string? value) where T : struct, Enum =>
        Enum.TryParse<T>(value, ignoreCase: true, out var parsed) && Enum.IsDefined(parsed) ? parsed : null;

    /// <summary>The UTC instant a venue day (yyyy-MM-dd) starts, or with <paramref name="nextDay"/> the next day starts
    /// (an inclusive "to" date as an exclusive bound).</summary>
    public static DateTime? DayStart(string? value, VenueOptions venue, bool nextDay = false) =>
        ParseDay(value) is { } day ? venue.ToUtc((nextDay ? day.AddDays(1) : day).ToDateTime(TimeOnly.MinValue)) : null;

    /// <summary>"3,17,42" as the ids it names (at most <see cref="MaxIds"/>); null when there is no list, empty when nothing in it is an id.</summary>
    public static IReadOnlyList<int>? ParseIds(string? value) => value is null ? null
        : value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(ParseInt).OfType<int>().Distinct().Take(MaxIds).ToList();

    public static string IdsText(IEnumerable<int> ids) => string.Join(",", ids.Take(MaxIds).Select(i => i.ToString(CultureInfo.InvariantCulture)));

    private static int? ParseInt(string? value) =>
        int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n >= 0 ? n : null;

    private static decimal? ParseDecimal(string? value) =>
        decimal.TryParse(value, NumberStyles.Number, CultureInfo.InvariantCulture, out var d) && d >= 0 ? d : null;
}
