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
        var first = person ? PersonNames.Normalize(record.FirstName) : "";
        var last = person ? PersonNames.Normalize(record.LastName) : "";
        var (orgFull, orgCore) = person ? ("", "") : OrganizationNames.Normalize(record.OrganizationName);
        var email = EmailMatching.Normalize(record.Email);
        var typed = record.Email?.Trim().ToLowerInvariant();
        var phone1 = PhoneMatching.ToNumber(record.PrimaryPhone, record.Country);
        var phone2 = PhoneMatching.ToNumber(record.SecondaryPhone, record.Country);
        if (phone1 == 0) (phone1, phone2) = (phone2, 0);
        if (phone2 == phone1) phone2 = 0;
        return new MatchProfile(record.Id, record.Type)
        {
            First = first,
            Last = last,
            FirstGroups = PersonNames.GroupsOf(first),
            FirstSound = Phonetic.Key(first),
            LastSound = Phonetic.Key(last),
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
    /// The blocks this profile is put in: only profiles sharing a key are compared. People: the sounds of both names in
    /// either order (swapped names, nicknames through the formal name) and the surname's sound with a first initial;
    /// organisations: their distinctive words; everyone: each phone's last 7 digits, the email's local part, and the
    /// postcode with the name's initial.
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
                if (Postcode.Length > 0 && Last.Length > 0) Add($"pc:{Postcode}|{Last[0]}");
                if (Postcode.Length > 0 && First.Length > 0) Add($"pc:{Postcode}|{First[0]}");
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

    internal static string FirstWord(string text) => text.IndexOf(' ') is var space and > 0 ? text[..space] : text;
}
