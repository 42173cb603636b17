using CustomerAdmin.Common;
using CustomerAdmin.Features.Customers.History;
using CustomerAdmin.Features.Customers.Search;
using CustomerAdmin.Features.Dashboard;
using CustomerAdmin.Features.Import.Legacy;
using CustomerAdmin.Features.Sales;
using CustomerAdmin.Features.Tickets;
using CustomerAdmin.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace CustomerAdmin.Tests.Features.Dashboard;

/// <summary>
/// The dashboard summary is kept in each change's transaction: after staff work, edits, deletions, a legacy import and
/// its undo, the rows (and each customer's ticket count) are exactly what counting everything again from the data gives.
/// </summary>
public sealed class DashboardSummaryTests : IDisposable
{
    private readonly FakeTimeProvider _time = new(DashboardQueryTests.Venue.ToUtc(new DateTime(2026, 3, 31, 23, 30, 0)));
    private readonly string _file = Path.Combine(Path.GetTempPath(), $"legacy-summary-{Guid.NewGuid():N}.csv");

    public void Dispose() => File.Delete(_file);

    private sealed record Row(DashboardSeries Series, int Day, int Other, string Text, long Value);

    private static async Task<(List<Row> Rows, List<(int, int)> TicketCounts)> SnapshotAsync(AppDbContext db, CancellationToken ct) =>
        ((await db.DashboardTotals.Where(t => t.Value != 0).ToListAsync(ct))
                .Select(t => new Row(t.Series, t.Day, t.Other, t.Text, t.Value))
                .OrderBy(r => r.Series).ThenBy(r => r.Day).ThenBy(r => r.Other).ThenBy(r => r.Text, StringComparer.Ordinal).ToList(),
            (await db.Customers.OrderBy(c => c.Id).Select(c => new { c.Id, c.TicketCount }).ToListAsync(ct)).Select(c => (c.Id, c.TicketCount)).ToList());

    [Theory, InlineData(DatabaseProvider.Sqlite), InlineData(DatabaseProvider.Postgres)]
    public async Task EveryKindOfChangeLeavesTheSummaryACountFromScratchWouldGive(DatabaseProvider provider)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var database = await TestDatabase.CreateAsync(provider, _time, ct: ct, venue: DashboardQueryTests.Venue);
        var factory = database.Factory;
        await using (var db = database.CreateDbContext())
        {
            Assert.True(await DashboardSummary.EnsureAsync(db, ct: ct));
            Assert.False(await DashboardSummary.EnsureAsync(db, ct: ct));
            // Customers, tickets and sales added through the change tracker, a deleted customer among them.
            await DashboardQueryTests.SeedAsync(db, ct);
        }
        int asha, clinic, bharat;
        await using (var db = database.CreateDbContext())
        {
            asha = await db.Customers.Where(c => c.FirstName == "Asha").Select(c => c.Id).SingleAsync(ct);
            bharat = await db.Customers.Where(c => c.FirstName == "Bharat").Select(c => c.Id).SingleAsync(ct);
            clinic = await db.Customers.Where(c => c.Type == CustomerType.Clinic).Select(c => c.Id).SingleAsync(ct);
        }

        // Staff work around midnight at the venue, so the day a change counts on matters.
        var ticket = await TicketOperations.CreateAsync(factory, new() { CustomerId = clinic, Item = "Scope", Problem = "Fogged" }, _time, ct: ct);
        ticket = await TicketOperations.ChangeStatusAsync(factory, ticket.Id, ticket.Version, TicketStatus.Closed, 45m, _time, ct: ct);
        _time.Advance(TimeSpan.FromHours(1));
        ticket = await TicketOperations.ReopenAsync(factory, ticket.Id, ticket.Version, _time, ct: ct);
        ticket = await TicketOperations.ChangeStatusAsync(factory, ticket.Id, ticket.Version, TicketStatus.Closed, 60m, _time, ct: ct);
        var other = await TicketOperations.CreateAsync(factory, new() { CustomerId = asha, Item = "Radio", Problem = "Hum" }, _time, ct: ct);
        await TicketOperations.ChangeStatusAsync(factory, other.Id, other.Version, TicketStatus.Cancelled, null, _time, ct: ct);
        await SaleOperations.CreateAsync(factory, bharat, [new SaleLineDraft { Description = "Cable", Quantity = 2, UnitPrice = 7.5m }], _time, ct: ct);
        _time.Advance(TimeSpan.FromDays(40));
        await SaleOperations.CreateAsync(factory, asha, [new SaleLineDraft { Description = "Battery", UnitPrice = 12m }], _time, ct: ct);

        // Edits that move a customer between rows: city, type, deletion and restoring.
        await using (var db = database.CreateDbContext())
        {
            var c = await db.Customers.SingleAsync(c => c.Id == clinic, ct);
            c.City = "Chennai";
            c.Type = CustomerType.Lab;
            await db.SaveChangesAsync(ct);
            var b = await db.Customers.SingleAsync(c => c.Id == bharat, ct);
            b.Status = CustomerStatus.Deleted;
            await db.SaveChangesAsync(ct);
            var gone = await db.Customers.SingleAsync(c => c.FirstName == "Deleted", ct);
            gone.Status = CustomerStatus.Active;
            await db.SaveChangesAsync(ct);
        }

        // A legacy import that matches an existing customer by phone and creates others, then another one undone.
        await using (var db = database.CreateDbContext())
        {
            var ashaPhone = await db.Customers.Where(c => c.Id == asha).Select(c => c.PrimaryPhone).SingleAsync(ct);
            await File.WriteAllTextAsync(_file, "ticket_id,customer_id,customer_name,phone,whatsapp,email,created_at,item,problem,status,amount\n"
                + $"S-1,X-1,Asha Rao,{ashaPhone},,,2025-12-30,Lamp,Flicker,closed,25\n"
                + "S-2,X-2,Ivan Petrov,+1 646 555 0177,,ivan@example.com,2026-01-15,Kettle,Leak,closed,40\n"
                + "S-3,X-2,Ivan Petrov,+1 646 555 0177,,ivan@example.com,2026-03-01,Toaster,Smoke,open,\n"
                + "S-4,X-3,Mia Wong,+1 646 555 0178,,,2026-02-28,Fan,Noise,closed,15\n", ct);
        }
        var importer = new LegacyImporter(factory, new PhoneNormalizer("US"), Options.Create(new LegacyImportOptions { BatchSize = 2 }),
            Options.Create(new CustomersOptions()), _time);
        var kept = await importer.RunAsync(_file, "kept.csv", dryRun: false, "test", ct: ct);
        Assert.Equal(4, kept.Tickets);
        await File.WriteAllTextAsync(_file, "ticket_id,customer_id,customer_name,phone,whatsapp,email,created_at,item,problem,status,amount\n"
            + "U-1,Y-1,Ivan Petrov,+1 646 555 0177,,,2026-03-02,Heater,Cold,closed,99\n"
            + "U-2,Y-2,Olu Ade,+1 646 555 0179,,,2026-03-03,Drill,Stuck,closed,10\n", ct);
        var undone = await importer.RunAsync(_file, "undone.csv", dryRun: false, "test", ct: ct);
        Assert.Equal(2, undone.Tickets);
        Assert.True((await importer.UndoAsync(undone.RunId!.Value, "test", ct)).Done);

        await using (var db = database.CreateDbContext())
        {
            var kept1 = await SnapshotAsync(db, ct);
            // Every series has rows, so an equal rebuild below is not two empty tables.
            Assert.All(Enum.GetValues<DashboardSeries>(), s => Assert.Contains(kept1.Rows, r => r.Series == s));
            Assert.Contains(kept1.TicketCounts, c => c.Item2 > 1);

            await DashboardSummary.RebuildAsync(db, ct: ct);
            var counted = await SnapshotAsync(db, ct);
            Assert.Equal(counted.Rows, kept1.Rows);
            Assert.Equal(counted.TicketCounts, kept1.TicketCounts);
        }
    }

    [Fact]
    public void DistinctDaysArePairedWithTheDayBefore()
    {
        var zone = TimeZoneInfo.Utc;
        var into = new Dictionary<DashboardContributions.Key, long>();
        var customer = new DashboardContributions.CustomerFacts(1, new DateTime(2026, 1, 1), CustomerType.Individual, CustomerStatus.Active, "Pune");
        DateTime At(int month, int day) => new(2026, month, day, 10, 0, 0, DateTimeKind.Utc);
        DashboardContributions.Contribute(into, customer,
            [
                new(1, TicketStatus.Closed, At(1, 2), At(1, 5), 10m),
                new(1, TicketStatus.Closed, At(1, 3), At(1, 5), 20m), // the same purchase day again
                new(1, TicketStatus.Open, At(2, 1), null, null),
            ],
            [new(1, At(3, 7), 5m)], zone);

        int Day(int month, int day) => new DateOnly(2026, month, day).DayNumber;
        var purchases = into.Where(e => e.Key.Series == DashboardSeries.PurchaseDays).Select(e => (e.Key.Day, e.Key.Other, e.Value)).Order().ToList();
        Assert.Equal([(Day(1, 5), DashboardContributions.NoDay, 1L), (Day(3, 7), Day(1, 5), 1L)], purchases);
        var activity = into.Where(e => e.Key.Series == DashboardSeries.ActivityMonths).Select(e => (e.Key.Day, e.Key.Other, e.Value)).Order().ToList();
        Assert.Equal([(Day(1, 1), DashboardContributions.NoDay, 1L), (Day(1, 1), Day(1, 2), 1L), (Day(2, 1), Day(1, 3), 1L), (Day(3, 1), Day(2, 1), 1L)], activity);
        Assert.Equal(3000L, into[new(DashboardSeries.Revenue, Day(1, 5), 0)]);
        Assert.Equal(1L, into[new(DashboardSeries.CityCustomers, 0, 3, "Pune")]);
        Assert.Equal(1L, into[new(DashboardSeries.OpenTickets, 0, (int)TicketStatus.Open)]);

        // A deleted customer keeps only what the ticket figures count.
        var deleted = new Dictionary<DashboardContributions.Key, long>();
        DashboardContributions.Contribute(deleted, customer with { Status = CustomerStatus.Deleted }, [new(1, TicketStatus.Closed, At(1, 2), At(1, 5), 10m)], [], zone);
        Assert.Equal([DashboardSeries.ClosedTickets, DashboardSeries.TurnaroundMs], deleted.Keys.Select(k => k.Series).Order());
    }
}
