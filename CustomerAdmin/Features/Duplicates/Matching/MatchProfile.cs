using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using CustomerAdmin.Data;

namespace CustomerAdmin.Features.Duplicates.Matching;

/// <summary>
/// The normalised matching form of one customer, computed once. The full scan holds a million of them, so it is
/// compact: frequent words (names, cities, postcodes, phonetic keys) are shared through <see cref="MatchText.Intern"/>,
/// phones are integers, and the blocking keys and signature are computed when asked for, not stored.
/// </summary>
public sealed class MatchProfile
{
    private static readonly HashSet<string> GenericOrgWords = new(StringComparer.Ordinal)
    {
        "hospital", "clinic", "laboratory", "medical", "center", "health", "healthcare", "services", "group",
        "international", "national", "general", "regional", "community", "university", "saint", "department",
        "manufacturing", "manufacturer", "company", "association", "systems", "technology", "equipment", "care",
        "dental", "pharmacy", "memorial", "new", "city", "county", "supply", "supplies", "solutions", "dealer", "partners",
    };

    private MatchProfile(int id, CustomerType type) { Id = id; Type = type; }

    public int Id { get; }
    public CustomerType Type { get; }
    internal bool IsPerson => Type == CustomerType.Individual;

    internal string First { get; private init; } = "";
    internal string Last { get; private init; } = "";
    internal int[] FirstGroups { get; private init; } = [];
    internal string FirstSound { get; private init; } = "";
    internal string LastSound { get; private init; } = "";
    internal string OrgFull { get; private init; } = "";
    internal string OrgCore { get; private init; } = "";
    internal ulong Phone1 { get; private init; }
    internal ulong Phone2 { get; private init; }
    internal string Email { get; private init; } = "";
    /// <summary>The email as typed (lower case) when it differs from <see cref="Email"/>: for the reason's wording only.</summary>
    internal string? EmailTyped { get; private init; }
    internal string Street { get; private init; } = "";
    internal string City { get; private init; } = "";
    internal string Postcode { get; private init; } = "";

    public static MatchProfile For(MatchRecord record)
    {
        var person = record.Type == CustomerType.Individual;
        var first = person ? NamePart.Of(record.FirstName) : NamePart.None;
        var last = person ? NamePart.Of(record.LastName) : NamePart.None;
        var (orgFull, orgCore) = person ? ("", "") : OrganizationNames.Normalize(record.OrganizationName);
        var email = EmailMatching.Normalize(record.Email);
        var typed = record.Email?.Trim().ToLowerInvariant();
        var phone1 = PhoneMatching.ToNumber(record.PrimaryPhone, record.Country);
        var phone2 = PhoneMatching.ToNumber(record.SecondaryPhone, record.Country);
        if (phone1 == 0) (phone1, phone2) = (phone2, 0);
        if (phone2 == phone1) phone2 = 0;
        return new MatchProfile(record.Id, record.Type)
        {
            First = first.Name,
            Last = last.Name,
            FirstGroups = first.Groups,
            FirstSound = first.Sound,
            LastSound = last.Sound,
            OrgFull = orgFull,
            OrgCore = orgCore,
            Phone1 = phone1,
            Phone2 = phone2,
            Email = email,
            EmailTyped = email.Length > 0 && typed != email ? typed : null,
            Street = AddressMatching.Street(record.AddressLine1, record.AddressLine2),
            City = AddressMatching.City(record.City),
            Postcode = AddressMatching.Postcode(record.PostalCode),
        };
    }

    /// <summary>
    /// Works out these names ahead of the profiles that will need them (<see cref="NamePart"/>); false once the
    /// cache is full, when there is no point in reading more.
    /// </summary>
    public static bool RememberNames(IEnumerable<string?> typedNames)
    {
        foreach (var name in typedNames)
        {
            if (NamePart.IsFull) return false;
            NamePart.Of(name);
        }
        return !NamePart.IsFull;
    }

    /// <summary>Whether this spelling's normal form is cached (for tests and the warm-up's log).</summary>
    public static bool KnowsName(string typed) => NamePart.IsKnown(typed);

    /// <summary>
    /// A first or last name as typed, normalised, with its sound and nickname groups: names repeat (a block of 300
    /// customers mostly shares one surname), so each distinct spelling is worked out once per process. Bounded like
    /// <see cref="MatchText.Intern"/>: past the bound a name is worked out every time.
    /// </summary>
    private sealed record NamePart(string Name, string Sound, int[] Groups)
    {
        private const int Max = 200_000;
        private static readonly ConcurrentDictionary<string, NamePart> Known = new(StringComparer.Ordinal);
        public static readonly NamePart None = new("", "", []);

        public static bool IsKnown(string typed) => Known.ContainsKey(typed);

        public static bool IsFull => Known.Count >= Max;

        public static NamePart Of(string? typed)
        {
            if (string.IsNullOrEmpty(typed)) return None;
            if (Known.TryGetValue(typed, out var known)) return known;
            var name = PersonNames.Normalize(typed);
            var part = name.Length == 0 ? None : new NamePart(name, Phonetic.Key(name), PersonNames.GroupsOf(name));
            return Known.Count >= Max ? part : Known.GetOrAdd(typed, part);
        }
    }

    /// <summary>
    /// The blocks this profile is put in: only profiles sharing a key are compared. People: the sounds of both names in
    /// either order (swapped names, nicknames through the formal name) and the surname's sound with a first initial;
    /// organisations: their distinctive words; everyone: each phone's last 7 digits, the email's local part, and the
    /// postcode with the surname's first sounds (organisations: the name's initial).
    /// </summary>
    public IReadOnlyList<string> BlockingKeys
    {
        get
        {
            var keys = new List<string>(8);
            void Add(string key)
            {
                if (!keys.Contains(key)) keys.Add(key);
            }
            if (IsPerson)
            {
                var firsts = new List<string>(3);
                if (First.Length > 0)
                {
                    firsts.Add(FirstWord(First));
                    foreach (var formal in PersonNames.FormalNames(FirstGroups)) if (!firsts.Contains(formal)) firsts.Add(formal);
                }
                if (LastSound.Length > 0)
                {
                    foreach (var f in firsts)
                    {
                        var sound = f.Length > 1 ? Phonetic.Key(f) : "";
                        if (sound.Length > 0)
                            Add(string.CompareOrdinal(sound, LastSound) < 0 ? $"nm:{sound}|{LastSound}" : $"nm:{LastSound}|{sound}");
                        Add($"ln:{LastSound}|{f[0]}");
                    }
                }
                // The postcode with the surname's first sounds: a typo'd or changed first name and a new phone still meet
                // (the name keys catch a typo'd surname).
                if (Postcode.Length > 0 && LastSound.Length > 0) Add($"pc:{Postcode}|{LastSound[..Math.Min(2, LastSound.Length)]}");
            }
            else if (OrgCore.Length > 0)
            {
                var words = 0;
                foreach (var word in MatchText.Words(OrgCore))
                {
                    if (GenericOrgWords.Contains(word) || word.Length < 2) continue;
                    Add($"og:{word}");
                    if (++words == 2) break;
                }
                if (words == 0) Add($"og:{OrgCore}");
                if (Postcode.Length > 0) Add($"pc:{Postcode}|{OrgCore[0]}");
            }
            if (Phone1 != 0) Add($"ph:{PhoneMatching.Suffix(Phone1, 7)}");
            if (Phone2 != 0) Add($"ph:{PhoneMatching.Suffix(Phone2, 7)}");
            if (Email.Length > 0) Add($"em:{EmailMatching.LocalPart(Email)}");
            return keys;
        }
    }

    /// <summary>A SHA-256 of the normalised matching fields, in hex (64 characters): changes when a matching field does.</summary>
    public string Signature
    {
        get
        {
            var text = string.Join('\u001f', (int)Type, First, Last, OrgFull, Phone1, Phone2, Email, Street, City, Postcode);
            return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
        }
    }

    /// <summary>One signature for a pair (order-free): stored with a decision, which holds while it agrees.</summary>
    public static string PairSignature(MatchProfile a, MatchProfile b)
    {
        var (x, y) = a.Id <= b.Id ? (a, b) : (b, a);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(x.Signature + y.Signature)));
    }

    /// <summary>The name's own blocking key (first word's sound with the surname's, in order): how many share it says how rare it is.</summary>
    internal string? NameKey
    {
        get
        {
            var first = FirstWord(First);
            if (!IsPerson || LastSound.Length == 0 || first.Length < 2) return null;
            var sound = Phonetic.Key(first);
            if (sound.Length == 0) return null;
            return string.CompareOrdinal(sound, LastSound) < 0 ? $"nm:{sound}|{LastSound}" : $"nm:{LastSound}|{sound}";
        }
    }

    internal static string FirstWord(string text) => text.IndexOf(' ') is var space and > 0 ? text[..space] : text;
}
