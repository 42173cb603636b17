using CustomerAdmin.Data;
using CustomerAdmin.Common;
using CustomerAdmin.Features.Customers.History;

namespace CustomerAdmin.Features.Customers.Search;

/// <summary>What a customer can be found by: the rows of <see cref="CustomerSearchToken"/> for one customer.</summary>
public static class CustomerSearchIndex
{
    private static readonly HashSet<string> TokenFields =
    [
        nameof(Customer.FirstName), nameof(Customer.LastName), nameof(Customer.Name), nameof(Customer.DisplayName),
        nameof(Customer.PrimaryPhone), nameof(Customer.SecondaryPhone), nameof(Customer.WhatsAppPhone),
        nameof(Customer.Email), nameof(Customer.Tags), nameof(Customer.Status),
    ];

    public static bool AffectsTokens(string field) => TokenFields.Contains(field);

    public static IEnumerable<CustomerSearchToken> TokensFor(Customer c)
    {
        // Deleted and merged customers are simply not in the index, so no search can ever return one.
        if (c.Status.IsGone()) return [];

        var tokens = new HashSet<(SearchTokenKind, string)>();
        var words = new[] { c.FirstName, c.LastName, c.Name, c.DisplayName }.SelectMany(SearchText.Words).Distinct().ToList();
        foreach (var word in words)
            tokens.Add((SearchTokenKind.Name, word));
        foreach (var first in words.Take(MaxPairWords))
        {
            foreach (var second in words.Take(MaxPairWords).Where(w => w != first))
            {
                tokens.Add((SearchTokenKind.NamePair, PairToken(Lead(first, 1), second)));
                tokens.Add((SearchTokenKind.NamePair, PairToken(Lead(first, 2), second)));
            }
        }
        foreach (var phone in new[] { c.PrimaryPhone, c.SecondaryPhone, c.WhatsAppPhone })
        {
            var digits = PhoneNormalizer.Digits(phone);
            if (digits.Length > 0) tokens.Add((SearchTokenKind.Phone, Reverse(digits)));
        }
        if (!string.IsNullOrWhiteSpace(c.Email))
            tokens.Add((SearchTokenKind.Email, SearchText.Truncate(c.Email.Trim().ToLowerInvariant())));
        foreach (var tag in CustomerTags.Parse(c.Tags))
            tokens.Add((SearchTokenKind.Tag, SearchText.Truncate(SearchText.Fold(tag))));
        return tokens.Where(t => t.Item2.Length > 0)
            .Select(t => new CustomerSearchToken { CustomerId = c.Id, Kind = t.Item1, Token = t.Item2 });
    }

    /// <summary>Pairs are kept for the first six words only (later words are still found one at a time): a long company name would otherwise bring hundreds.</summary>
    private const int MaxPairWords = 6;

    /// <summary>The key a typed first word is looked up by in pair tokens: its first two letters (or its only one).</summary>
    public static string PairLead(string word) => Lead(word, 2);

    public static string PairToken(string lead, string second) => SearchText.Truncate(lead + " " + second);

    private static string Lead(string word, int letters)
    {
        var end = Math.Min(letters, word.Length);
        // Never split a surrogate pair (the query side cuts the same way, so both agree).
        if (char.IsHighSurrogate(word[end - 1]) && end < word.Length) end++;
        return word[..end];
    }

    public static string SortNameFor(Customer c)
    {
        var key = c.IsIndividual ? $"{c.LastName} {c.FirstName}" : c.Name ?? c.DisplayName ?? "";
        var folded = SearchText.Fold(key.Trim());
        return folded.Length > Customer.OrgNameMax ? folded[..Customer.OrgNameMax] : folded;
    }

    /// <summary>
    /// <see cref="Customer.CityKey"/> of a customer without a city: after every folded city in byte order (its UTF-8
    /// bytes are the highest a code point has), so both databases put those customers last.
    /// </summary>
    public const string NoCityKey = "\U0010FFFF";

    /// <summary>The city folded as names are (case and accents ignored), so "Zürich", "zurich " and "ZURICH" sort together.</summary>
    public static string CityKeyFor(string? city)
    {
        var folded = SearchText.Fold(city?.Trim());
        if (folded.Length == 0) return NoCityKey;
        if (folded.Length <= Customer.NameMax) return folded;
        // Never split a surrogate pair.
        return char.IsHighSurrogate(folded[Customer.NameMax - 1]) ? folded[..(Customer.NameMax - 1)] : folded[..Customer.NameMax];
    }

    public static string Reverse(string digits)
    {
        var chars = digits.ToCharArray();
        Array.Reverse(chars);
        return new string(chars);
    }
}

/// <summary>Tags are kept as one comma-separated column: trimmed, distinct ignoring case, in the order typed.</summary>
public static class CustomerTags
{
    public static IReadOnlyList<string> Parse(string? tags) =>
        (tags ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Distinct(StringComparer.OrdinalIgnoreCase).ToList();

    public static string? Join(IEnumerable<string> tags)
    {
        var joined = string.Join(",", Parse(string.Join(',', tags)));
        return joined.Length == 0 ? null : joined;
    }
}
