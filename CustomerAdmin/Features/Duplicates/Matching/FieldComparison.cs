namespace CustomerAdmin.Features.Duplicates.Matching;

/// <summary>The fields the matcher compares; each gets one <see cref="FieldLevel"/> per pair.</summary>
/// <remarks>
/// <see cref="NameRarity"/> is about the data, not the two values: when both names agree exactly, whether few
/// customers in the data carry that name (Exact: at most <see cref="PairFinder.RareNameMax"/>) or many (Different).
/// A rare name with the same postcode or city is evidence; "John Smith" in one postcode is not.
/// </remarks>
public enum MatchField { FirstName, LastName, Organization, Phone, Email, Street, City, Postcode, NameRarity }

/// <summary>
/// How two values of one field compare, best first. <see cref="Missing"/> (either side empty) says nothing and weighs
/// nothing; <see cref="Different"/> is a conflict and weighs against. Which levels a field uses: see <see cref="FieldComparer"/>.
/// </summary>
public enum FieldLevel : byte { Missing, Exact, Close, Phonetic, Similar, Partial, Different }

/// <summary>One pair's levels, packed 3 bits a field (the pattern the model's weights and EM work on), and flags for reasons.</summary>
public readonly record struct Comparison(int Pattern, bool Swapped)
{
    public const int FieldCount = 9;
    public const int LevelCount = 7;

    public FieldLevel this[MatchField field] => (FieldLevel)((Pattern >> (3 * (int)field)) & 7);

    public static int With(int pattern, MatchField field, FieldLevel level) => pattern | ((int)level << (3 * (int)field));

    public static FieldLevel LevelOf(int pattern, int field) => (FieldLevel)((pattern >> (3 * field)) & 7);

    /// <summary>
    /// How many independent kinds of evidence agree: the name, a phone, the email, the address. A pair needs two to
    /// reach "possible": a name alone (thousands of John Smiths), or a shared phone alone (a family), is never enough.
    /// The address counts by its street line, or else by the postcode when the street does not contradict it and a
    /// first name is there to tell household members apart; a rare name counts the city when no postcode is known.
    /// </summary>
    public static int AgreeingKinds(int pattern)
    {
        var kinds = 0;
        var first = LevelOf(pattern, (int)MatchField.FirstName);
        var last = LevelOf(pattern, (int)MatchField.LastName);
        var org = LevelOf(pattern, (int)MatchField.Organization);
        var personName = last is FieldLevel.Exact or FieldLevel.Phonetic or FieldLevel.Similar or FieldLevel.Close
            && first is FieldLevel.Exact or FieldLevel.Close or FieldLevel.Phonetic or FieldLevel.Similar or FieldLevel.Partial or FieldLevel.Missing;
        var orgName = org is FieldLevel.Exact or FieldLevel.Close or FieldLevel.Similar;
        if (personName || orgName) kinds++;
        if (LevelOf(pattern, (int)MatchField.Phone) is FieldLevel.Exact or FieldLevel.Close) kinds++;
        if (LevelOf(pattern, (int)MatchField.Email) is FieldLevel.Exact or FieldLevel.Close or FieldLevel.Similar) kinds++;
        var street = LevelOf(pattern, (int)MatchField.Street);
        var postcode = LevelOf(pattern, (int)MatchField.Postcode);
        if (street is FieldLevel.Exact or FieldLevel.Similar) kinds++;
        else if (street != FieldLevel.Different && postcode == FieldLevel.Exact && (orgName || (personName && first != FieldLevel.Missing))) kinds++;
        else if (street != FieldLevel.Different && postcode == FieldLevel.Missing && LevelOf(pattern, (int)MatchField.NameRarity) == FieldLevel.Exact
            && LevelOf(pattern, (int)MatchField.City) == FieldLevel.Exact) kinds++;
        return kinds;
    }

    /// <summary>
    /// Whether a pair may reach "possible" at all: two kinds of agreeing evidence, and no conflicting first name. A first
    /// name that is not the same, a nickname, an initial, a typo or a sound-alike is another person, however much else
    /// agrees: members of one household share a surname, an address and often a phone.
    /// </summary>
    public static bool CanBeDuplicate(int pattern) =>
        LevelOf(pattern, (int)MatchField.FirstName) != FieldLevel.Different && AgreeingKinds(pattern) >= 2;

    /// <summary>
    /// Whether a pair may be "likely" (merged with little review): besides the score, something only this customer has
    /// agrees (a phone, the very email, the street line), and for people a first name is there to agree. Without one, a
    /// pair is at most "possible": a record without a first name at a family's address and phone may be any of them; a
    /// common name in one postcode, or an email made of the name at another provider, may be a namesake.
    /// </summary>
    public static bool CanBeLikely(int pattern)
    {
        var person = LevelOf(pattern, (int)MatchField.Organization) == FieldLevel.Missing;
        if (person && LevelOf(pattern, (int)MatchField.FirstName) is not (FieldLevel.Exact or FieldLevel.Close or FieldLevel.Phonetic or FieldLevel.Similar))
            return false;
        return LevelOf(pattern, (int)MatchField.Phone) is FieldLevel.Exact or FieldLevel.Close
            || LevelOf(pattern, (int)MatchField.Email) == FieldLevel.Exact
            || LevelOf(pattern, (int)MatchField.Street) is FieldLevel.Exact or FieldLevel.Similar;
    }
}

/// <summary>Compares two profiles field by field (pure, allocation-light: it runs tens of millions of times in a scan).</summary>
public static class FieldComparer
{
    /// <param name="rareName">Whether few customers in the data share the pair's name key; null when not known.</param>
    public static Comparison Compare(MatchProfile a, MatchProfile b, bool? rareName = null)
    {
        var pattern = 0;
        var swapped = false;
        if (a.IsPerson && b.IsPerson)
        {
            var first = FirstName(a.First, a.FirstGroups, a.FirstSound, b.First, b.FirstGroups, b.FirstSound);
            var last = LastName(a.Last, a.LastSound, b.Last, b.LastSound);
            if (Goodness(first) + Goodness(last) < 10 && a.First.Length > 0 && b.Last.Length > 0 && a.Last.Length > 0 && b.First.Length > 0)
            {
                // Swapped: a's "last name" is its given name, to be held against b's first name (a conflict there
                // still means another person), and a's "first name" is its surname.
                var swappedFirst = FirstName(a.Last, PersonNames.GroupsOf(a.Last), a.LastSound, b.First, b.FirstGroups, b.FirstSound);
                var swappedLast = LastName(a.First, a.FirstSound, b.Last, b.LastSound);
                if (Goodness(swappedFirst) + Goodness(swappedLast) > Goodness(first) + Goodness(last))
                {
                    (first, last, swapped) = (swappedFirst, swappedLast, true);
                }
            }
            pattern = Comparison.With(pattern, MatchField.FirstName, first);
            pattern = Comparison.With(pattern, MatchField.LastName, last);
            if (rareName is { } rare && first == FieldLevel.Exact && last == FieldLevel.Exact)
                pattern = Comparison.With(pattern, MatchField.NameRarity, rare ? FieldLevel.Exact : FieldLevel.Different);
        }
        else if (!a.IsPerson && !b.IsPerson)
        {
            pattern = Comparison.With(pattern, MatchField.Organization, Organization(a, b));
        }
        else
        {
            // A person and an organisation are not one customer, whatever they share: every name field conflicts.
            pattern = Comparison.With(pattern, MatchField.FirstName, FieldLevel.Different);
            pattern = Comparison.With(pattern, MatchField.LastName, FieldLevel.Different);
            pattern = Comparison.With(pattern, MatchField.Organization, FieldLevel.Different);
        }
        pattern = Comparison.With(pattern, MatchField.Phone, Phone(a, b));
        pattern = Comparison.With(pattern, MatchField.Email, Email(a.Email, b.Email));
        pattern = Comparison.With(pattern, MatchField.Street, Street(a.Street, b.Street));
        pattern = Comparison.With(pattern, MatchField.City, a.City.Length == 0 || b.City.Length == 0 ? FieldLevel.Missing
            : ReferenceEquals(a.City, b.City) || a.City == b.City ? FieldLevel.Exact
            : MatchText.JaroWinkler(a.City, b.City) >= 0.92 ? FieldLevel.Similar : FieldLevel.Different);
        pattern = Comparison.With(pattern, MatchField.Postcode, a.Postcode.Length == 0 || b.Postcode.Length == 0 ? FieldLevel.Missing
            : a.Postcode == b.Postcode ? FieldLevel.Exact
            : a.Postcode.Length >= 5 && b.Postcode.Length == a.Postcode.Length && OneCharApart(a.Postcode, b.Postcode) ? FieldLevel.Similar
            : FieldLevel.Different);
        return new Comparison(pattern, swapped);
    }

    private static int Goodness(FieldLevel level) => level switch
    {
        FieldLevel.Exact => 5, FieldLevel.Close => 4, FieldLevel.Phonetic => 3, FieldLevel.Similar => 3, FieldLevel.Partial => 1, _ => 0,
    };

    internal static FieldLevel FirstName(string a, int[] groupsA, string soundA, string b, int[] groupsB, string soundB)
    {
        if (a.Length == 0 || b.Length == 0) return FieldLevel.Missing;
        if (ReferenceEquals(a, b) || a == b) return FieldLevel.Exact;
        if (PersonNames.AreNicknames(groupsA, groupsB)) return FieldLevel.Close;
        if (PersonNames.IsInitial(a) || PersonNames.IsInitial(b))
            return a[0] == b[0] ? FieldLevel.Partial : FieldLevel.Different;
        var similarity = MatchText.JaroWinkler(a, b);
        // Short first names share short keys ("Louie" and "Laila" are both L): a sound-alike must also look alike.
        if (soundA.Length > 0 && soundA == soundB && similarity >= 0.75) return FieldLevel.Phonetic;
        if (similarity >= 0.88 || (Math.Min(a.Length, b.Length) >= 4 && MatchText.WithinEdits(a, b, 1)))
            return FieldLevel.Similar;
        // "Mary" and "Mary Ann".
        if (MatchProfile.FirstWord(a) == MatchProfile.FirstWord(b)) return FieldLevel.Partial;
        return FieldLevel.Different;
    }

    internal static FieldLevel LastName(string a, string soundA, string b, string soundB)
    {
        if (a.Length == 0 || b.Length == 0) return FieldLevel.Missing;
        if (ReferenceEquals(a, b) || a == b) return FieldLevel.Exact;
        if (soundA.Length > 0 && soundA == soundB) return FieldLevel.Phonetic;
        if (MatchText.JaroWinkler(a, b) >= 0.9 || (Math.Min(a.Length, b.Length) >= 4 && MatchText.WithinEdits(a, b, 1)))
            return FieldLevel.Similar;
        // "Garcia" and "Garcia Lopez": one of a double surname.
        if ((a.Contains(' ') || b.Contains(' ')) && SharesWord(a, b)) return FieldLevel.Partial;
        return FieldLevel.Different;
    }

    private static FieldLevel Organization(MatchProfile a, MatchProfile b)
    {
        if (a.OrgCore.Length == 0 || b.OrgCore.Length == 0) return FieldLevel.Missing;
        if (a.OrgFull == b.OrgFull) return FieldLevel.Exact;
        if (a.OrgCore == b.OrgCore) return FieldLevel.Close;
        if (MatchText.TokenSet(a.OrgCore, b.OrgCore) >= 0.92 && MatchText.JaroWinkler(a.OrgCore, b.OrgCore) >= 0.85) return FieldLevel.Similar;
        if (SharesWord(a.OrgCore, b.OrgCore)) return FieldLevel.Partial;
        return FieldLevel.Different;
    }

    private static FieldLevel Phone(MatchProfile a, MatchProfile b)
    {
        if (a.Phone1 == 0 || b.Phone1 == 0) return FieldLevel.Missing;
        if (a.Phone1 == b.Phone1 || a.Phone1 == b.Phone2 || (a.Phone2 != 0 && (a.Phone2 == b.Phone1 || a.Phone2 == b.Phone2)))
            return FieldLevel.Exact;
        if (PhoneMatching.OneDigitApart(a.Phone1, b.Phone1) || PhoneMatching.OneDigitApart(a.Phone1, b.Phone2)
            || PhoneMatching.OneDigitApart(a.Phone2, b.Phone1) || PhoneMatching.OneDigitApart(a.Phone2, b.Phone2))
            return FieldLevel.Close;
        return FieldLevel.Different;
    }

    private static FieldLevel Email(string a, string b)
    {
        if (a.Length == 0 || b.Length == 0) return FieldLevel.Missing;
        if (a == b) return FieldLevel.Exact;
        var atA = a.IndexOf('@');
        var atB = b.IndexOf('@');
        var localA = a.AsSpan(0, atA);
        var localB = b.AsSpan(0, atB);
        // The same name at another provider ("jsmith@gmail.com", "jsmith@yahoo.com"), or a typo at the same one.
        if (localA.SequenceEqual(localB) && localA.Length >= 4) return FieldLevel.Similar;
        if (a.AsSpan(atA).SequenceEqual(b.AsSpan(atB)) && localA.Length >= 4 && MatchText.JaroWinkler(localA, localB) >= 0.93)
            return FieldLevel.Similar;
        return FieldLevel.Different;
    }

    private static FieldLevel Street(string a, string b)
    {
        if (a.Length == 0 || b.Length == 0) return FieldLevel.Missing;
        if (a == b) return FieldLevel.Exact;
        // Another house number is another address, however alike the rest.
        var numberA = HouseNumber(a);
        var numberB = HouseNumber(b);
        if (!numberA.IsEmpty && !numberB.IsEmpty && !numberA.SequenceEqual(numberB)) return FieldLevel.Different;
        var similarity = MatchText.TokenSet(a, b);
        if ((similarity >= 0.9 && MatchText.JaroWinkler(a, b) >= 0.85) || MatchText.WithinEdits(a, b, 2))
            return UnitOf(a).SequenceEqual(UnitOf(b)) || UnitOf(a).IsEmpty || UnitOf(b).IsEmpty ? FieldLevel.Similar : FieldLevel.Partial;
        return FieldLevel.Different;
    }

    private static ReadOnlySpan<char> HouseNumber(string street)
    {
        var end = street.IndexOf(' ');
        var word = end < 0 ? street.AsSpan() : street.AsSpan(0, end);
        return word.Length > 0 && char.IsAsciiDigit(word[0]) ? word : [];
    }

    private static ReadOnlySpan<char> UnitOf(string street)
    {
        var hash = street.IndexOf('#');
        if (hash < 0) return [];
        var end = street.IndexOf(' ', hash);
        return end < 0 ? street.AsSpan(hash) : street.AsSpan(hash, end - hash);
    }

    private static bool SharesWord(string a, string b)
    {
        foreach (var word in MatchText.Words(a))
        {
            if (word.Length > 2 && (" " + b + " ").Contains(" " + word + " ", StringComparison.Ordinal)) return true;
        }
        return false;
    }

    private static bool OneCharApart(string a, string b)
    {
        var diff = 0;
        for (var i = 0; i < a.Length; i++) if (a[i] != b[i] && ++diff > 1) return false;
        return diff == 1;
    }
}
