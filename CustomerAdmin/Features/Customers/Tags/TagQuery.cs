using CustomerAdmin.Data;
using CustomerAdmin.Features.Customers.Search;
using Microsoft.EntityFrameworkCore;

namespace CustomerAdmin.Features.Customers.Tags;

/// <summary>A tag in use: its key (folded, as search compares tags) and its name as typed on a customer.</summary>
public sealed record TagInUse(string Key, string Name);

/// <summary>
/// The distinct tags in use, read from the search index's tag tokens (one per tag and customer, keyed (Kind, Token,
/// CustomerId)) by a loose index scan (<see cref="LooseIndexScan"/>): each tag is one probe for the next greater token, so listing ten tags costs ten
/// index seeks however many customers carry each one (a DISTINCT would read every customer's token). No table of its own,
/// so nothing more to keep in step with the customers.
/// </summary>
public static class TagQuery
{
    public const int SuggestionLimit = 10;

    /// <summary>Tags starting with what was typed (case and accents ignored), in key order, after <paramref name="afterKey"/> when given.</summary>
    public static async Task<List<TagInUse>> TagsAsync(this AppDbContext db, string? typed, int limit = SuggestionLimit,
        string? afterKey = null, CancellationToken ct = default)
    {
        var prefix = SearchText.Truncate(SearchText.Fold((typed ?? "").Trim()));
        var upper = prefix.Length == 0 ? null : Data.Sql.PrefixRange.UpperBound(prefix);
        var keys = await LooseIndexScan.DistinctKeysAsync(db.CustomerSearchTokens.Where(t => t.Kind == SearchTokenKind.Tag), t => t.Token,
            prefix, afterKey, upper, limit, ct);
        var tags = new List<TagInUse>(keys.Count);
        foreach (var key in keys) tags.Add(new TagInUse(key, await NameAsync(db, key, ct)));
        return tags;
    }

    /// <summary>How many customers (not deleted or merged) carry the tag.</summary>
    public static Task<int> CustomerCountAsync(this AppDbContext db, string key, CancellationToken ct = default) =>
        db.CustomerSearchTokens.CountAsync(t => t.Kind == SearchTokenKind.Tag && t.Token == key, ct);

    public static string KeyOf(string tag) => SearchText.Truncate(SearchText.Fold(tag.Trim()));

    /// <summary>The tag as one customer who carries it typed it (the key has lost its case and accents).</summary>
    private static async Task<string> NameAsync(AppDbContext db, string key, CancellationToken ct)
    {
        var tags = await db.CustomerSearchTokens.Where(t => t.Kind == SearchTokenKind.Tag && t.Token == key).OrderBy(t => t.CustomerId)
            .Join(db.Customers, t => t.CustomerId, c => c.Id, (t, c) => c.Tags).FirstOrDefaultAsync(ct);
        return CustomerTags.Parse(tags).FirstOrDefault(t => KeyOf(t) == key) ?? key;
    }
}
