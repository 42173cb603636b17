using System.Linq.Expressions;
using CustomerAdmin.Data;
using CustomerAdmin.Data.Sql;
using Microsoft.EntityFrameworkCore;
using CustomerAdmin.Common;
using CustomerAdmin.Features.Customers;
using CustomerAdmin.Features.Customers.History;
using CustomerAdmin.Features.Operations.Observability;

namespace CustomerAdmin.Features.Customers.Search;

/// <param name="Status">Shown next to the name wherever a customer is picked: a blocked or inactive one should not surprise anyone.</param>
public sealed record CustomerSuggestion(int Id, string Name, string PrimaryPhone, string? City, CustomerType Type,
    CustomerStatus Status = CustomerStatus.Active)
{
    /// <summary>Worth a word next to the name (Blocked, Inactive); null for an active customer.</summary>
    public string? StatusNote => Status is CustomerStatus.Blocked or CustomerStatus.Inactive ? CustomerLabels.Of(Status) : null;
}

/// <summary>
/// Search-as-you-type over <see cref="CustomerSearchToken"/>: every lookup is a range scan of the (Kind, Token)
/// key, so a one-letter term costs the same as a long one. The app bar, the list page and the benchmark all
/// call this.
/// </summary>
public static class CustomerSearch
{
    /// <summary>Suggestions shown; <see cref="SearchTokenSql.CandidateRows"/> reads six times as many token rows.</summary>
    public const int SuggestionLimit = SearchTokenSql.CandidateRows / 6;

    /// <summary>Best matches first: the exact phone, an external reference, then name prefixes, then phone suffixes, emails and tags.</summary>
    public static async Task<List<CustomerSuggestion>> SuggestAsync(this AppDbContext db, SearchQuery query,
        CancellationToken ct = default, int limit = SuggestionLimit)
    {
        if (query.IsEmpty) return [];
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        try
        {
            return await FindAsync(db, query, limit, ct);
        }
        finally
        {
            AppMetrics.SearchDuration.Record(System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalSeconds);
        }
    }

    private static async Task<List<CustomerSuggestion>> FindAsync(AppDbContext db, SearchQuery query, int limit, CancellationToken ct)
    {
        // A suggestion is two to five statements; one open connection for all of them, not one per statement.
        await using var open = await db.Database.KeepConnectionOpenAsync(ct);
        var sql = SearchTokenSql.For(db);
        var ids = new List<int>(limit);

        if (query.ExactPhone is { } exact)
            Add(ids, await sql.ExactAsync(db, SearchTokenKind.Phone, exact, ct), limit);
        if (query.Reference is { } reference)
            Add(ids, await db.LegacyCustomerLinks.Where(l => l.LegacyId == reference).Select(l => l.Customer!).Where(CustomerStatuses.IsLive)
                .OrderBy(c => c.Id).Select(c => c.Id).Take(limit).ToListAsync(ct), limit);
        if (ids.Count < limit && query.Words.Count == 1)
            Add(ids, await sql.RangeAsync(db, SearchTokenKind.Name, query.Words[0], [], ct), limit);
        if (ids.Count < limit && query.Words.Count > 1)
            Add(ids, await NameMatchesAsync(db, sql, query.Words, ct), limit);
        if (ids.Count < limit && query.PhoneSuffix is { } suffix)
            Add(ids, await sql.RangeAsync(db, SearchTokenKind.Phone, suffix, [], ct), limit);
        if (ids.Count < limit && query.EmailPrefix is { } email)
            Add(ids, await sql.RangeAsync(db, SearchTokenKind.Email, email, [], ct), limit);
        if (ids.Count < limit && query.Words.Count == 1)
            Add(ids, await sql.RangeAsync(db, SearchTokenKind.Tag, query.Words[0], [], ct), limit);
        if (ids.Count == 0) return [];

        var byId = (await sql.RowsAsync(db, ids, ct)).ToDictionary(r => r.Id);
        return ids.Where(byId.ContainsKey).Select(id => byId[id]).Select(r => new CustomerSuggestion(r.Id,
            new Customer { Type = r.Type, FirstName = r.FirstName, LastName = r.LastName, Name = r.Name, DisplayName = r.DisplayName }.FullName,
            r.PrimaryPhone, r.City, r.Type, r.Status)).ToList();
    }

    /// <summary>
    /// Two or more words. Two words are one range over pair tokens ("jo smi" within "jo smith"), never a scan of every
    /// customer with a common first name. Pair tokens exist both ways round ("jo smith" and "sm john"), so the range is
    /// keyed by whichever order keeps the most of what was typed: a word no longer than the pair's lead goes first (the
    /// range is then exact); otherwise the longer word goes whole after the shorter one's lead ("co marg" for "marg coo"),
    /// and the cut word, like any third word, filters that range (an index probe per candidate).
    /// </summary>
    private static Task<List<int>> NameMatchesAsync(AppDbContext db, SearchTokenSql sql, IReadOnlyList<string> words, CancellationToken ct)
    {
        var (first, second) = PairOrder(words[0], words[1]);
        var lead = CustomerSearchIndex.PairLead(first);
        var others = lead == first ? words.Skip(2) : words.Skip(2).Prepend(first);
        return sql.RangeAsync(db, SearchTokenKind.NamePair, CustomerSearchIndex.PairToken(lead, second), others.ToList(), ct);
    }

    /// <summary>Which of two typed words leads the pair range (see <see cref="NameMatchesAsync"/>).</summary>
    public static (string Lead, string Whole) PairOrder(string a, string b)
    {
        if (CustomerSearchIndex.PairLead(a) == a) return (a, b);
        if (CustomerSearchIndex.PairLead(b) == b || a.Length > b.Length) return (b, a);
        return (a, b);
    }

    /// <summary>
    /// Restricts a customer query to those the term finds (used by the list page with its own sort): by its words, phone
    /// digits or email, or, for a term of one token, by an external reference equal to it ("C-1042"), as the app bar finds.
    /// </summary>
    public static IQueryable<Customer> Matching(this IQueryable<Customer> customers, AppDbContext db, SearchQuery query)
    {
        if (query.IsEmpty) return customers;
        var match = Match(db, query);
        if (query.Reference is { } reference)
        {
            var referenced = db.LegacyCustomerLinks.Where(l => l.LegacyId == reference).Select(l => l.CustomerId);
            match = Predicates.Or(match, c => referenced.Contains(c.Id));
        }
        return customers.Where(match);
    }

    private static Expression<Func<Customer, bool>> Match(AppDbContext db, SearchQuery query)
    {
        var tokens = db.CustomerSearchTokens;
        if (query.PhoneSuffix is { } suffix)
        {
            var hi = PrefixRange.UpperBound(suffix);
            // A national number with a trunk prefix ("020 7946 0018" in the UK) is not a suffix of its E.164 form,
            // so the whole valid number must also be matched exactly, as SuggestAsync does.
            if (query.ExactPhone is { } exact)
                return c => tokens.Any(t => t.CustomerId == c.Id && t.Kind == SearchTokenKind.Phone
                    && (t.Token == exact || (string.Compare(t.Token, suffix) >= 0 && string.Compare(t.Token, hi) < 0)));
            return c => tokens.Any(t => t.CustomerId == c.Id && t.Kind == SearchTokenKind.Phone
                && string.Compare(t.Token, suffix) >= 0 && string.Compare(t.Token, hi) < 0);
        }
        if (query.Words.Count == 1 && query.EmailPrefix is { } email)
        {
            var (word, wordHi, emailHi) = (query.Words[0], PrefixRange.UpperBound(query.Words[0]), PrefixRange.UpperBound(email));
            return c => tokens.Any(t => t.CustomerId == c.Id && (
                ((t.Kind == SearchTokenKind.Name || t.Kind == SearchTokenKind.Tag) && string.Compare(t.Token, word) >= 0 && string.Compare(t.Token, wordHi) < 0)
                || (t.Kind == SearchTokenKind.Email && string.Compare(t.Token, email) >= 0 && string.Compare(t.Token, emailHi) < 0)));
        }
        // A term with an @ and several words ("ann.lee@example.com") is an address: its words are not name words.
        if (query.EmailPrefix is { } emailOnly && (query.Words.Count == 0 || emailOnly.Contains('@')))
        {
            var hi = PrefixRange.UpperBound(emailOnly);
            return c => tokens.Any(t => t.CustomerId == c.Id && t.Kind == SearchTokenKind.Email
                && string.Compare(t.Token, emailOnly) >= 0 && string.Compare(t.Token, hi) < 0);
        }
        Expression<Func<Customer, bool>>? all = null;
        foreach (var word in query.Words)
        {
            var hi = PrefixRange.UpperBound(word);
            Expression<Func<Customer, bool>> each = c => tokens.Any(t => t.CustomerId == c.Id
                && (t.Kind == SearchTokenKind.Name || t.Kind == SearchTokenKind.Tag)
                && string.Compare(t.Token, word) >= 0 && string.Compare(t.Token, hi) < 0);
            all = all is null ? each : Predicates.And(all, each);
        }
        return all ?? (c => true);
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
