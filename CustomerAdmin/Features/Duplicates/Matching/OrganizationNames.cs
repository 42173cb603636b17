namespace CustomerAdmin.Features.Duplicates.Matching;

/// <summary>
/// Organisation names for matching: "A.B.C. Hosp.", "ABC Hospital" and "ABC Hospital Ltd" all have the core
/// "abc hospital". Dotted and spaced initials join, common abbreviations are written out, "&amp;"/"and" and a leading
/// "the" drop, and trailing legal suffixes (Inc, LLC, Ltd, GmbH, SA, PLC, Co, Corp...) are set apart.
/// </summary>
public static class OrganizationNames
{
    private static readonly Dictionary<string, string> Abbreviations = new(StringComparer.Ordinal)
    {
        ["hosp"] = "hospital", ["hsp"] = "hospital", ["st"] = "saint", ["ste"] = "sainte", ["mt"] = "mount", ["ft"] = "fort",
        ["dept"] = "department", ["dpt"] = "department", ["univ"] = "university", ["uni"] = "university",
        ["intl"] = "international", ["int"] = "international", ["mfg"] = "manufacturing", ["mfr"] = "manufacturer",
        ["ctr"] = "center", ["cntr"] = "center", ["centre"] = "center", ["med"] = "medical", ["assoc"] = "association",
        ["assn"] = "association", ["natl"] = "national", ["nat"] = "national", ["labs"] = "laboratory", ["lab"] = "laboratory",
        ["laboratories"] = "laboratory", ["lab."] = "laboratory", ["svc"] = "services", ["svcs"] = "services",
        ["service"] = "services", ["bros"] = "brothers", ["dist"] = "distribution", ["eqpt"] = "equipment",
        ["equip"] = "equipment", ["tech"] = "technology", ["technologies"] = "technology", ["sys"] = "systems",
        ["gen"] = "general", ["reg"] = "regional", ["mem"] = "memorial", ["meml"] = "memorial", ["comm"] = "community",
        ["hlth"] = "health", ["hc"] = "healthcare", ["pharm"] = "pharmacy", ["clin"] = "clinic", ["ctrs"] = "center",
        ["grp"] = "group", ["mgmt"] = "management", ["dev"] = "development",
    };

    private static readonly HashSet<string> LegalSuffixes = new(StringComparer.Ordinal)
    {
        "inc", "incorporated", "llc", "ltd", "limited", "gmbh", "sa", "plc", "co", "corp", "corporation", "company",
        "ag", "bv", "nv", "srl", "sarl", "spa", "oy", "ab", "kg", "pty", "lp", "llp", "pc", "pllc", "sas", "kk",
        "as", "aps", "oao", "ooo", "zao", "pjsc", "ojsc", "sl", "sro", "kft", "lda", "ltda", "cv",
    };

    private static readonly HashSet<string> Dropped = new(StringComparer.Ordinal) { "the", "and", "of", "et", "und" };

    /// <summary>The name with its legal suffixes (<c>Full</c>) and without them (<c>Core</c>), both normalised.</summary>
    public static (string Full, string Core) Normalize(string? name)
    {
        if (string.IsNullOrWhiteSpace(name)) return ("", "");
        var folded = MatchText.Fold(name.Replace("&", " and ").Replace("+", " and "));
        if (folded.Length == 0) return ("", "");
        var words = new List<string>();
        var initials = "";
        foreach (var word in MatchText.Words(folded))
        {
            // "a b c" (from "A.B.C." or "A B C") is one word, "abc".
            if (word.Length == 1 && char.IsAsciiLetter(word[0]))
            {
                initials += word;
                continue;
            }
            if (initials.Length > 0) { words.Add(initials); initials = ""; }
            if (Dropped.Contains(word)) continue;
            words.Add(Abbreviations.TryGetValue(word, out var full) ? full : word);
        }
        if (initials.Length > 0) words.Add(initials);
        var end = words.Count;
        while (end > 1 && LegalSuffixes.Contains(words[end - 1])) end--;
        var fullName = string.Join(' ', words);
        var core = end == words.Count ? fullName : string.Join(' ', words.Take(end));
        return (MatchText.Intern(fullName), MatchText.Intern(core));
    }
}
