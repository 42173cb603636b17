using System.Text;
using CustomerAdmin.Common;
using CustomerAdmin.Data;
using CustomerAdmin.Features.Customers;
using CustomerAdmin.Features.Import.Legacy;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace CustomerAdmin.Tests.Features.Customers;

/// <summary>A customer's first-seen date: the source's for imported customers, the first save's otherwise; the dashboard counts it.</summary>
public sealed class FirstSeenTests : IDisposable
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 3, 1, 9, 0, 0, TimeSpan.Zero));
    private readonly List<string> _files = [];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose()
    {
        foreach (var f in _files) File.Delete(f);
    }

    private string WriteFile(string content)
    {
        var path = Path.Combine(Path.GetTempPath(), $"legacy-firstseen-{Guid.NewGuid():N}.csv");
        File.WriteAllBytes(path, new UTF8Encoding(false).GetBytes(content));
        _files.Add(path);
        return path;
    }

    private static int Day(int year, int month, int day) => DateOnly.FromDateTime(new DateTime(year, month, day)).DayNumber;

    [Theory, InlineData(DatabaseProvider.Sqlite), InlineData(DatabaseProvider.Postgres)]
    public async Task ALegacyImportKeepsEachCustomersEarliestDateAndTheDashboardCountsThatDay(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider, _time, ct: Ct);
        // John's tickets are out of order in the file: he was first seen on his earliest one.
        var rows = new StringBuilder("ticket_id,customer_id,customer_name,phone,whatsapp,email,created_at,item,problem,status,amount\n")
            .Append("L-2,C-1,John Smith,212.736.5000,,,2019-06-11,Charger,Does not charge,closed,30.50\n")
            .Append("L-1,C-1,John Smith,(212) 736-5000,,john@example.com,2019-03-04,Laptop,Screen,closed,120\n")
            .Append("L-3,C-2,Ana Costa,+1 646 555 0142,,ana@example.com,2020-02-04,Probe,Cable,open,\n");
        for (var i = 0; i < 300; i++)
            rows.Append($"M-{i},D-{i},Guest{i} Lee{i},+1 212 555 {i:0000},,,2021-05-{1 + i % 28:00},Radio,Hum,closed,10\n");
        var importer = new LegacyImporter(database.Factory, new PhoneNormalizer("US"),
            Options.Create(new LegacyImportOptions { BatchSize = 100, MaxRecordLength = 10_000 }), Options.Create(new CustomersOptions()), _time);

        var report = await importer.RunAsync(WriteFile(rows.ToString()), "legacy.csv", dryRun: false, "test", ct: Ct);

        Assert.True(report.Succeeded, report.FatalError);
        await using var db = database.CreateDbContext();
        var john = await db.Customers.SingleAsync(c => c.LastName == "Smith", Ct);
        var ana = await db.Customers.SingleAsync(c => c.LastName == "Costa", Ct);
        Assert.Equal((new DateTime(2019, 3, 4), _time.GetUtcNow().UtcDateTime), (john.FirstSeenAt, john.CreatedAt));
        Assert.Equal(new DateTime(2020, 2, 4), ana.FirstSeenAt);
        var newCustomers = await db.DashboardTotals.Where(t => t.Series == DashboardSeries.Customers)
            .GroupBy(t => t.Day).Select(g => new { g.Key, Count = g.Sum(t => t.Value) }).ToDictionaryAsync(g => g.Key, g => g.Count, Ct);
        Assert.Equal(1, newCustomers[Day(2019, 3, 4)]);
        Assert.Equal(1, newCustomers[Day(2020, 2, 4)]);
        Assert.Equal(302, newCustomers.Values.Sum());
        Assert.False(newCustomers.ContainsKey(Day(2026, 3, 1)));
    }

    [Theory, InlineData(DatabaseProvider.Sqlite), InlineData(DatabaseProvider.Postgres)]
    public async Task AnEarlierTicketInALaterBatchMovesTheFirstSeenDateBackAndTheDashboardWithItUntilTheUndo(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider, _time, ct: Ct);
        // Batches of 100: John is created in the first batch on his 2019 ticket; his 2017 ticket comes 250 rows later.
        var rows = new StringBuilder("ticket_id,customer_id,customer_name,phone,whatsapp,email,created_at,item,problem,status,amount\n")
            .Append("L-1,C-1,John Smith,(212) 736-5000,,john@example.com,2019-06-11,Laptop,Screen,closed,120\n");
        for (var i = 0; i < 250; i++)
            rows.Append($"M-{i},D-{i},Guest{i} Lee{i},+1 212 555 {i:0000},,,2021-05-{1 + i % 28:00},Radio,Hum,closed,10\n");
        rows.Append("L-2,C-1,John Smith,212.736.5000,,,2017-02-03,Charger,Does not charge,closed,30.50\n");
        var importer = new LegacyImporter(database.Factory, new PhoneNormalizer("US"),
            Options.Create(new LegacyImportOptions { BatchSize = 100, MaxRecordLength = 10_000 }), Options.Create(new CustomersOptions()), _time);

        var report = await importer.RunAsync(WriteFile(rows.ToString()), "legacy.csv", dryRun: false, "test", ct: Ct);

        Assert.True(report.Succeeded, report.FatalError);
        await using (var db = database.CreateDbContext())
        {
            var john = await db.Customers.SingleAsync(c => c.LastName == "Smith", Ct);
            Assert.Equal(new DateTime(2017, 2, 3), john.FirstSeenAt);
            var newCustomers = await NewCustomersByDayAsync(db);
            Assert.Equal(1, newCustomers.GetValueOrDefault(Day(2017, 2, 3)));
            Assert.Equal(0, newCustomers.GetValueOrDefault(Day(2019, 6, 11)));
            Assert.Equal(251, newCustomers.Values.Sum());
            // The summary kept by the import is the one a recount from the rows gives.
            var kept = await db.DashboardTotals.AsNoTracking().ToListAsync(Ct);
            await CustomerAdmin.Features.Dashboard.DashboardSummary.RebuildAsync(db, ct: Ct);
            var recounted = await db.DashboardTotals.AsNoTracking().ToListAsync(Ct);
            Assert.Equal(Facts(recounted), Facts(kept));
        }

        Assert.True((await importer.UndoAsync(report.RunId!.Value, "admin", Ct)).Done);
        await using (var db = database.CreateDbContext())
            Assert.Equal(0, (await NewCustomersByDayAsync(db)).Values.Sum());
    }

    private static List<string> Facts(IEnumerable<DashboardTotal> totals) =>
        [.. totals.Where(t => t.Value != 0 && t.Series != DashboardSeries.Meta).Select(t => $"{t.Series} {t.Day} {t.Other} {t.Text}: {t.Value}").Order()];

    private static Task<Dictionary<int, long>> NewCustomersByDayAsync(AppDbContext db) =>
        db.DashboardTotals.Where(t => t.Series == DashboardSeries.Customers)
            .GroupBy(t => t.Day).Select(g => new { g.Key, Count = g.Sum(t => t.Value) }).ToDictionaryAsync(g => g.Key, g => g.Count, Ct);

    [Theory, InlineData(DatabaseProvider.Sqlite), InlineData(DatabaseProvider.Postgres)]
    public async Task ACustomerTypedInAtTheCounterIsFirstSeenWhenCreated(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider, _time, ct: Ct);
        var operations = new CustomerOperations(database.Factory, new PhoneNormalizer("US"), _time);

        var created = await operations.CreateAsync(TestCustomers.Individual("Ann", "Lee", "+12127365000"), ct: Ct);

        await using var db = database.CreateDbContext();
        var stored = await db.Customers.SingleAsync(c => c.Id == created.Id, Ct);
        Assert.Equal(stored.CreatedAt, stored.FirstSeenAt);
        Assert.Equal(_time.GetUtcNow().UtcDateTime, stored.FirstSeenAt);
    }
}
