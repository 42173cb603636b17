using System.Collections.Concurrent;
using System.Text;
using AnyAscii;

namespace CustomerAdmin.Features.Duplicates.Matching;

/// <summary>
/// The text tools every normaliser shares: folding to lower-case ASCII words (transliteration of Cyrillic, Greek and
/// Latin with diacritics by AnyAscii), Jaro-Winkler similarity, a token-set similarity, a 64-bit hash and a bounded
/// interning pool (a million profiles share a few thousand first names, surnames, cities and postcodes).
/// </summary>
public static class MatchText
{
    /// <summary>
    /// Lower-case ASCII letters and digits, one space between words: "Jürgen  Müller-Lüdenscheidt" -> "jurgen muller
    /// ludenscheidt", "Иванова" -> "ivanova", "Παπαδόπουλος" -> "papadopoulos". Apostrophes join ("O'Brien" -> "obrien").
    /// </summary>
    public static string Fold(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return "";
        var ascii = true;
        foreach (var ch in text)
        {
            if (ch > 127) { ascii = false; break; }
        }
        var source = ascii ? text : text.Transliterate();
        var sb = new StringBuilder(source.Length);
        var space = false;
        foreach (var raw in source)
        {
            var ch = char.ToLowerInvariant(raw);
            if (ch is '\'' or '`') continue;
            if (char.IsAsciiLetterLower(ch) || char.IsAsciiDigit(ch))
            {
                if (space && sb.Length > 0) sb.Append(' ');
                space = false;
                sb.Append(ch);
            }
            else space = true;
        }
        return sb.ToString();
    }

    public static string[] Words(string folded) => folded.Length == 0 ? [] : folded.Split(' ');

    /// <summary>Jaro-Winkler similarity (0..1; prefix scale 0.1 over at most 4 characters).</summary>
    public static double JaroWinkler(ReadOnlySpan<char> a, ReadOnlySpan<char> b)
    {
        if (a.Length == 0 || b.Length == 0) return a.Length == b.Length ? 1 : 0;
        if (a.SequenceEqual(b)) return 1;
        if (a.Length > b.Length) { var t = a; a = b; b = t; }
        var window = Math.Max(0, b.Length / 2 - 1);
        Span<bool> matchedA = a.Length <= 128 ? stackalloc bool[a.Length] : new bool[a.Length];
        Span<bool> matchedB = b.Length <= 128 ? stackalloc bool[b.Length] : new bool[b.Length];
        var matches = 0;
        for (var i = 0; i < a.Length; i++)
        {
            var from = Math.Max(0, i - window);
            var to = Math.Min(b.Length - 1, i + window);
            for (var j = from; j <= to; j++)
            {
                if (matchedB[j] || a[i] != b[j]) continue;
                matchedA[i] = matchedB[j] = true;
                matches++;
                break;
            }
        }
        if (matches == 0) return 0;
        var transpositions = 0;
        for (int i = 0, k = 0; i < a.Length; i++)
        {
            if (!matchedA[i]) continue;
            while (!matchedB[k]) k++;
            if (a[i] != b[k]) transpositions++;
            k++;
        }
        double m = matches;
        var jaro = (m / a.Length + m / b.Length + (m - transpositions / 2.0) / m) / 3;
        var prefix = 0;
        while (prefix < Math.Min(4, a.Length) && a[prefix] == b[prefix]) prefix++;
        return jaro + prefix * 0.1 * (1 - jaro);
    }

    /// <summary>
    /// Words of both texts paired greedily by Jaro-Winkler, order ignored: the mean best similarity of the shorter side's
    /// words ("main st 12" and "12 main st" are 1). 0 when either is empty.
    /// </summary>
    public static double TokenSet(string a, string b)
    {
        if (a.Length == 0 || b.Length == 0) return 0;
        if (a == b) return 1;
        var wa = Words(a);
        var wb = Words(b);
        if (wa.Length > wb.Length) (wa, wb) = (wb, wa);
        double total = 0;
        foreach (var x in wa)
        {
            double best = 0;
            foreach (var y in wb) best = Math.Max(best, JaroWinkler(x, y));
            total += best;
        }
        return total / wa.Length;
    }

    /// <summary>FNV-1a over the characters, then a 64-bit finaliser: the blocking keys' hash.</summary>
    public static ulong Hash(string text)
    {
        var h = 14695981039346656037UL;
        foreach (var ch in text)
        {
            h ^= ch;
            h *= 1099511628211UL;
        }
        h ^= h >> 33;
        h *= 0xff51afd7ed558ccdUL;
        h ^= h >> 33;
        return h;
    }

    private const int InternMax = 400_000;
    private static readonly ConcurrentDictionary<string, string> Pool = new(StringComparer.Ordinal);

    /// <summary>One shared copy of a frequent value (a name, a city); past the pool's bound the value itself.</summary>
    public static string Intern(string value)
    {
        if (value.Length == 0) return "";
        if (Pool.TryGetValue(value, out var shared)) return shared;
        if (Pool.Count >= InternMax) return value;
        return Pool.GetOrAdd(value, value);
    }

    /// <summary>"bob" -> "Bob", for reasons.</summary>
    public static string Title(string folded) => folded.Length == 0 ? "" : string.Join(' ',
        Words(folded).Select(w => char.ToUpperInvariant(w[0]) + w[1..]));
}
