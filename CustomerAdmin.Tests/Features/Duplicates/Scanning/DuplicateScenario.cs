using CustomerAdmin.Data;
using CustomerAdmin.Features;
using CustomerAdmin.Features.Duplicates.Scanning;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace CustomerAdmin.Tests.Features.Duplicates.Scanning;

/// <summary>
/// A few hundred distinct customers (shared surnames, cities and streets, as in a real town) with a handful of planted
/// duplicates of known kinds, written without the duplicate keeper so that only a scan can find them; and the scanner
/// as the app builds it.
/// </summary>
public sealed class DuplicateScenario
{
    private static readonly string[] FirstNames =
    [
        "Alice", "Brian", "Carla", "Daniel", "Elena", "Frank", "Grace", "Hector", "Irene", "Jamal", "Karen", "Liam", "Monica",
        "Nathan", "Olivia", "Pedro", "Quinn", "Rosa", "Samuel", "Tara", "Umar", "Vera", "Walter", "Xenia", "Yusuf", "Zoe",
    ];

    private static readonly string[] LastNames =
    [
        "Anderson", "Baker", "Carter", "Dixon", "Evans", "Fischer", "Garcia", "Hughes", "Ivanova", "Jensen", "Kowalski",
        "Lopez", "Morgan", "Nakamura", "Okafor", "Patel", "Quintero", "Reyes", "Schmidt", "Thompson", "Udeh", "Vargas",
    ];

    private static readonly string[] Cities = ["Boston", "Cambridge", "Somerville", "Quincy", "Newton", "Salem"];
    private static readonly string[] Streets = ["Main St", "Oak Avenue", "Elm Street", "Harbor Rd", "Park Lane", "Mill Road"];

    /// <summary>The planted pairs: (original, duplicate) ids, lower id first.</summary>
    public List<(int A, int B, string Kind)> Planted { get; } = [];

    public List<Customer> Customers { get; } = [];

    /// <summary>Contexts that run every keeper but the duplicate keeper: rows as a bulk load would leave them.</summary>
    public static IDbContextFactory<AppDbContext> WithoutDuplicateKeeper(TestDatabase database) =>
        database.FactoryWithKeepers(DerivedData.Keepers.Where(k => k is not DuplicateMatchKeeper).ToList());

    public static Task<DuplicateScenario> CreateAsync(TestDatabase database, int distinct = 300, CancellationToken ct = default) =>
        CreateAsync(WithoutDuplicateKeeper(database), distinct, ct);

    /// <param name="writer">Contexts that write the customers (without the duplicate keeper, for a scan to find them).</param>
    public static async Task<DuplicateScenario> CreateAsync(IDbContextFactory<AppDbContext> writer, int distinct = 300, CancellationToken ct = default)
    {
        var scenario = new DuplicateScenario();
        var random = new Random(1234);
        var phone = 0;
        string NextPhone() => $"+1617{2000000 + 7919 * ++phone % 7000000:D7}";
        for (var i = 0; i < distinct; i++)
        {
            var first = FirstNames[random.Next(FirstNames.Length)];
            var last = LastNames[random.Next(LastNames.Length)];
            scenario.Customers.Add(new Customer
            {
                Type = CustomerType.Individual, FirstName = first, LastName = last, PrimaryPhone = NextPhone(),
                Email = $"{first}.{last}{i}@mail{i % 7}.example".ToLowerInvariant(),
                AddressLine1 = $"{random.Next(1, 400)} {Streets[random.Next(Streets.Length)]}", City = Cities[random.Next(Cities.Length)],
                PostalCode = $"02{random.Next(100, 200)}", Country = "US",
            });
        }

        // Duplicates as they are born at the counter and in imports.
        Customer Plant(string kind, Customer original, Action<Customer> change)
        {
            var copy = original.Copy();
            copy.Id = 0;
            copy.PrimaryPhone = NextPhone();
            change(copy);
            scenario.Customers.Add(copy);
            scenario._plants.Add((original, copy, kind));
            return copy;
        }
        var robert = Add(scenario, "Robert", "Smith", "robert.smith@example.com", "12 Beacon Street", "Boston", "02108", NextPhone());
        Plant("nickname, same email", robert, c => c.FirstName = "Bob");
        var katherine = Add(scenario, "Katherine", "O'Neill", "kathy.oneill@example.com", "7 Chestnut St", "Cambridge", "02139", NextPhone());
        Plant("typo in the surname, same address", katherine, c => { c.LastName = "O'Neil"; c.Email = null; });
        var miguel = Add(scenario, "Miguel", "Hernández", "mh@example.com", "40 Central Sq", "Lynn", "01901", NextPhone());
        Plant("swapped names, the old number as second phone", miguel, c =>
        {
            (c.FirstName, c.LastName) = ("Hernandez", "Miguel");
            c.SecondaryPhone = miguel.PrimaryPhone;
            c.Email = null;
        });
        var priya = Add(scenario, "Priya", "Raman", "priya.raman@example.com", "88 Harvard Ave", "Allston", "02134", NextPhone());
        Plant("email with a dot and a tag, new number", priya, c => { c.Email = "priya.raman+shop@example.com"; c.AddressLine1 = "88 Harvard Avenue"; });
        var hospital = new Customer
        {
            Type = CustomerType.Hospital, Name = "ABC Hospital", PrimaryPhone = NextPhone(), Email = "info@abchospital.example",
            AddressLine1 = "1 Hospital Drive", City = "Worcester", PostalCode = "01605", Country = "US",
        };
        scenario.Customers.Add(hospital);
        Plant("organisation abbreviations", hospital, c => { c.Name = "A.B.C. Hosp. Ltd"; c.SecondaryPhone = hospital.PrimaryPhone; });

        // Shuffled, so a duplicate is as likely to get the lower id as its original.
        var ordered = scenario.Customers.OrderBy(_ => random.Next()).ToList();
        await using (var db = writer.CreateDbContext())
        {
            db.Customers.AddRange(ordered);
            await db.SaveChangesAsync(ct);
        }
        foreach (var (original, copy, kind) in scenario._plants)
        {
            var (a, b) = DuplicatePair.Ordered(original.Id, copy.Id);
            scenario.Planted.Add((a, b, kind));
        }
        return scenario;
    }

    private readonly List<(Customer Original, Customer Copy, string Kind)> _plants = [];

    private static Customer Add(DuplicateScenario s, string first, string last, string email, string street, string city, string postcode, string phone)
    {
        var c = new Customer
        {
            Type = CustomerType.Individual, FirstName = first, LastName = last, Email = email, AddressLine1 = street, City = city,
            PostalCode = postcode, Country = "US", PrimaryPhone = phone,
        };
        s.Customers.Add(c);
        return c;
    }

    public static DuplicateScanner Scanner(TestDatabase database, DuplicatesOptions? options = null, TimeProvider? time = null) =>
        new(database.Factory, Options.Create(options ?? new DuplicatesOptions()), time ?? TimeProvider.System, new StillRunning(),
            NullLogger<DuplicateScanner>.Instance);

    /// <summary>One scan, recorded and run to its end as the command runs it.</summary>
    public static async Task<DuplicateScanRun> ScanAsync(TestDatabase database, CancellationToken ct)
    {
        var scanner = Scanner(database);
        var start = await scanner.CreateRunAsync("test", ct);
        Assert.True(start.Started);
        return await scanner.RunAsync(start.Run.Id, ct);
    }

    public static async Task<List<DuplicatePair>> PairsAsync(TestDatabase database, CancellationToken ct)
    {
        await using var db = database.CreateDbContext();
        return await db.DuplicatePairs.AsNoTracking().OrderBy(p => p.CustomerAId).ThenBy(p => p.CustomerBId).ToListAsync(ct);
    }
}
