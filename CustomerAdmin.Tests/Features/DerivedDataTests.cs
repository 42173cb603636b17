using System.Globalization;
using System.Text;
using CustomerAdmin.Common;
using CustomerAdmin.Data;
using CustomerAdmin.Features;
using CustomerAdmin.Features.Customers;
using CustomerAdmin.Features.Customers.History;
using CustomerAdmin.Features.Customers.Search;
using CustomerAdmin.Features.Dashboard;
using CustomerAdmin.Features.Duplicates.Matching;
using CustomerAdmin.Features.Duplicates.Scanning;
using CustomerAdmin.Features.Duplicates.Merging;
using CustomerAdmin.Features.Import.Legacy;
using CustomerAdmin.Features.Sales;
using CustomerAdmin.Features.Tickets;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace CustomerAdmin.Tests.Features;

/// <summary>
/// Every denormalised value (search tokens and sort names, field history, ticket counts, the dashboard summary, a
/// customer's total spent, visits and last visit, and the duplicate detector's blocking keys) equals what a count from scratch gives, after a long random sequence
/// of the changes staff and imports make, through the app's own operations. And with any one keeper of derived data
/// switched off, the same check finds what it no longer keeps, so the check itself can fail.
/// </summary>
public sealed class DerivedDataTests : IDisposable
{
    private static readonly VenueOptions Venue = new() { TimeZone = "America/New_York" };
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 3, 1, 14, 0, 0, TimeSpan.Zero));
    private readonly string _file = Path.Combine(Path.GetTempPath(), $"derived-{Guid.NewGuid():N}.csv");

    public void Dispose() => File.Delete(_file);

    [Theory, InlineData(DatabaseProvider.Sqlite), InlineData(DatabaseProvider.Postgres)]
    public async Task ARandomDayOfWorkLeavesEveryDerivedValueAsACountFromScratchGives(DatabaseProvider provider)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var database = await TestDatabase.CreateAsync(provider, _time, ct: ct, venue: Venue);
        await using (var db = database.CreateDbContext())
            await DashboardSummary.EnsureAsync(db, ct: ct);

        var created = await RunAsync(database.Factory, database, steps: 300, seed: 20261206, withImport: true, ct);

        var differences = await DifferencesAsync(database.Factory, created, ct);
        Assert.True(differences.Count == 0, string.Join("\n", differences));
    }

    public static TheoryData<DatabaseProvider, string> KeepersSwitchedOff() => new()
    {
        { DatabaseProvider.Sqlite, "search index" },
        { DatabaseProvider.Sqlite, "customer history" },
        { DatabaseProvider.Sqlite, "dashboard summary" },
        { DatabaseProvider.Postgres, "dashboard summary" },
        { DatabaseProvider.Sqlite, "customer statistics" },
        { DatabaseProvider.Postgres, "customer statistics" },
        { DatabaseProvider.Sqlite, "duplicate matching" },
    };

    [Theory, MemberData(nameof(KeepersSwitchedOff))]
    public async Task TheCheckFindsWhatAKeeperSwitchedOffLeavesBehind(DatabaseProvider provider, string keeper)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var database = await TestDatabase.CreateAsync(provider, _time, ct: ct, venue: Venue);
        await using (var db = database.CreateDbContext())
            await DashboardSummary.EnsureAsync(db, ct: ct);
        var without = database.FactoryWithKeepers(DerivedData.Keepers.Where(k => k.Name != keeper).ToList());

        var created = await RunAsync(without, database, steps: 80, seed: 7, withImport: false, ct);

        var differences = await DifferencesAsync(database.Factory, created, ct);
        Assert.Contains(differences, d => d.StartsWith(keeper + ":", StringComparison.Ordinal));
    }

    /// <summary>The values each customer had when the test created it, to check the history can take it back there.</summary>
    private sealed record Created(int Id, DateTime At, Dictionary<string, string?> Values);

    private async Task<List<Created>> RunAsync(IDbContextFactory<AppDbContext> factory, TestDatabase database, int steps, int seed,
        bool withImport, CancellationToken ct)
    {
        var random = new Random(seed);
        var created = new List<Created>();
        var cities = new[] { "Boston", "Albany", "Salem", null };
        var phone = 0;
        string NextPhone() => $"+1617555{++phone:D4}";

        async Task<int> AddCustomerAsync()
        {
            await using var db = factory.CreateDbContext();
            var c = random.Next(4) == 0
                ? TestCustomers.Organisation($"Clinic {phone}", NextPhone())
                : TestCustomers.Individual(Pick(random, ["Ana", "José", "Li", "Sam"]), Pick(random, ["Álvarez", "Smith", "Ng"]) + phone, NextPhone(),
                    tags: random.Next(2) == 0 ? "vip" : null);
            c.City = Pick(random, cities);
            db.Customers.Add(c);
            await db.SaveChangesAsync(ct);
            created.Add(new Created(c.Id, c.CreatedAt, CustomerHistory.Snapshot(c)));
            return c.Id;
        }

        for (var i = 0; i < 6; i++) await AddCustomerAsync();
        var tickets = new List<int>();
        var merger = new MergeOperations(factory, new CustomerOperations(factory, new PhoneNormalizer("US"), _time), _time);
        var merges = new List<int>();
        for (var step = 0; step < steps; step++)
        {
            _time.Advance(TimeSpan.FromMinutes(random.Next(5, 600)));
            var customerId = created[random.Next(created.Count)].Id;
            try
            {
                switch (random.Next(12))
                {
                    case 10:
                        var otherId = created[random.Next(created.Count)].Id;
                        if (otherId != customerId) merges.Add(await MergeAsync(factory, merger, customerId, otherId, ct));
                        break;
                    case 11 when merges.Count > 0:
                        await merger.UndoAsync(merges[random.Next(merges.Count)], ct: ct);
                        break;
                    case 0:
                        await AddCustomerAsync();
                        break;
                    case 1 or 2:
                        var t = await TicketOperations.CreateAsync(factory,
                            new TicketDraft { CustomerId = customerId, Item = "Phone", Problem = "Cracked", QuotedAmount = 40m }, _time, ct: ct);
                        tickets.Add(t.Id);
                        break;
                    case 3 or 4 when tickets.Count > 0:
                        await MoveTicketAsync(factory, random, tickets[random.Next(tickets.Count)], ct);
                        break;
                    case 5:
                        await SaleOperations.CreateAsync(factory, customerId,
                            [new SaleLineDraft { Description = "Cable", Quantity = random.Next(1, 4), UnitPrice = random.Next(1, 90) + 0.5m }], _time, ct: ct);
                        break;
                    case 6 or 7:
                        await EditCustomerAsync(factory, random, customerId, cities, ct);
                        break;
                    default:
                        await DeleteOrRestoreAsync(factory, customerId, ct);
                        break;
                }
            }
            catch (RuleViolationException)
            {
                // A step the rules refuse (a ticket of a deleted customer, a move the workflow forbids, a merge with a merged
                // customer, an undo of a merge whose survivor was merged since) changes nothing.
            }
            if (withImport && step == steps / 2)
                await ImportAndUndoAsync(factory, database, ct);
            if (withImport && step == steps / 3)
                await CustomerImportAndUndoAsync(factory, database, ct);
        }
        return created;
    }

    private async Task MoveTicketAsync(IDbContextFactory<AppDbContext> factory, Random random, int ticketId, CancellationToken ct)
    {
        Ticket ticket;
        await using (var db = factory.CreateDbContext())
            ticket = await db.Tickets.AsNoTracking().SingleAsync(t => t.Id == ticketId, ct);
        if (ticket.Status is TicketStatus.Closed or TicketStatus.Cancelled)
        {
            await TicketOperations.ReopenAsync(factory, ticket.Id, ticket.Version, _time, ct: ct);
            return;
        }
        var to = random.Next(3) switch { 0 => TicketStatus.Cancelled, 1 => TicketStatus.InProgress, _ => TicketStatus.Closed };
        await TicketOperations.ChangeStatusAsync(factory, ticket.Id, ticket.Version, to,
            to == TicketStatus.Closed ? random.Next(1, 500) + 0.25m : null, _time, ct: ct);
    }

    /// <summary>Merges two customers as the merge dialog does with its defaults (the field values most recently changed).</summary>
    private static async Task<int> MergeAsync(IDbContextFactory<AppDbContext> factory, MergeOperations merger, int survivorId, int mergedId,
        CancellationToken ct)
    {
        int survivorVersion, mergedVersion;
        await using (var db = factory.CreateDbContext())
        {
            survivorVersion = await db.Customers.Where(c => c.Id == survivorId).Select(c => c.Version).SingleAsync(ct);
            mergedVersion = await db.Customers.Where(c => c.Id == mergedId).Select(c => c.Version).SingleAsync(ct);
        }
        return (await merger.MergeAsync(new MergeRequest(survivorId, mergedId, survivorVersion, mergedVersion), "test", ct)).MergeId;
    }

    private static async Task EditCustomerAsync(IDbContextFactory<AppDbContext> factory, Random random, int customerId, string?[] cities,
        CancellationToken ct)
    {
        await using var db = factory.CreateDbContext();
        var c = await db.Customers.SingleAsync(x => x.Id == customerId, ct);
        // The app edits no merged record (its page leads to the survivor).
        if (c.Status == CustomerStatus.Merged) return;
        switch (random.Next(4))
        {
            case 0: c.City = Pick(random, cities); break;
            case 1 when c.IsIndividual: c.LastName = Pick(random, ["Moreau", "Okafor", "Smith"]) + customerId; break;
            case 1: c.Type = c.Type == CustomerType.Clinic ? CustomerType.Lab : CustomerType.Clinic; break;
            case 2: c.Tags = c.Tags is null ? "regular, late-payer" : null; break;
            default: c.Email = c.Email is null ? $"c{customerId}@example.com" : null; break;
        }
        await db.SaveChangesAsync(ct);
    }

    private static async Task DeleteOrRestoreAsync(IDbContextFactory<AppDbContext> factory, int customerId, CancellationToken ct)
    {
        await using var db = factory.CreateDbContext();
        var c = await db.Customers.SingleAsync(x => x.Id == customerId, ct);
        if (c.Status == CustomerStatus.Merged) return;
        if (c.Status == CustomerStatus.Deleted) c.Status = CustomerStatus.Active;
        else if ((await db.OpenTicketNumbersAsync(customerId, ct)).Count == 0) c.Status = CustomerStatus.Deleted;
        await db.SaveChangesAsync(ct);
    }

    /// <summary>A legacy file whose rows match two existing customers by phone and bring two new ones; imported, then undone.</summary>
    private async Task ImportAndUndoAsync(IDbContextFactory<AppDbContext> factory, TestDatabase database, CancellationToken ct)
    {
        List<string> phones;
        await using (var db = factory.CreateDbContext())
            phones = await db.Customers.Live().OrderBy(c => c.Id).Select(c => c.PrimaryPhone!).Take(2).ToListAsync(ct);
        var csv = new StringBuilder("customer_id,customer_name,phone,email,created_at,item,problem,status,amount\n");
        var row = 0;
        foreach (var p in phones.Concat(["+16175559001", "+16175559002"]))
        {
            for (var k = 0; k < 3; k++, row++)
                csv.Append(CultureInfo.InvariantCulture, $"L-{p},Pat Legacy,{p},,2025-0{k + 1}-{10 + row} 10:00,Radio,Hum {row},{(k == 2 ? "open" : "closed")},{10 + row}.50\n");
        }
        await File.WriteAllTextAsync(_file, csv.ToString(), ct);
        var importer = new LegacyImporter(factory, new PhoneNormalizer("US"),
            Options.Create(new LegacyImportOptions { BatchSize = 4, MaxRecordLength = 10_000 }), Options.Create(new CustomersOptions()), _time);
        var report = await importer.RunAsync(_file, "legacy.csv", dryRun: false, "test", ct: ct);
        Assert.True(report.Succeeded, report.FatalError);
        Assert.True(report.RowsRejected == 0, string.Join("; ", report.Issues.Select(i => $"{i.Line}: {i.Message}")));
        Assert.Equal(12, report.Tickets);
        var differences = await DifferencesAsync(database.Factory, [], ct);
        Assert.True(differences.Count == 0, "After the import:\n" + string.Join("\n", differences));
        await importer.UndoAsync(report.RunId!.Value, "test", ct);
    }

    /// <summary>
    /// A customer file (overwrite) whose rows change three existing customers' names, city, tags and email (history,
    /// tokens, the dashboard's cities, duplicate keys: the matched customers' bulk path) and bring two new ones; imported,
    /// checked, then undone.
    /// </summary>
    private async Task CustomerImportAndUndoAsync(IDbContextFactory<AppDbContext> factory, TestDatabase database, CancellationToken ct)
    {
        List<string> phones;
        await using (var db = factory.CreateDbContext())
            phones = await db.Customers.Live().Where(c => c.Type == CustomerType.Individual).OrderByDescending(c => c.Id)
                .Select(c => c.PrimaryPhone!).Take(3).ToListAsync(ct);
        var csv = new StringBuilder("First name,Last name,Mobile,Email,City,Tags\n");
        var row = 0;
        foreach (var p in phones.Concat(["+16175558001", "+16175558002"]))
            csv.Append(CultureInfo.InvariantCulture, $"Pat,Imported{row},{p},imported{row}@example.com,{(row++ % 2 == 0 ? "Salem" : "Lowell")},imported\n");
        await File.WriteAllTextAsync(_file, csv.ToString(), ct);
        var importer = Import.Customers.CustomerImporterTests.NewImporter(factory, _time, batchSize: 2);
        var summary = await importer.RunAsync(await Import.Customers.CustomerImporterTests.RequestAsync(_file, ImportMatchMode.Overwrite), null, ct);
        Assert.Equal(ImportRunStatus.Completed, summary.Status);
        Assert.Equal((phones.Count, 2), (summary.Updated, summary.Created));
        var differences = await DifferencesAsync(database.Factory, [], ct);
        Assert.True(differences.Count == 0, "After the customer import:\n" + string.Join("\n", differences));
        Assert.True((await importer.UndoAsync(summary.RunId, "test", ct)).Done);
        differences = await DifferencesAsync(database.Factory, [], ct);
        Assert.True(differences.Count == 0, "After the customer import's undo:\n" + string.Join("\n", differences));
    }

    /// <summary>Each derived value that differs from a count from scratch, prefixed with the keeper that owns it.</summary>
    private static async Task<List<string>> DifferencesAsync(IDbContextFactory<AppDbContext> factory, List<Created> created, CancellationToken ct)
    {
        var differences = new List<string>();
        await using var db = factory.CreateDbContext();
        var customers = await db.Customers.AsNoTracking().OrderBy(c => c.Id).ToListAsync(ct);
        var tokens = (await db.CustomerSearchTokens.AsNoTracking().ToListAsync(ct)).ToLookup(t => t.CustomerId);
        var changes = (await db.CustomerChanges.AsNoTracking().ToListAsync(ct)).ToLookup(c => c.CustomerId);
        var tickets = await db.Tickets.AsNoTracking().ToListAsync(ct);
        var sales = await db.Sales.AsNoTracking().ToListAsync(ct);
        foreach (var c in customers)
        {
            var expected = CustomerSearchIndex.TokensFor(c).Select(t => (t.Kind, t.Token)).Order().ToList();
            var stored = tokens[c.Id].Select(t => (t.Kind, t.Token)).Order().ToList();
            if (!expected.SequenceEqual(stored)) differences.Add($"search index: customer {c.Id}'s tokens");
            if (c.SortName != CustomerSearchIndex.SortNameFor(c)) differences.Add($"search index: customer {c.Id}'s sort name");
            if (c.CityKey != CustomerSearchIndex.CityKeyFor(c.City)) differences.Add($"search index: customer {c.Id}'s city key");

            var closed = tickets.Where(t => t.CustomerId == c.Id && t.Status == TicketStatus.Closed).ToList();
            var bought = sales.Where(s => s.CustomerId == c.Id).ToList();
            var spent = closed.Sum(t => t.FinalAmount ?? 0m) + bought.Sum(s => s.Total);
            var visits = closed.Count + bought.Count;
            var last = closed.Select(t => t.ClosedAt).Concat(bought.Select(s => (DateTime?)s.SoldAt)).Max();
            if (c.TotalSpent != spent || c.VisitCount != visits || c.LastVisitAt != last)
                differences.Add($"customer statistics: customer {c.Id} has {c.TotalSpent}/{c.VisitCount}/{c.LastVisitAt:O}, counted {spent}/{visits}/{last:O}");
        }
        foreach (var made in created)
        {
            var c = customers.Single(x => x.Id == made.Id);
            var asMade = CustomerHistory.AsOf(c, changes[c.Id], made.At);
            if (asMade is null || made.Values.Any(v => asMade[v.Key] != v.Value))
                differences.Add($"customer history: customer {c.Id} taken back to its creation differs from what was created in "
                    + string.Join(", ", made.Values.Where(v => asMade?.GetValueOrDefault(v.Key) != v.Value).Select(v => v.Key)));
        }

        // Blocking keys: every matchable customer's, from its profile; none for the others. A customer a bulk path queued
        // for the background check is waiting for it, not wrong.
        var keys = (await db.CustomerMatchKeys.AsNoTracking().ToListAsync(ct)).ToLookup(k => k.CustomerId, k => k.KeyHash);
        var queued = (await db.DuplicateCheckRequests.AsNoTracking().Select(r => r.CustomerId).ToListAsync(ct)).ToHashSet();
        foreach (var c in customers.Where(c => !queued.Contains(c.Id)))
        {
            long[] expected = MatchRecords.IsMatchable(c.Status) ? MatchKeys.For(MatchProfile.For(MatchRecord.From(c))) : [];
            if (!expected.SequenceEqual(keys[c.Id].Order())) differences.Add($"duplicate matching: customer {c.Id}'s blocking keys");
        }

        var storedSummary = await SummaryAsync(db, ct);
        await using (var rebuild = factory.CreateDbContext())
            await DashboardSummary.RebuildAsync(rebuild, ct: ct);
        var counted = await SummaryAsync(db, ct);
        if (!storedSummary.SequenceEqual(counted))
            differences.Add($"dashboard summary: {storedSummary.Except(counted).Count()} rows or ticket counts differ from a recount");
        return differences;
    }

    private static async Task<List<string>> SummaryAsync(AppDbContext db, CancellationToken ct)
    {
        var rows = (await db.DashboardTotals.AsNoTracking().Where(t => t.Value != 0).ToListAsync(ct))
            .Select(t => $"{t.Series}|{t.Day}|{t.Other}|{t.Text}|{t.Value}");
        var counts = (await db.Customers.AsNoTracking().Select(c => new { c.Id, c.TicketCount }).ToListAsync(ct))
            .Select(c => $"tickets|{c.Id}|{c.TicketCount}");
        return rows.Concat(counts).Order(StringComparer.Ordinal).ToList();
    }

    private static T Pick<T>(Random random, T[] values) => values[random.Next(values.Length)];
}
