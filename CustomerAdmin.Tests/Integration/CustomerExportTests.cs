using System.Globalization;
using System.Net;
using System.Text;
using CustomerAdmin.Common;
using CustomerAdmin.Features.Customers;
using CustomerAdmin.Features.Customers.Export;
using CustomerAdmin.Features.Customers.Search;
using CustomerAdmin.Features.Events;
using CustomerAdmin.Data;
using CustomerAdmin.Security;
using CustomerAdmin.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace CustomerAdmin.Tests.Integration;

/// <summary>The CSV export against both databases: same rows as the list, statistics from the one computation the customer page uses, safe cells.</summary>
public sealed class CustomerExportTests
{
    private static readonly DateTime Day = new(2026, 3, 10, 12, 0, 0, DateTimeKind.Utc);
    private static readonly VenueOptions Venue = new();
    private readonly PhoneNormalizer _phones = new("US");

    [Theory, InlineData(DatabaseProvider.Sqlite), InlineData(DatabaseProvider.Postgres)]
    public async Task FormulaNameIsQuotedNonAsciiSurvivesAndRowsMatchTheFilter(DatabaseProvider provider)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var database = await TestDatabase.CreateAsync(provider, ct: ct);
        await using (var db = database.CreateDbContext())
        {
            var data = new BusinessData(db);
            data.Customer("=HYPERLINK(\"http://evil\")", "Attacker", Day, city: "Mumbai");
            data.Customer("Zoë", "Ørsted-北京", Day, city: "Mumbai");
            data.Customer("@Sum", "Other", Day, city: "Pune");
            await db.SaveChangesAsync(ct);
        }

        var filter = new CustomerListFilter { City = "Mumbai" };
        var (text, count) = await ExportAsync(database, filter, ct);
        var lines = text.Split("\r\n", StringSplitOptions.RemoveEmptyEntries);

        await using (var db = database.CreateDbContext())
            Assert.Equal(await db.Filtered(filter, _phones).CountAsync(ct), count);
        Assert.Equal(2, count);
        Assert.Equal(count + 1, lines.Length);
        Assert.StartsWith("Id,Name,", lines[0]);
        Assert.Contains(",\"'=HYPERLINK(\"\"http://evil\"\") Attacker\",", text);
        Assert.Contains(",Zoë Ørsted-北京,", text);
        Assert.Contains(",'+12127360001,", text);
        Assert.DoesNotContain("@Sum", text);
    }

    [Theory, InlineData(DatabaseProvider.Sqlite), InlineData(DatabaseProvider.Postgres)]
    public async Task ExportedStatisticsAreTheCustomerPagesStatistics(DatabaseProvider provider)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var database = await TestDatabase.CreateAsync(provider, ct: ct);
        int id;
        await using (var db = database.CreateDbContext())
        {
            var data = new BusinessData(db);
            var ann = data.Customer("Ann", "Lee", Day.AddDays(-100));
            data.Ticket(ann, Day.AddDays(-50), TicketStatus.Closed, Day.AddDays(-40), 100.10m);
            data.Ticket(ann, Day.AddDays(-30), TicketStatus.Closed, Day.AddDays(-20), 50m);
            data.Ticket(ann, Day.AddDays(-10), TicketStatus.Cancelled);
            data.Ticket(ann, Day.AddDays(-5));
            data.Sale(ann, Day.AddDays(-3), 9.99m);
            var concert = data.Event("Concert", Day.AddDays(20), 100);
            data.Booking(ann, concert, 2, Day.AddDays(-1));
            await db.SaveChangesAsync(ct);
            id = ann.Id;
        }

        await using var read = database.CreateDbContext();
        var stats = (await read.ForCustomerAsync(id, ct))!;
        Assert.Equal((4, 1, 2, 1, 1, 1), (stats.Tickets, stats.OpenTickets, stats.ClosedTickets, stats.CancelledTickets, stats.Sales, stats.Bookings));
        Assert.Equal(75.05m, stats.AverageTicketValue);
        Assert.Equal(160.09m, stats.LifetimeValue);
        Assert.Equal(Day.AddDays(-1), stats.LastActivityAt);

        var (text, _) = await ExportAsync(database, new CustomerListFilter(), ct);
        var row = text.Split("\r\n")[1];
        Assert.EndsWith(",4,1,2,1,75.05,1,1,160.09," + Day.AddDays(-1).ToString("yyyy-MM-dd HH:mm"), row);
    }

    [Theory, InlineData(DatabaseProvider.Sqlite), InlineData(DatabaseProvider.Postgres)]
    public async Task EveryExportedRowHasTheCustomerPagesStatisticsAcrossBatchBoundaries(DatabaseProvider provider)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var database = await TestDatabase.CreateAsync(provider, ct: ct);
        const int batch = CustomerStatsQuery.BatchSize;
        var n = batch + 3;
        // Positions in the export (sorted by creation): both ends, and the last of one batch and the first of the next.
        int[] active = [0, 1, n / 2, batch - 1, batch, batch + 1, n - 1];
        var ids = new int[n];
        await using (var db = database.CreateDbContext())
        {
            var data = new BusinessData(db);
            var concert = data.Event("Concert", Day.AddDays(20), 100);
            var gala = data.Event("Gala", Day.AddDays(30), 100);
            var customers = Enumerable.Range(0, n).Select(i => data.Customer("C", $"{i:D5}", Day.AddMinutes(i))).ToArray();
            foreach (var i in active)
            {
                var c = customers[i];
                data.Ticket(c, Day.AddDays(1), TicketStatus.Closed, Day.AddDays(2).AddMinutes(i), 10m + i);
                data.Ticket(c, Day.AddDays(3), TicketStatus.Closed, Day.AddDays(4), 0.01m);
                data.Ticket(c, Day.AddDays(5), TicketStatus.Cancelled);
                for (var k = 0; k <= i % 3; k++) data.Ticket(c, Day.AddDays(6).AddMinutes(i));
                data.Sale(c, Day.AddDays(7).AddMinutes(i), 1.5m + i);
                data.Booking(c, concert, 2, Day.AddDays(8).AddMinutes(i));
                if (i % 2 == 0) data.Booking(c, gala, 0, Day.AddDays(9).AddMinutes(i));
            }
            await db.SaveChangesAsync(ct);
            for (var i = 0; i < n; i++) ids[i] = customers[i].Id;
        }

        var (text, count) = await ExportAsync(database, new CustomerListFilter { Sort = CustomerSort.Created }, ct);
        var rows = text.Split("\r\n", StringSplitOptions.RemoveEmptyEntries)[1..];
        Assert.Equal(n, count);
        Assert.Equal(ids.Select(id => id.ToString(CultureInfo.InvariantCulture)), rows.Select(r => r[..r.IndexOf(',')]));

        await using var read = database.CreateDbContext();
        foreach (var i in active.Concat([2, batch - 2, batch + 2]))
        {
            var stats = (await read.LoadCustomerPageAsync(ids[i], ct))!.Stats!;
            Assert.Equal(active.Contains(i) ? 4 + i % 3 : 0, stats.Tickets);
            Assert.Equal(active.Contains(i) ? 2 - i % 2 : 0, stats.Bookings);
            var last = stats.LastActivityAt is { } at ? Venue.ToVenue(at).ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) : "";
            Assert.EndsWith(string.Create(CultureInfo.InvariantCulture,
                $",{stats.Tickets},{stats.OpenTickets},{stats.ClosedTickets},{stats.CancelledTickets},{stats.AverageTicketValue:0.00},{stats.Sales},{stats.Bookings},{stats.LifetimeValue:0.00},{last}"),
                rows[i]);
        }
    }

    [Theory, InlineData(DatabaseProvider.Sqlite), InlineData(DatabaseProvider.Postgres)]
    public async Task CancellingStopsTheExportWhileStatisticsAreFetched(DatabaseProvider provider)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var database = await TestDatabase.CreateAsync(provider, ct: ct);
        await using (var db = database.CreateDbContext())
        {
            var data = new BusinessData(db);
            for (var i = 0; i < 3 * CustomerStatsQuery.BatchSize; i++) data.Customer("C", $"{i:D5}", Day);
            await db.SaveChangesAsync(ct);
        }

        // The client goes away as soon as the first bytes arrive: the writer's buffer fills during the first batch.
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var output = new CallbackStream(cancel.Cancel);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            new CustomerCsvExport(database.Factory, _phones).WriteAsync(output, new CustomerListFilter(), Venue, ct: cancel.Token));
        Assert.InRange(output.Length, 1, 3 * CustomerStatsQuery.BatchSize * 100);
    }

    /// <summary>Counts what is written and calls back on the first write.</summary>
    private sealed class CallbackStream(Action firstWrite) : MemoryStream
    {
        public override void Write(byte[] buffer, int offset, int count) { if (Length == 0) firstWrite(); base.Write(buffer, offset, count); }
        public override void Write(ReadOnlySpan<byte> buffer) { if (Length == 0) firstWrite(); base.Write(buffer); }
        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken ct) { Write(buffer, offset, count); return Task.CompletedTask; }
        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken ct = default) { Write(buffer.Span); return ValueTask.CompletedTask; }
    }

    [Fact]
    public async Task ManagerDownloadsAUtf8FileWithBomAndStaffIsRefused()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite, ct: ct);
        await using (var db = database.CreateDbContext())
        {
            var data = new BusinessData(db);
            data.Customer("Émile", "Zola", Day, city: "Paris");
            data.Customer("Ann", "Lee", Day, city: "Boston");
            await db.SaveChangesAsync(ct);
        }
        await using var app = new SecurityTestApp(database);

        var staff = await app.SignedInClientAsync(AppRoles.Staff);
        using var refused = await staff.GetAsync("customers/export.csv", ct);
        Assert.NotEqual(HttpStatusCode.OK, refused.StatusCode);

        var manager = await app.SignedInClientAsync(AppRoles.Manager);
        using var response = await manager.GetAsync("customers/export.csv?city=Paris&export_token=" + Guid.NewGuid().ToString("N"), ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/csv", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("attachment", response.Content.Headers.ContentDisposition?.DispositionType);
        var bytes = await response.Content.ReadAsByteArrayAsync(ct);
        Assert.Equal(Encoding.UTF8.GetPreamble(), bytes[..3]);
        var lines = Encoding.UTF8.GetString(bytes[3..]).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        Assert.Contains("Émile Zola", lines[1]);
    }

    private async Task<(string Text, int Count)> ExportAsync(TestDatabase database, CustomerListFilter filter, CancellationToken ct)
    {
        using var output = new MemoryStream();
        var count = await new CustomerCsvExport(database.Factory, _phones).WriteAsync(output, filter, Venue, ct: ct);
        var bytes = output.ToArray();
        Assert.Equal(Encoding.UTF8.GetPreamble(), bytes[..3]);
        return (new UTF8Encoding(false).GetString(bytes[3..]), count);
    }
}
