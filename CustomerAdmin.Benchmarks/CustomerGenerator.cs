using Bogus;
using CustomerAdmin.Common;
using CustomerAdmin.Features.Customers.History;
using CustomerAdmin.Features.Customers.Search;
using CustomerAdmin.Data;

namespace CustomerAdmin.Benchmarks;

/// <summary>
/// A deterministic set of customers (fixed seed) with names, cities and companies from Bogus locales in several
/// scripts, unique valid E.164 phones and ASCII emails; ids are 1..N so search tokens can be computed up front.
/// </summary>
public sealed class CustomerGenerator(PhoneNormalizer phones)
{
    public const int Seed = 20261123;
    private static readonly DateTime Epoch = new(2020, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    // Locale, country, weight: Latin, Cyrillic, Greek, CJK and Arabic names in one database.
    private static readonly (string Locale, string Country, int Weight)[] Locales =
    [
        ("en", "US", 30), ("de", "DE", 10), ("fr", "FR", 10), ("es", "ES", 10), ("ru", "RU", 10),
        ("el", "GR", 5), ("ja", "JP", 10), ("zh_CN", "CN", 5), ("ar", "SA", 10),
    ];

    private static readonly string[] AreaCodes =
    [
        "201", "202", "203", "205", "206", "207", "208", "210", "212", "213", "214", "215", "216", "217", "218", "219",
        "224", "225", "228", "229", "231", "234", "239", "240", "248", "251", "252", "253", "254", "256", "260", "262",
        "267", "269", "270", "272", "276", "281", "301", "302", "303", "304", "305", "307", "308", "309", "310", "312",
        "313", "314", "315", "316", "317", "318", "319", "320", "321", "323", "325", "330", "331", "334", "336", "337",
    ];

    private static readonly string[] Tags = ["wholesale", "walk-in", "referral", "newsletter", "late-payer", "events"];

    public IEnumerable<Customer> Generate(int count)
    {
        var random = new Random(Seed);
        var fakers = Locales.Select((l, i) => new Faker(l.Locale) { Random = new Randomizer(Seed + i) }).ToArray();
        var english = fakers[0];
        var weights = Locales.SelectMany((l, i) => Enumerable.Repeat(i, l.Weight)).ToArray();
        var businessTypes = Enum.GetValues<CustomerType>().Where(t => t != CustomerType.Individual).ToArray();
        var usedPhones = new HashSet<string>(count);

        for (var id = 1; id <= count; id++)
        {
            var locale = weights[random.Next(weights.Length)];
            var faker = fakers[locale];
            var c = new Customer
            {
                Id = id,
                Type = random.Next(100) < 85 ? CustomerType.Individual : businessTypes[random.Next(businessTypes.Length)],
                Status = random.Next(100) switch { 0 => CustomerStatus.Deleted, 1 => CustomerStatus.Blocked, < 5 => CustomerStatus.Inactive, _ => CustomerStatus.Active },
                Tier = random.Next(10) switch { 0 => CustomerTier.Vip, < 3 => CustomerTier.Premium, _ => CustomerTier.Standard },
                City = faker.Address.City(),
                AddressLine1 = faker.Address.StreetAddress(),
                PostalCode = faker.Address.ZipCode(),
                Country = Locales[locale].Country,
                PreferredLanguage = Locales[locale].Locale[..2],
                CreatedAt = Epoch.AddMinutes(random.Next(0, 60 * 24 * 365 * 5)),
                CreatedBy = "benchmark",
                TotalSpent = random.Next(0, 500_000) / 100m,
                VisitCount = random.Next(0, 50),
                Version = 1,
            };
            c.UpdatedAt = c.CreatedAt;
            c.UpdatedBy = c.CreatedBy;
            if (c.IsIndividual)
            {
                c.FirstName = faker.Name.FirstName();
                c.LastName = faker.Name.LastName();
            }
            else
            {
                c.Name = faker.Company.CompanyName();
            }
            // Bogus keeps non-Latin names in their script in email addresses; real addresses are ASCII.
            var email = c.IsIndividual ? faker.Internet.Email(c.FirstName, c.LastName) : faker.Internet.Email(c.Name!.Split(' ')[0]);
            c.Email = (email.All(char.IsAscii) ? email : english.Internet.Email()).ToLowerInvariant();
            c.PrimaryPhone = NextPhone(random, usedPhones);
            if (random.Next(5) == 0) c.WhatsAppPhone = c.PrimaryPhone;
            if (random.Next(5) == 0) c.Tags = CustomerTags.Join(Enumerable.Range(0, random.Next(1, 3)).Select(_ => Tags[random.Next(Tags.Length)]));
            SearchIndexKeeper.PrepareNew(c);
            yield return c;
        }
    }

    private string NextPhone(Random random, HashSet<string> used)
    {
        while (true)
        {
            var candidate = $"+1{AreaCodes[random.Next(AreaCodes.Length)]}{random.Next(201, 1000)}{random.Next(0, 10000):0000}";
            if (!used.Contains(candidate) && phones.Check(candidate) is { IsValid: true, E164: { } e164 } && used.Add(e164))
                return e164;
        }
    }
}
