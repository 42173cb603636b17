using System.Reflection;

namespace CustomerAdmin.Features.Duplicates.Matching;

/// <summary>
/// People's names for matching: folded (<see cref="MatchText.Fold"/>), titles and generational suffixes dropped,
/// nicknames from the embedded <c>Nicknames.csv</c> ("Bob" and "Robert" share a group), initials recognised.
/// </summary>
public static class PersonNames
{
    private static readonly HashSet<string> Noise = new(StringComparer.Ordinal)
    {
        "mr", "mrs", "ms", "miss", "dr", "prof", "sir", "jr", "sr", "ii", "iii", "iv", "phd", "md",
    };

    private static readonly Lazy<(Dictionary<string, int[]> ByName, string[] Heads)> Table = new(Load);

    /// <summary>"Dr. José-María  O'Neill Jr." -> "jose maria oneill".</summary>
    public static string Normalize(string? name)
    {
        var folded = MatchText.Fold(name);
        if (folded.Length == 0) return "";
        var words = MatchText.Words(folded);
        if (!words.Any(Noise.Contains)) return MatchText.Intern(folded);
        var kept = words.Where(w => !Noise.Contains(w)).ToArray();
        return MatchText.Intern(kept.Length == 0 ? folded : string.Join(' ', kept));
    }

    /// <summary>The nickname groups a (normalised) first name belongs to; empty when it is in none.</summary>
    public static int[] GroupsOf(string first)
    {
        if (first.Length == 0) return [];
        var word = first.Contains(' ') ? first[..first.IndexOf(' ')] : first;
        return Table.Value.ByName.TryGetValue(word, out var groups) ? groups : [];
    }

    /// <summary>The formal names of a first name's nickname groups ("bob" -> robert, roberta, barbara).</summary>
    public static IEnumerable<string> FormalNames(int[] groups)
    {
        foreach (var g in groups) yield return Table.Value.Heads[g];
    }

    /// <summary>Two first names one of which is a nickname of the other, or both of one formal name ("Bob" / "Robert").</summary>
    public static bool AreNicknames(int[] a, int[] b)
    {
        foreach (var x in a)
        {
            foreach (var y in b)
            {
                if (x == y) return true;
            }
        }
        return false;
    }

    public static bool IsInitial(string name) => name.Length == 1 || (name.Length == 3 && name[1] == ' ');

    private static (Dictionary<string, int[]>, string[]) Load()
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("CustomerAdmin.Duplicates.Nicknames.csv")
            ?? throw new InvalidOperationException("The nickname list is not embedded.");
        using var reader = new StreamReader(stream);
        var byName = new Dictionary<string, List<int>>(StringComparer.Ordinal);
        var heads = new List<string>();
        while (reader.ReadLine() is { } line)
        {
            if (line.Length == 0 || line[0] == '#') continue;
            var names = line.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            var group = heads.Count;
            heads.Add(names[0]);
            foreach (var name in names)
            {
                if (!byName.TryGetValue(name, out var list)) byName[name] = list = [];
                if (!list.Contains(group)) list.Add(group);
            }
        }
        return (byName.ToDictionary(p => MatchText.Intern(p.Key), p => p.Value.ToArray(), StringComparer.Ordinal), [.. heads]);
    }
}
