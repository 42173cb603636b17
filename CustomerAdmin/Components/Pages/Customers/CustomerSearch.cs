using CustomerAdmin.Data;
using Microsoft.EntityFrameworkCore;

namespace CustomerAdmin.Components.Pages.Customers;

public sealed record CustomerSuggestion(int Id, string Name, string PrimaryPhone, string? City, CustomerType Type);

/// <summary>
/// Search-as-you-type over <see cref="CustomerSearchToken"/>: every lookup is a range scan of the (Kind, Token)
/// key, so a one-letter term costs the same as a long one. The app bar, the list page and the benchmark all
/// call this.
/// </summary>
public static class CustomerSearch
{
    public const int SuggestionLimit = 10;
    /// <summary>Token rows read per kind; a customer can match one term by several words, so read a few more.</summary>
    private const int CandidateRows = 6 * SuggestionLimit;

    /// <summary>Best matches first: the exact phone, then name prefixes, then phone suffixes, emails and tags.</summary>
    public static async Task<List<CustomerSuggestion>> SuggestAsync(this AppDbContext db, SearchQuery query,
        CancellationToken ct = default, int limit = SuggestionLimit)
    {
        if (query.IsEmpty) return [];
        // A suggestion is two to five statements; one open connection for all of them, not one per statement.
        await using var open = await db.Database.KeepConnectionOpenAsync(ct);
        var ids = new List<int>(limit);

        if (query.ExactPhone is { } exact)
            Add(ids, await ListAsync(ExactPhoneQuery.For(db)(db, exact), ct), limit);
        if (ids.Count < limit && query.Words.Count == 1)
            Add(ids, await PrefixAsync(db, SearchTokenKind.Name, query.Words[0], ct), limit);
        if (ids.Count < limit && query.Words.Count > 1)
            Add(ids, await NameMatchesAsync(db, query.Words, ct), limit);
        if (ids.Count < limit && query.PhoneSuffix is { } suffix)
            Add(ids, await PrefixAsync(db, SearchTokenKind.Phone, suffix, ct), limit);
        if (ids.Count < limit && query.EmailPrefix is { } email)
            Add(ids, await PrefixAsync(db, SearchTokenKind.Email, email, ct), limit);
        if (ids.Count < limit && query.Words.Count == 1)
            Add(ids, await PrefixAsync(db, SearchTokenKind.Tag, query.Words[0], ct), limit);
        if (ids.Count == 0) return [];

        var byId = (await ListAsync(RowsQuery.For(db)(db, ids.ToArray()), ct)).ToDictionary(r => r.Id);
        return ids.Where(byId.ContainsKey).Select(id => byId[id]).Select(r => new CustomerSuggestion(r.Id,
            new Customer { Type = r.Type, FirstName = r.FirstName, LastName = r.LastName, Name = r.Name, DisplayName = r.DisplayName }.FullName,
            r.PrimaryPhone, r.City, r.Type)).ToList();
    }

    // Compiled once: they run on every keystroke, and at these sizes EF's per-call query preparation costs more
    // than the index lookups themselves.
    private static readonly PerModel<Func<AppDbContext, SearchTokenKind, string, string, IAsyncEnumerable<int>>> PrefixQuery = new(() =>
        EF.CompileAsyncQuery((AppDbContext db, SearchTokenKind kind, string lo, string hi) => db.CustomerSearchTokens
            .Where(t => t.Kind == kind && string.Compare(t.Token, lo) >= 0 && string.Compare(t.Token, hi) < 0)
            .OrderBy(t => t.Token).ThenBy(t => t.CustomerId).Select(t => t.CustomerId).Take(CandidateRows)));

    private static readonly PerModel<Func<AppDbContext, string, IAsyncEnumerable<int>>> ExactPhoneQuery = new(() =>
        EF.CompileAsyncQuery((AppDbContext db, string reversedDigits) => db.CustomerSearchTokens
            .Where(t => t.Kind == SearchTokenKind.Phone && t.Token == reversedDigits)
            .OrderBy(t => t.CustomerId).Select(t => t.CustomerId).Take(CandidateRows)));

    private static readonly PerModel<Func<AppDbContext, int[], IAsyncEnumerable<SuggestionRow>>> RowsQuery = new(() =>
        EF.CompileAsyncQuery((AppDbContext db, int[] ids) => db.Customers.AsNoTracking()
            .Where(c => ids.Contains(c.Id) && c.Status != CustomerStatus.Deleted)
            .Select(c => new SuggestionRow(c.Id, c.Type, c.FirstName, c.LastName, c.Name, c.DisplayName, c.PrimaryPhone, c.City))));

    private sealed record SuggestionRow(int Id, CustomerType Type, string? FirstName, string? LastName, string? Name,
        string? DisplayName, string PrimaryPhone, string? City);

    private static Task<List<int>> PrefixAsync(AppDbContext db, SearchTokenKind kind, string prefix, CancellationToken ct) =>
        ListAsync(PrefixQuery.For(db)(db, kind, prefix, SearchText.PrefixUpperBound(prefix)), ct);

    private static async Task<List<T>> ListAsync<T>(IAsyncEnumerable<T> rows, CancellationToken ct)
    {
        var list = new List<T>();
        await foreach (var row in rows.WithCancellation(ct)) list.Add(row);
        return list;
    }

    /// <summary>Restricts a customer query to those the term finds (used by the list page with its own sort).</summary>
    public static IQueryable<Customer> Matching(this IQueryable<Customer> customers, AppDbContext db, SearchQuery query)
    {
        if (query.IsEmpty) return customers;
        var tokens = db.CustomerSearchTokens;
        if (query.PhoneSuffix is { } suffix)
        {
            var hi = SearchText.PrefixUpperBound(suffix);
            // A national number with a trunk prefix ("020 7946 0018" in the UK) is not a suffix of its E.164 form,
            // so the whole valid number must also be matched exactly, as SuggestAsync does.
            if (query.ExactPhone is { } exact)
                return customers.Where(c => tokens.Any(t => t.CustomerId == c.Id && t.Kind == SearchTokenKind.Phone
                    && (t.Token == exact || (string.Compare(t.Token, suffix) >= 0 && string.Compare(t.Token, hi) < 0))));
            return customers.Where(c => tokens.Any(t => t.CustomerId == c.Id && t.Kind == SearchTokenKind.Phone
                && string.Compare(t.Token, suffix) >= 0 && string.Compare(t.Token, hi) < 0));
        }
        if (query.Words.Count == 1 && query.EmailPrefix is { } email)
        {
            var (word, wordHi, emailHi) = (query.Words[0], SearchText.PrefixUpperBound(query.Words[0]), SearchText.PrefixUpperBound(email));
            return customers.Where(c => tokens.Any(t => t.CustomerId == c.Id && (
                ((t.Kind == SearchTokenKind.Name || t.Kind == SearchTokenKind.Tag) && string.Compare(t.Token, word) >= 0 && string.Compare(t.Token, wordHi) < 0)
                || (t.Kind == SearchTokenKind.Email && string.Compare(t.Token, email) >= 0 && string.Compare(t.Token, emailHi) < 0))));
        }
        // A term with an @ and several words ("ann.lee@example.com") is an address: its words are not name words.
        if (query.EmailPrefix is { } emailOnly && (query.Words.Count == 0 || emailOnly.Contains('@')))
        {
            var hi = SearchText.PrefixUpperBound(emailOnly);
            return customers.Where(c => tokens.Any(t => t.CustomerId == c.Id && t.Kind == SearchTokenKind.Email
                && string.Compare(t.Token, emailOnly) >= 0 && string.Compare(t.Token, hi) < 0));
        }
        foreach (var word in query.Words)
        {
            var hi = SearchText.PrefixUpperBound(word);
            customers = customers.Where(c => tokens.Any(t => t.CustomerId == c.Id
                && (t.Kind == SearchTokenKind.Name || t.Kind == SearchTokenKind.Tag)
                && string.Compare(t.Token, word) >= 0 && string.Compare(t.Token, hi) < 0));
        }
        return customers;
    }

    /// <summary>
    /// Two or more words. Two words are one range over pair tokens ("jo smi" within "jo smith"), never a scan of every
    /// customer with a common first name; a first word longer than the pair's lead, and any third word, filter that
    /// range. The usual shapes (no filter word, one) run compiled; three words or more build the query each time.
    /// </summary>
    private static Task<List<int>> NameMatchesAsync(AppDbContext db, IReadOnlyList<string> words, CancellationToken ct)
    {
        var lead = CustomerSearchIndex.PairLead(words[0]);
        var pair = CustomerSearchIndex.PairToken(lead, words[1]);
        var others = (lead == words[0] ? words.Skip(2) : words.Skip(2).Prepend(words[0])).ToList();
        return others.Count switch
        {
            0 => PrefixAsync(db, SearchTokenKind.NamePair, pair, ct),
            1 => ListAsync(PairWithWordQuery.For(db)(db, pair, SearchText.PrefixUpperBound(pair), others[0], SearchText.PrefixUpperBound(others[0])), ct),
            _ => NameMatches(db, pair, others).Take(CandidateRows).ToListAsync(ct),
        };
    }

    private static readonly PerModel<Func<AppDbContext, string, string, string, string, IAsyncEnumerable<int>>> PairWithWordQuery = new(() =>
        EF.CompileAsyncQuery((AppDbContext db, string lo, string hi, string other, string otherHi) => db.CustomerSearchTokens
            .Where(t => t.Kind == SearchTokenKind.NamePair && string.Compare(t.Token, lo) >= 0 && string.Compare(t.Token, hi) < 0
                && db.CustomerSearchTokens.Any(o => o.CustomerId == t.CustomerId && o.Kind == SearchTokenKind.Name
                    && string.Compare(o.Token, other) >= 0 && string.Compare(o.Token, otherHi) < 0))
            .OrderBy(t => t.Token).ThenBy(t => t.CustomerId).Select(t => t.CustomerId).Take(CandidateRows)));

    private static IQueryable<int> NameMatches(AppDbContext db, string pair, IReadOnlyList<string> others)
    {
        var matches = Range(db, SearchTokenKind.NamePair, pair);
        foreach (var other in others)
        {
            var otherHi = SearchText.PrefixUpperBound(other);
            matches = matches.Where(t => db.CustomerSearchTokens.Any(o => o.CustomerId == t.CustomerId && o.Kind == SearchTokenKind.Name
                && string.Compare(o.Token, other) >= 0 && string.Compare(o.Token, otherHi) < 0));
        }
        return matches.OrderBy(t => t.Token).ThenBy(t => t.CustomerId).Select(t => t.CustomerId);
    }

    /// <summary>The tokens of one kind that start with <paramref name="prefix"/>: a range scan of the (Kind, Token) key.</summary>
    private static IQueryable<CustomerSearchToken> Range(AppDbContext db, SearchTokenKind kind, string prefix)
    {
        var hi = SearchText.PrefixUpperBound(prefix);
        return db.CustomerSearchTokens.Where(t => t.Kind == kind && string.Compare(t.Token, prefix) >= 0 && string.Compare(t.Token, hi) < 0);
    }

    private static void Add(List<int> ids, List<int> found, int limit)
    {
        foreach (var id in found)
        {
            if (ids.Count >= limit) return;
            if (!ids.Contains(id)) ids.Add(id);
        }
    }
}
