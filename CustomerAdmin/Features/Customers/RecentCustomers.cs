using CustomerAdmin.Data;
using Microsoft.EntityFrameworkCore;
using CustomerAdmin.Features.Customers.History;
using CustomerAdmin.Features.Customers.Search;

namespace CustomerAdmin.Features.Customers;

/// <summary>
/// The customers staff most likely want next: those with the latest ticket or sale activity, then the latest
/// created or edited. Read from the database rather than kept per circuit, so it survives a reload and is shared
/// by the whole counter.
/// </summary>
public static class RecentCustomers
{
    public const int Limit = 8;

    public static async Task<List<CustomerSuggestion>> RecentAsync(this AppDbContext db, CancellationToken ct = default, int limit = Limit)
    {
        var tickets = await db.Tickets.OrderByDescending(t => t.UpdatedAt).Take(4 * limit)
            .Select(t => new { t.CustomerId, At = t.UpdatedAt }).ToListAsync(ct);
        var sales = await db.Sales.OrderByDescending(s => s.SoldAt).Take(4 * limit)
            .Select(s => new { s.CustomerId, At = s.SoldAt }).ToListAsync(ct);
        var edited = await db.Customers.Live().OrderByDescending(c => c.UpdatedAt).Take(limit)
            .Select(c => new { CustomerId = c.Id, At = c.UpdatedAt }).ToListAsync(ct);
        var ids = tickets.Concat(sales).OrderByDescending(x => x.At).Select(x => x.CustomerId)
            .Concat(edited.Select(x => x.CustomerId)).Distinct().Take(3 * limit).ToList();
        var rows = await db.Customers.AsNoTracking()
            .Where(c => ids.Contains(c.Id)).Live()
            .Select(c => new { c.Id, c.Type, c.FirstName, c.LastName, c.Name, c.DisplayName, c.PrimaryPhone, c.City, c.Status })
            .ToListAsync(ct);
        var byId = rows.ToDictionary(r => r.Id);
        return ids.Where(byId.ContainsKey).Take(limit).Select(id => byId[id]).Select(r => new CustomerSuggestion(r.Id,
            new Customer { Type = r.Type, FirstName = r.FirstName, LastName = r.LastName, Name = r.Name, DisplayName = r.DisplayName }.FullName,
            r.PrimaryPhone, r.City, r.Type, r.Status)).ToList();
    }
}

/// <summary>What a search box held, turned into the start of a new customer: a phone goes to the phone, words to the name.</summary>
public sealed record CustomerPrefill(string? FirstName, string? LastName, string? Phone, string? Email)
{
    public static CustomerPrefill From(string? typed)
    {
        var text = (typed ?? "").Trim();
        if (text.Length == 0) return new(null, null, null, null);
        if (text.Any(char.IsAsciiDigit) && text.All(ch => char.IsAsciiDigit(ch) || ch is ' ' or '-' or '.' or '(' or ')' or '+' or '/'))
            return new(null, null, text, null);
        if (text.Contains('@') && !text.Contains(' ')) return new(null, null, null, text);
        var words = text.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        // "Ann Lee" and "Ann Marie Lee": the last word is the family name, the rest the first name(s).
        return words.Length == 1
            ? new(Capitalise(words[0]), null, null, null)
            : new(string.Join(" ", words[..^1].Select(Capitalise)), Capitalise(words[^1]), null, null);
    }

    // Typed in a hurry in lower case; a name that already has capitals ("McDonald") is kept as typed.
    private static string Capitalise(string word) =>
        word.Any(char.IsUpper) ? word : char.ToUpper(word[0]) + word[1..];
}
