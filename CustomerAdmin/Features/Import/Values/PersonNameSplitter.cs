namespace CustomerAdmin.Features.Import.Values;

/// <summary>
/// Splits a "full name" cell into first and last name, for imports that have one name column: "Smith, John" and
/// "John Smith" both give John / Smith; titles (Mr, Dr…) and suffixes (Jr, PhD…) are dropped; surname particles stay
/// with the surname ("Anna van der Berg" gives Anna / van der Berg). A single word is a first name with no last name;
/// the caller decides what that means for it.
/// </summary>
public static class PersonNameSplitter
{
    private static readonly HashSet<string> Titles = new(StringComparer.OrdinalIgnoreCase)
    {
        "mr", "mrs", "ms", "miss", "mx", "dr", "prof", "sir", "dame", "rev", "fr", "sr.", "sra", "srta", "herr", "frau", "mme", "mlle", "m.",
    };

    private static readonly HashSet<string> Suffixes = new(StringComparer.OrdinalIgnoreCase)
    {
        "jr", "sr", "ii", "iii", "iv", "phd", "md", "esq", "dds", "rn", "mba", "cpa",
    };

    private static readonly HashSet<string> Particles = new(StringComparer.OrdinalIgnoreCase)
    {
        "van", "von", "de", "der", "den", "da", "di", "del", "della", "des", "du", "dos", "das", "la", "le", "ter", "ten", "bin", "binti", "al", "el", "st", "st.", "mac", "o'",
    };

    public static (string First, string Last) Split(string? fullName)
    {
        var text = string.Join(' ', (fullName ?? "").Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
        if (text.Length == 0) return ("", "");

        // "Smith, John" (one comma, words on both sides): the surname comes first.
        var comma = text.IndexOf(',');
        if (comma > 0 && comma == text.LastIndexOf(',') && comma < text.Length - 1)
        {
            var before = Words(text[..comma]);
            var after = Words(text[(comma + 1)..]);
            // "John Smith, Jr." is a suffix after the comma, not a surname before it.
            if (after.Count > 0 && before.Count > 0) return (string.Join(' ', after), string.Join(' ', before));
            text = string.Join(' ', before.Concat(after));
        }

        var words = Words(text);
        if (words.Count == 0) return ("", "");
        if (words.Count == 1) return (words[0], "");
        // The surname is the last word and any particles just before it.
        var start = words.Count - 1;
        while (start > 1 && Particles.Contains(words[start - 1])) start--;
        return (string.Join(' ', words[..start]), string.Join(' ', words[start..]));
    }

    private static List<string> Words(string text)
    {
        var words = text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).ToList();
        while (words.Count > 1 && Titles.Contains(words[0].TrimEnd('.'))) words.RemoveAt(0);
        while (words.Count > 1 && Suffixes.Contains(words[^1].TrimEnd('.').Replace(".", "", StringComparison.Ordinal))) words.RemoveAt(words.Count - 1);
        return words.Select(w => w.Trim(',')).Where(w => w.Length > 0).ToList();
    }
}
