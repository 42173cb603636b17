// Whole at ~360 lines: the generator's name pools, its corruption rules and the entity model read best together.
using AnyAscii;
using Bogus;
using CustomerAdmin.Data;
using CustomerAdmin.Features.Duplicates.Matching;

namespace CustomerAdmin.Benchmarks.Duplicates;

/// <summary>A generated customer record and the real-world entity it stands for (the ground truth).</summary>
public readonly record struct GeneratedRecord(MatchRecord Record, int Entity);

/// <summary>
/// Realistic customers with duplicates and ground truth, for the duplicate-detection quality benchmark. People and
/// organisations from Bogus locales in Latin, Cyrillic, Greek, CJK and Arabic scripts; names drawn with a skew, so many
/// different people share a surname, a city or a company (and thousands share "John Smith" at a million records);
/// households share a surname, an address and often a landline. Some originals get one to three duplicates, each with
/// its own mix of the errors seen at counters and in legacy data: typos, OCR confusions, nicknames, swapped names,
/// initials, transliteration, missing and changed fields, phone formats and one-digit errors, email variants, legal
/// suffixes and abbreviations. It keeps its own word lists: the matcher must not know them.
/// </summary>
public sealed class DuplicateGenerator(int seed = 20261206)
{
    private static readonly (string Locale, string Country, int Weight)[] Locales =
    [
        ("en", "US", 45), ("de", "DE", 8), ("fr", "FR", 8), ("es", "ES", 10), ("ru", "RU", 10), ("el", "GR", 5),
        ("ja", "JP", 4), ("zh_CN", "CN", 5), ("ar", "SA", 5),
    ];

    private static readonly string[] AreaCodes =
    [
        "201", "202", "203", "205", "206", "212", "213", "214", "215", "216", "224", "225", "231", "234", "239", "240",
        "248", "251", "252", "253", "254", "256", "260", "262", "267", "269", "270", "281", "301", "302", "303", "304",
        "305", "307", "309", "310", "312", "313", "314", "315", "316", "317", "318", "319", "320", "321", "323", "330",
    ];

    // The generator's own nickname pairs (formal -> familiar), independent of the matcher's list.
    private static readonly Dictionary<string, string[]> Familiar = new(StringComparer.OrdinalIgnoreCase)
    {
        ["Robert"] = ["Bob", "Rob", "Bobby"], ["William"] = ["Bill", "Will", "Billy"], ["Richard"] = ["Rick", "Dick", "Rich"],
        ["Margaret"] = ["Peggy", "Maggie", "Meg"], ["Elizabeth"] = ["Liz", "Beth", "Betty"], ["James"] = ["Jim", "Jimmy"],
        ["John"] = ["Jack", "Johnny"], ["Michael"] = ["Mike", "Mick"], ["Katherine"] = ["Kate", "Kathy"], ["Joseph"] = ["Joe"],
        ["Thomas"] = ["Tom", "Tommy"], ["Christopher"] = ["Chris"], ["Daniel"] = ["Dan", "Danny"], ["Anthony"] = ["Tony"],
        ["Jennifer"] = ["Jen", "Jenny"], ["Patricia"] = ["Pat", "Trish"], ["Alexander"] = ["Alex", "Sasha"], ["Edward"] = ["Ed", "Ted"],
        ["Александр"] = ["Саша"], ["Дмитрий"] = ["Дима"], ["Екатерина"] = ["Катя"], ["Мария"] = ["Маша"], ["Иван"] = ["Ваня"],
        ["José"] = ["Pepe"], ["Francisco"] = ["Paco"], ["Manuel"] = ["Manolo"], ["Ignacio"] = ["Nacho"], ["Dolores"] = ["Lola"],
        ["Samuel"] = ["Sam"], ["Benjamin"] = ["Ben"], ["Nicholas"] = ["Nick"], ["Matthew"] = ["Matt"], ["Andrew"] = ["Andy", "Drew"],
        ["Steven"] = ["Steve"], ["Susan"] = ["Sue"], ["Deborah"] = ["Debbie", "Deb"], ["Rebecca"] = ["Becky"], ["Timothy"] = ["Tim"],
        ["Kenneth"] = ["Ken"], ["Ronald"] = ["Ron"], ["Donald"] = ["Don"], ["Gregory"] = ["Greg"], ["Jeffrey"] = ["Jeff"],
    };

    private static readonly string[] OrgKinds = ["Hospital", "Clinic", "Medical Center", "Laboratories", "Lab", "Manufacturing", "Dental Clinic", "Supplies", "Diagnostics", "Health"];
    private static readonly string[] Suffixes = ["", "", "Inc.", "LLC", "Ltd", "Corp.", "GmbH", "S.A.", "PLC", "Co."];
    private static readonly (string Long, string Short)[] OrgAbbreviations =
    [
        ("Hospital", "Hosp."), ("Saint", "St."), ("Medical", "Med."), ("Center", "Ctr."), ("Laboratories", "Labs"),
        ("Manufacturing", "Mfg."), ("International", "Intl."), ("Department", "Dept."), ("University", "Univ."), ("and", "&"),
    ];
    private static readonly (string Long, string Short)[] StreetAbbreviations =
    [
        ("Street", "St"), ("Avenue", "Ave"), ("Road", "Rd"), ("Boulevard", "Blvd"), ("Drive", "Dr"), ("Lane", "Ln"),
        ("Court", "Ct"), ("Place", "Pl"), ("North", "N"), ("South", "S"), ("East", "E"), ("West", "W"),
    ];
    private static readonly string[] StreetNames = ["Main", "Oak", "Pine", "Maple", "Cedar", "Elm", "Washington", "Lake", "Hill", "Park", "Church", "Mill", "River", "Sunset", "Highland", "Jefferson", "Lincoln", "Franklin", "Chestnut", "Walnut", "Spring", "Ridge", "Meadow", "Forest", "Cherry", "Market", "Union", "Broad", "Center", "Prospect"];
    private static readonly string[] StreetKinds = ["Street", "Avenue", "Road", "Boulevard", "Drive", "Lane", "Court", "Place"];
    private static readonly string[] FreeMail = ["gmail.com", "gmail.com", "gmail.com", "yahoo.com", "outlook.com", "hotmail.com", "icloud.com", "aol.com", "mail.ru", "web.de"];

    private sealed class Pool
    {
        public required string Country { get; init; }
        public required string[] Firsts { get; init; }
        public required string[] Lasts { get; init; }
        public required (string City, int Zip)[] Cities { get; init; }
        public required Faker Faker { get; init; }
    }

    private sealed record Entity(int Id, CustomerType Type, string? First, string? Last, string? Org, string? Phone, string? Phone2,
        string? Email, string? Street, string? Unit, string? City, string? Zip, string Country);

    private Random _random = new(seed);
    private readonly HashSet<ulong> _phones = [];
    private Pool[] _pools = [];
    private string[] _companies = [];

    /// <summary>About <paramref name="records"/> records (ids 1..n, shuffled so duplicates are not neighbours).</summary>
    public List<GeneratedRecord> Generate(int records)
    {
        _random = new Random(seed);
        _pools = Locales.Select((l, i) => BuildPool(l.Locale, l.Country, i, records)).ToArray();
        var english = _pools[0].Faker;
        _companies = Enumerable.Range(0, Math.Max(50, records / 200)).Select(_ => english.Company.CompanyName()).ToArray();
        var weights = Locales.SelectMany((l, i) => Enumerable.Repeat(i, l.Weight)).ToArray();
        var output = new List<GeneratedRecord>(records + 16);
        var entity = 0;
        Entity? previous = null;
        while (output.Count < records)
        {
            var pool = _pools[weights[_random.Next(weights.Length)]];
            var e = previous is { Type: CustomerType.Individual } && _random.NextDouble() < 0.04
                ? Household(++entity, previous)
                : NewEntity(++entity, pool);
            previous = e;
            output.Add(new GeneratedRecord(ToRecord(e), e.Id));
            var roll = _random.NextDouble();
            var copies = roll < 0.22 ? 1 : roll < 0.27 ? 2 : roll < 0.29 ? 3 : 0;
            for (var c = 0; c < copies && output.Count < records; c++) output.Add(new GeneratedRecord(ToRecord(Duplicate(e)), e.Id));
        }
        // Shuffle, then number 1..n.
        for (var i = output.Count - 1; i > 0; i--)
        {
            var j = _random.Next(i + 1);
            (output[i], output[j]) = (output[j], output[i]);
        }
        for (var i = 0; i < output.Count; i++) output[i] = output[i] with { Record = output[i].Record with { Id = i + 1 } };
        return output;
    }

    private Pool BuildPool(string locale, string country, int index, int records)
    {
        var faker = new Faker(locale) { Random = new Randomizer(seed + index) };
        var names = Math.Clamp(records / 100, 200, 4000);
        var firsts = Enumerable.Range(0, names).Select(_ => faker.Name.FirstName()).ToArray();
        var lasts = Enumerable.Range(0, names * 3).Select(_ => faker.Name.LastName()).ToArray();
        var cities = Enumerable.Range(0, Math.Clamp(records / 2000, 20, 600))
            .Select(i => (faker.Address.City(), 10000 + (index * 997 + i * 131) % 89000)).ToArray();
        return new Pool { Country = country, Firsts = firsts, Lasts = lasts, Cities = cities, Faker = faker };
    }

    /// <summary>A skewed pick: the first items of a pool are far more common than the last (as names are).</summary>
    private T Skewed<T>(T[] items) => items[(int)(items.Length * Math.Pow(_random.NextDouble(), 2.2))];

    private Entity NewEntity(int id, Pool pool)
    {
        var (city, zipBase) = Skewed(pool.Cities);
        var zip = (zipBase + _random.Next(25)).ToString("00000");
        var street = $"{_random.Next(1, 2500)} {Skewed(StreetNames)} {StreetKinds[_random.Next(StreetKinds.Length)]}";
        var unit = _random.NextDouble() < 0.2 ? $"Apt {_random.Next(1, 40)}" : null;
        var hasAddress = _random.NextDouble() < 0.8;
        var phone = _random.NextDouble() < 0.92 ? NewPhone() : null;
        var phone2 = _random.NextDouble() < 0.1 ? NewPhone() : null;
        if (_random.NextDouble() < 0.15)
        {
            var kind = OrgKinds[_random.Next(OrgKinds.Length)];
            var baseName = _random.Next(4) switch
            {
                0 => $"{Skewed(pool.Lasts)} {kind}",
                1 => $"Saint {Skewed(pool.Firsts)} {kind}",
                2 => $"{Acronym()} {kind}",
                _ => Skewed(_companies),
            };
            var org = $"{baseName} {Suffixes[_random.Next(Suffixes.Length)]}".Trim();
            var domain = new string(baseName.ToLowerInvariant().Where(char.IsAsciiLetter).Take(14).ToArray()) + ".com";
            var email = _random.NextDouble() < 0.7 ? $"{(_random.Next(3) == 0 ? "info" : "office")}{(_random.Next(2) == 0 ? "" : _random.Next(1, 99).ToString())}@{domain}" : null;
            return new Entity(id, (CustomerType)_random.Next(1, 6), null, null, org, phone ?? NewPhone(), phone2, email,
                street, _random.NextDouble() < 0.3 ? $"Suite {_random.Next(100, 900)}" : null, city, zip, pool.Country);
        }
        string first, last;
        if (pool.Country == "US" && _random.NextDouble() < 0.004) (first, last) = ("John", "Smith");
        else (first, last) = (Skewed(pool.Firsts), Skewed(pool.Lasts));
        return new Entity(id, CustomerType.Individual, first, last, null, phone, phone2, NewEmail(first, last), hasAddress ? street : null,
            hasAddress ? unit : null, city, zip, pool.Country);
    }

    /// <summary>Another person of the same household: same surname and address, often the same landline; a hard non-match.</summary>
    private Entity Household(int id, Entity member)
    {
        var pool = _pools.First(p => p.Country == member.Country);
        var first = Skewed(pool.Firsts);
        return member with
        {
            Id = id, First = first, Phone = _random.NextDouble() < 0.5 ? member.Phone : NewPhone(), Phone2 = null,
            Email = NewEmail(first, member.Last!),
        };
    }

    private string Acronym() => new(Enumerable.Range(0, _random.Next(2, 4)).Select(_ => (char)('A' + _random.Next(26))).ToArray());

    private string? NewEmail(string first, string last)
    {
        if (_random.NextDouble() > 0.7) return null;
        var f = Ascii(first);
        var l = Ascii(last);
        if (f.Length == 0 || l.Length == 0) return null;
        var local = _random.Next(5) switch
        {
            0 => $"{f}.{l}", 1 => $"{f[0]}{l}", 2 => $"{f}{l}{_random.Next(1, 99)}", 3 => $"{f}.{l}{_random.Next(1950, 2010)}", _ => $"{l}.{f}",
        };
        var domain = _random.NextDouble() < 0.2
            ? new string(Skewed(_companies).ToLowerInvariant().Where(char.IsAsciiLetter).Take(12).ToArray()) + ".com"
            : FreeMail[_random.Next(FreeMail.Length)];
        return $"{local}@{domain}";
    }

    private static string Ascii(string text) => new(text.Transliterate().ToLowerInvariant().Where(char.IsAsciiLetter).ToArray());

    private string NewPhone()
    {
        while (true)
        {
            var national = $"{AreaCodes[_random.Next(AreaCodes.Length)]}{_random.Next(201, 1000)}{_random.Next(0, 10000):0000}";
            if (_phones.Add(ulong.Parse(national))) return "+1" + national;
        }
    }

    private static MatchRecord ToRecord(Entity e) => new(e.Id, e.Type, e.First, e.Last, e.Org, e.Phone, e.Phone2, e.Email,
        e.Street, e.Unit, e.City, e.Zip, e.Country);

    private bool Chance(double p) => _random.NextDouble() < p;

    /// <summary>The same entity entered again, with its own mix of errors and changes.</summary>
    private Entity Duplicate(Entity e)
    {
        var d = e;
        if (e.Type == CustomerType.Individual)
        {
            if (Chance(0.15) && Familiar.TryGetValue(e.First!, out var nicks)) d = d with { First = nicks[_random.Next(nicks.Length)] };
            if (Chance(0.18)) d = _random.Next(2) == 0 ? d with { First = Typo(d.First!) } : d with { Last = Typo(d.Last!) };
            if (Chance(0.05)) d = d with { Last = Ocr(d.Last!) };
            if (Chance(0.05)) d = d with { First = d.Last, Last = d.First };
            else if (Chance(0.05)) d = d with { First = d.First![..1] + "." };
            if (Chance(0.1)) d = d with { First = Latin(d.First!), Last = Latin(d.Last!) };
            if (Chance(0.08)) d = d with { First = d.First!.ToUpperInvariant(), Last = d.Last!.ToUpperInvariant() };
            if (Chance(0.04)) d = d with { First = null };
        }
        else
        {
            var name = d.Org!;
            if (Chance(0.35)) name = ChangeSuffix(name);
            if (Chance(0.3))
            {
                var (full, shortForm) = OrgAbbreviations[_random.Next(OrgAbbreviations.Length)];
                name = name.Replace(full, shortForm);
            }
            if (Chance(0.15)) name = DotInitials(name);
            if (Chance(0.08)) name = "The " + name;
            if (Chance(0.1)) name = Typo(name);
            if (Chance(0.05)) name = name.Replace('O', '0').Replace('l', '1');
            d = d with { Org = name };
        }
        // Phones: another format, a one-digit slip, a new number, none, or the second one first.
        if (d.Phone is { } phone)
        {
            var roll = _random.NextDouble();
            d = roll switch
            {
                < 0.35 => d with { Phone = Format(phone) },
                < 0.43 => d with { Phone = OneDigit(phone) },
                < 0.58 => d with { Phone = NewPhone() },
                < 0.66 => d with { Phone = null },
                < 0.69 when d.Phone2 is not null => d with { Phone = d.Phone2, Phone2 = phone },
                _ => d,
            };
        }
        if (d.Email is { } email)
        {
            var roll = _random.NextDouble();
            var at = email.IndexOf('@');
            d = roll switch
            {
                < 0.10 => d with { Email = char.ToUpperInvariant(email[0]) + email[1..at] + email[at..].ToUpperInvariant() },
                < 0.18 when email.EndsWith("@gmail.com", StringComparison.Ordinal) => d with { Email = email[..at].Replace(".", "") is var l && l != email[..at] ? l + email[at..] : email[..1] + "." + email[1..] },
                < 0.23 when email.EndsWith("@gmail.com", StringComparison.Ordinal) || email.EndsWith("@outlook.com", StringComparison.Ordinal) => d with { Email = email[..at] + "+shop" + email[at..] },
                < 0.38 => d with { Email = null },
                < 0.48 => d with { Email = NewEmail(d.First ?? "info", d.Last ?? "office") },
                < 0.53 => d with { Email = email[..at] + "@" + FreeMail[_random.Next(FreeMail.Length)] },
                _ => d,
            };
        }
        else if (Chance(0.3) && e.Type == CustomerType.Individual) d = d with { Email = NewEmail(e.First!, e.Last!) };
        if (d.Street is { } street)
        {
            var roll = _random.NextDouble();
            d = roll switch
            {
                < 0.35 => d with { Street = AbbreviateStreet(street), Unit = d.Unit?.Replace("Apt ", _random.Next(2) == 0 ? "#" : "Unit ") },
                < 0.50 => d with { Street = null, Unit = null },
                < 0.58 => d with { Street = $"{_random.Next(1, 2500)} {Skewed(StreetNames)} {StreetKinds[_random.Next(StreetKinds.Length)]}", Unit = null, Zip = d.Zip },
                < 0.63 => d with { Street = Typo(street) },
                _ => d,
            };
        }
        if (d.Zip is { } zip && Chance(0.06)) d = d with { Zip = $"{zip}-{_random.Next(1000, 9999)}" };
        if (Chance(0.05)) d = d with { City = d.City?.ToUpperInvariant() };
        return d;
    }

    private string Typo(string text)
    {
        if (text.Length < 3) return text;
        var i = _random.Next(1, text.Length - 1);
        return _random.Next(4) switch
        {
            0 => text[..i] + text[(i + 1)..],
            1 => text[..i] + (char)('a' + _random.Next(26)) + text[(i + 1)..],
            2 => text[..i] + text[i] + text[i..],
            _ => text[..(i - 1)] + text[i] + text[i - 1] + text[(i + 1)..],
        };
    }

    private string Ocr(string text)
    {
        if (text.Contains('m')) return text.Replace("m", "rn");
        if (text.Contains("rn")) return text.Replace("rn", "m");
        if (text.Contains('d')) return text.Replace("d", "cl");
        if (text.Contains('l')) return text.Replace('l', '1');
        return Typo(text);
    }

    private static string Latin(string text) => text.Transliterate();

    private string ChangeSuffix(string name)
    {
        foreach (var suffix in Suffixes.Where(s => s.Length > 0))
        {
            if (name.EndsWith(" " + suffix, StringComparison.Ordinal)) return _random.Next(2) == 0 ? name[..^(suffix.Length + 1)] : name[..^suffix.Length] + Suffixes[_random.Next(2, Suffixes.Length)];
        }
        return name + " " + Suffixes[_random.Next(2, Suffixes.Length)];
    }

    private static string DotInitials(string name)
    {
        var words = name.Split(' ');
        for (var i = 0; i < words.Length; i++)
        {
            if (words[i].Length is >= 2 and <= 4 && words[i].All(char.IsAsciiLetterUpper)) words[i] = string.Join("", words[i].Select(c => c + "."));
        }
        return string.Join(' ', words);
    }

    private string Format(string e164)
    {
        var n = e164[2..];
        return _random.Next(4) switch
        {
            0 => $"({n[..3]}) {n[3..6]}-{n[6..]}",
            1 => $"{n[..3]}.{n[3..6]}.{n[6..]}",
            2 => $"+1 {n[..3]} {n[3..6]} {n[6..]}",
            _ => $"1-{n[..3]}-{n[3..6]}-{n[6..]}",
        };
    }

    private string OneDigit(string e164)
    {
        var chars = e164.ToCharArray();
        // A slip in the last 6 digits (a US exchange may not start with 0 or 1, so its first digit stays).
        var i = chars.Length - 1 - _random.Next(6);
        if (_random.Next(3) == 0 && i > chars.Length - 6)
            (chars[i], chars[i - 1]) = (chars[i - 1], chars[i]);
        else
            chars[i] = (char)('0' + (chars[i] - '0' + _random.Next(1, 10)) % 10);
        return new string(chars);
    }

    private string AbbreviateStreet(string street)
    {
        foreach (var (full, shortForm) in StreetAbbreviations)
        {
            if (street.Contains(full, StringComparison.Ordinal)) return street.Replace(full, _random.Next(3) == 0 ? shortForm + "." : shortForm);
        }
        return street;
    }
}
