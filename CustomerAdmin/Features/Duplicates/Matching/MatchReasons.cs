namespace CustomerAdmin.Features.Duplicates.Matching;

/// <summary>The human-readable reasons of a pair: what agrees first ("same phone", "nickname: Bob / Robert"), then what conflicts.</summary>
public static class MatchReasons
{
    public static IReadOnlyList<string> For(MatchProfile a, MatchProfile b, Comparison c)
    {
        var agree = new List<string>(6);
        var conflict = new List<string>(3);
        var first = c[MatchField.FirstName];
        var last = c[MatchField.LastName];
        if (a.IsPerson && b.IsPerson)
        {
            if (first == FieldLevel.Exact && last == FieldLevel.Exact)
            {
                agree.Add(c.Swapped ? "same name, first and last swapped" : "same name");
                if (c[MatchField.NameRarity] == FieldLevel.Exact) agree.Add("few customers have this name");
            }
            else
            {
                if (c.Swapped) agree.Add("first and last names swapped");
                var firstA = c.Swapped ? a.Last : a.First;
                switch (first)
                {
                    case FieldLevel.Exact: agree.Add("same first name"); break;
                    case FieldLevel.Close: agree.Add($"nickname: {MatchText.Title(firstA)} / {MatchText.Title(b.First)}"); break;
                    case FieldLevel.Phonetic: agree.Add("first names sound alike"); break;
                    case FieldLevel.Similar: agree.Add("similar first names"); break;
                    case FieldLevel.Partial: agree.Add("first name matches an initial"); break;
                    case FieldLevel.Different: conflict.Add("different first names"); break;
                }
                switch (last)
                {
                    case FieldLevel.Exact: agree.Add("same last name"); break;
                    case FieldLevel.Phonetic: agree.Add("last names sound alike"); break;
                    case FieldLevel.Similar: agree.Add("similar last names"); break;
                    case FieldLevel.Partial: agree.Add("one of the last names is the same"); break;
                    case FieldLevel.Different: conflict.Add("different last names"); break;
                }
            }
        }
        else
        {
            switch (c[MatchField.Organization])
            {
                case FieldLevel.Exact: agree.Add("same organisation name"); break;
                case FieldLevel.Close: agree.Add("same organisation apart from its legal suffix"); break;
                case FieldLevel.Similar: agree.Add("similar organisation names"); break;
                case FieldLevel.Partial: agree.Add("organisation names share a word"); break;
                case FieldLevel.Different:
                    conflict.Add(a.IsPerson != b.IsPerson ? "a person and an organisation" : "different organisation names");
                    break;
            }
        }
        switch (c[MatchField.Phone])
        {
            case FieldLevel.Exact: agree.Add("same phone"); break;
            case FieldLevel.Close: agree.Add("phone differs by one digit"); break;
            case FieldLevel.Different: conflict.Add("different phones"); break;
        }
        switch (c[MatchField.Email])
        {
            case FieldLevel.Exact: agree.Add(EmailReason(a, b)); break;
            case FieldLevel.Similar:
                agree.Add(EmailMatching.LocalPart(a.Email) == EmailMatching.LocalPart(b.Email)
                    ? "same email name at another provider" : "similar email");
                break;
            case FieldLevel.Different: conflict.Add("different emails"); break;
        }
        var street = c[MatchField.Street];
        switch (street)
        {
            case FieldLevel.Exact: agree.Add("same address"); break;
            case FieldLevel.Similar: agree.Add("similar address"); break;
            case FieldLevel.Partial: agree.Add("same street address, another unit"); break;
            case FieldLevel.Different: conflict.Add("different addresses"); break;
        }
        if (street is not (FieldLevel.Exact or FieldLevel.Similar))
        {
            if (c[MatchField.Postcode] == FieldLevel.Exact) agree.Add("same postcode");
            else if (c[MatchField.City] == FieldLevel.Exact) agree.Add("same city");
        }
        agree.AddRange(conflict);
        return agree;
    }

    private static string EmailReason(MatchProfile a, MatchProfile b)
    {
        var typedA = a.EmailTyped ?? a.Email;
        var typedB = b.EmailTyped ?? b.Email;
        if (typedA == typedB) return "same email";
        var (localA, localB) = (EmailMatching.LocalPart(typedA), EmailMatching.LocalPart(typedB));
        var (untaggedA, untaggedB) = (WithoutTag(localA), WithoutTag(localB));
        var tag = untaggedA != localA || untaggedB != localB;
        var dots = untaggedA != untaggedB && untaggedA.Replace(".", "") == untaggedB.Replace(".", "");
        return (dots, tag) switch
        {
            (true, true) => "same email apart from dots and a +tag",
            (true, false) => "same email apart from dots",
            (false, true) => "same email apart from a +tag",
            _ => "same email apart from its form",
        };
    }

    private static string WithoutTag(string local) => local.IndexOf('+') is var plus and > 0 ? local[..plus] : local;
}
