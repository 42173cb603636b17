using CustomerAdmin.Data;
using CustomerAdmin.Data.Sql;
using Microsoft.EntityFrameworkCore;

namespace CustomerAdmin.Features.Customers;

/// <summary>
/// Cities of live customers that start with what was typed, for the customer list's city filter. A loose index scan
/// over the city index (<see cref="LooseIndexScan"/>, as <see cref="Tags.TagQuery"/> over the tag tokens): each city found is one probe for the
/// next greater city in the prefix's range, so ten suggestions cost ten index seeks however many customers live in each.
/// The list suggests as staff type rather than offering every city: a select holding hundreds of cities kept a
/// component per city (twice: the select renders its items a second time, hidden) in every open list.
/// </summary>
public static class CityQuery
{
    public const int SuggestionLimit = 10;

    /// <summary>
    /// Cities starting with <paramref name="typed"/> as typed or with its first letter in upper case (cities are stored
    /// as entered, nearly always capitalised), in ordinal order.
    /// </summary>
    public static async Task<List<string>> CitiesAsync(this AppDbContext db, string? typed, int limit = SuggestionLimit, CancellationToken ct = default)
    {
        var prefix = (typed ?? "").Trim();
        if (prefix.Length == 0) return await NextCitiesAsync(db, "", null, limit, ct);
        var capitalised = char.ToUpperInvariant(prefix[0]) + prefix[1..];
        var cities = await NextCitiesAsync(db, prefix, PrefixRange.UpperBound(prefix), limit, ct);
        if (capitalised != prefix) cities.AddRange(await NextCitiesAsync(db, capitalised, PrefixRange.UpperBound(capitalised), limit, ct));
        return cities.Distinct().Order(StringComparer.Ordinal).Take(limit).ToList();
    }

    private static Task<List<string>> NextCitiesAsync(AppDbContext db, string from, string? below, int limit, CancellationToken ct) =>
        LooseIndexScan.DistinctKeysAsync(db.Customers.Live().Where(c => c.City != null), c => c.City, from, null, below, limit, ct);
}
