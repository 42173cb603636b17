using System.Globalization;
using CustomerAdmin.Data;
using Microsoft.EntityFrameworkCore;

namespace CustomerAdmin.Benchmarks;

public sealed record Sample(int Id, string? FirstName, string? LastName, string? Name, string PrimaryPhone, string? Email);

/// <summary>What staff type, taken from customers drawn at random from the database (so --reuse works too).</summary>
public static class SearchTerms
{
    public static async Task<List<Sample>> SampleAsync(AppDbContext db, int count, Random random)
    {
        var maxId = await db.Customers.MaxAsync(c => c.Id);
        var ids = Enumerable.Range(0, count).Select(_ => random.Next(1, maxId + 1)).Distinct().ToList();
        var samples = new List<Sample>(ids.Count);
        foreach (var chunk in ids.Chunk(500))
        {
            samples.AddRange(await db.Customers.AsNoTracking()
                .Where(c => chunk.Contains(c.Id) && c.Status != CustomerStatus.Deleted)
                .Select(c => new Sample(c.Id, c.FirstName, c.LastName, c.Name, c.PrimaryPhone, c.Email)).ToListAsync());
        }
        return samples.OrderBy(_ => random.Next()).ToList();
    }

    /// <summary>The first 1 to 4 letters of one word of the name, as typed (accents and all); a quarter are one letter.</summary>
    public static string NamePrefix(Sample s, int i, Random random)
    {
        var words = Words(s);
        return Prefix(words[random.Next(words.Length)], i % 4 + 1);
    }

    /// <summary>A first+last pair of prefixes ("jo smi") for a person, a whole word from the middle of a company name.</summary>
    public static string NameFragment(Sample s, int i, Random random)
    {
        var words = Words(s);
        if (s.FirstName is null && words.Length > 1) return words[random.Next(1, words.Length)];
        return $"{Prefix(words[0], random.Next(2, 5))} {Prefix(words[^1], random.Next(2, 5))}";
    }

    public static string PhoneSuffix(Sample s, int i, Random random) => s.PrimaryPhone[^random.Next(4, 8)..];

    /// <summary>From three letters of the address up to a few letters past the @.</summary>
    public static string EmailPrefix(Sample s, int i, Random random)
    {
        var email = s.Email!;
        return email[..Math.Min(email.Length, random.Next(3, email.IndexOf('@') + 4))];
    }

    /// <summary>The name's words as typed; "-" or "&amp;" in a company name is nothing anyone searches for.</summary>
    private static string[] Words(Sample s) =>
        (s.FirstName is null ? s.Name! : $"{s.FirstName} {s.LastName}").Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Where(w => w.Any(char.IsLetterOrDigit)).ToArray();

    /// <summary>The first <paramref name="letters"/> text elements, so a surrogate pair or an accent is never cut in half.</summary>
    private static string Prefix(string word, int letters)
    {
        var info = new StringInfo(word);
        return letters >= info.LengthInTextElements ? word : info.SubstringByTextElements(0, letters);
    }
}
