namespace CustomerAdmin.Features.Duplicates.Matching;

/// <summary>
/// Addresses for matching: street types and directions abbreviated one way ("Street"/"St." -> "st"), unit numbers one
/// way ("Apt 4", "#4", "Unit 4", "Suite 4" -> "#4"), postcodes without spaces and case, a US ZIP+4 as its ZIP.
/// "12 Main St Apt 4" and "12 Main Street #4" are both "12 main st #4".
/// </summary>
public static class AddressMatching
{
    private static readonly Dictionary<string, string> Words = new(StringComparer.Ordinal)
    {
        ["street"] = "st", ["str"] = "st", ["strasse"] = "st", ["road"] = "rd", ["avenue"] = "ave", ["av"] = "ave",
        ["avn"] = "ave", ["boulevard"] = "blvd", ["blv"] = "blvd", ["drive"] = "dr", ["drv"] = "dr", ["lane"] = "ln",
        ["court"] = "ct", ["place"] = "pl", ["square"] = "sq", ["terrace"] = "ter", ["terr"] = "ter", ["highway"] = "hwy",
        ["parkway"] = "pkwy", ["pky"] = "pkwy", ["circle"] = "cir", ["crescent"] = "cres", ["crt"] = "ct",
        ["way"] = "wy", ["alley"] = "aly", ["expressway"] = "expy", ["freeway"] = "fwy", ["trail"] = "trl",
        ["mount"] = "mt", ["fort"] = "ft", ["saint"] = "st", ["point"] = "pt",
        ["north"] = "n", ["south"] = "s", ["east"] = "e", ["west"] = "w",
        ["northeast"] = "ne", ["northwest"] = "nw", ["southeast"] = "se", ["southwest"] = "sw",
        ["first"] = "1st", ["second"] = "2nd", ["third"] = "3rd", ["fourth"] = "4th", ["fifth"] = "5th",
    };

    private static readonly HashSet<string> UnitWords = new(StringComparer.Ordinal)
    {
        "apt", "apartment", "unit", "suite", "ste", "no", "flat", "rm", "room", "fl", "floor", "bldg", "building", "num",
    };

    /// <summary>Both address lines as one normalised street address; "" when there is none.</summary>
    public static string Street(string? line1, string? line2)
    {
        var text = $"{line1} {line2}".Replace("#", " # ");
        var folded = MatchText.Fold(text.Replace("#", " unit "));
        if (folded.Length == 0) return "";
        var words = MatchText.Words(folded);
        var result = new List<string>(words.Length);
        for (var i = 0; i < words.Length; i++)
        {
            var w = words[i];
            if (UnitWords.Contains(w))
            {
                // "apt 4b", "unit # 4", "#4": the unit's number, marked.
                while (i + 1 < words.Length && UnitWords.Contains(words[i + 1])) i++;
                if (i + 1 < words.Length) result.Add("#" + words[++i]);
                continue;
            }
            // German streets are one word: "Rosenstrasse", "Rosenstr." -> "rosenst".
            if (w.Length > 7 && w.EndsWith("strasse", StringComparison.Ordinal)) w = w[..^7] + "st";
            else if (w.Length > 4 && w.EndsWith("str", StringComparison.Ordinal)) w = w[..^3] + "st";
            result.Add(Words.TryGetValue(w, out var shortForm) ? shortForm : w);
        }
        return string.Join(' ', result);
    }

    /// <summary>"sw1a 1aa" -> "SW1A1AA", "12345-6789" -> "12345".</summary>
    public static string Postcode(string? postcode)
    {
        if (string.IsNullOrWhiteSpace(postcode)) return "";
        Span<char> buffer = stackalloc char[Math.Min(postcode.Length, 32)];
        var n = 0;
        foreach (var ch in postcode)
        {
            if (n == buffer.Length) break;
            if (char.IsAsciiLetterOrDigit(ch)) buffer[n++] = char.ToUpperInvariant(ch);
        }
        var code = buffer[..n];
        if (n == 9 && code.IndexOfAnyExceptInRange('0', '9') < 0) code = code[..5];
        return MatchText.Intern(code.ToString());
    }

    /// <summary>The city, folded, with "St."/"Ft."/"Mt." written out.</summary>
    public static string City(string? city)
    {
        var folded = MatchText.Fold(city);
        if (folded.Length == 0) return "";
        var words = MatchText.Words(folded);
        for (var i = 0; i < words.Length; i++)
        {
            words[i] = words[i] switch { "st" => "saint", "ste" => "sainte", "ft" => "fort", "mt" => "mount", _ => words[i] };
        }
        return MatchText.Intern(string.Join(' ', words));
    }
}
