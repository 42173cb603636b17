using System.Globalization;
using System.Net;
using System.Text;
using CustomerAdmin.Common;
using CustomerAdmin.Features.Customers;
using CustomerAdmin.Features.Customers.Export;
using CustomerAdmin.Features.Customers.Search;
using CustomerAdmin.Features.Events;
using CustomerAdmin.Features.Customers.History;
using CustomerAdmin.Features.Import.Legacy;
using CustomerAdmin.Data;
using CustomerAdmin.Security;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace CustomerAdmin.Tests.Features.Customers.Export;

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
            var data = new TestData.Batch(db);
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
            var data = new TestData.Batch(db);
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
            var data = new TestData.Batch(db);
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
            var data = new TestData.Batch(db);
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
            var data = new TestData.Batch(db);
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

    [Theory, InlineData(DatabaseProvider.Sqlite), InlineData(DatabaseProvider.Postgres)]
    public async Task TwentyThousandCustomersDownloadWholeFromKestrelAndParseBack(DatabaseProvider provider)
    {
        var ct = TestContext.Current.CancellationToken;
        const int n = 20_000;
        await using var database = await TestDatabase.CreateAsync(provider, ct: ct);
        var stored = new Dictionary<int, Customer>();
        await using (var db = database.CreateDbContext())
        {
            var customers = Enumerable.Range(0, n).Select(i =>
            {
                var c = TestCustomers.Individual($"First{i:D5}", i % 7 == 0 ? $"Ørsted, \"{i}\"" : $"Last{i:D5}",
                    $"+1212{7_000_000 + i}", $"c{i}@example.com", tags: i % 3 == 0 ? "vip,regular" : null);
                c.City = i % 2 == 0 ? "Boston" : "Zürich";
                c.AddressLine1 = $"{i} Main St";
                SearchIndexKeeper.PrepareNew(c);
                CustomerHistoryKeeper.StampNew(c, Day.AddMinutes(i), "test");
                return c;
            }).ToList();
            Assert.Equal(n, await db.InsertRowsAsync(customers, ct));
            var byEmail = customers.ToDictionary(c => c.Email!);
            await foreach (var row in db.Customers.Select(c => new { c.Id, c.Email }).AsAsyncEnumerable().WithCancellation(ct))
                stored[row.Id] = byEmail[row.Email!];
        }
        await using var server = await AppServer.StartAsync(database);
        var venue = server.Services.GetRequiredService<IOptions<VenueOptions>>().Value;
        using var manager = await server.SignedInHttpClientAsync(AppRoles.Manager);

        using var response = await manager.GetAsync(CustomerExportEndpoints.Path.TrimStart('/'), HttpCompletionOption.ResponseHeadersRead, ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var records = await ReadCsvAsync(await response.Content.ReadAsStreamAsync(ct), ct);

        Assert.Equal("Id", records[0][0]);
        var rows = records[1..];
        Assert.Equal(n, rows.Count);
        Assert.All(rows, r => Assert.Equal(records[0].Length, r.Length));
        Assert.Equal(stored.Keys.Order(), rows.Select(r => int.Parse(r[0], CultureInfo.InvariantCulture)).Order());
        foreach (var row in rows)
        {
            var c = stored[int.Parse(row[0], CultureInfo.InvariantCulture)];
            Assert.Equal(c.FullName, row[1]);
            Assert.Equal("'" + c.PrimaryPhone, row[5]);
            Assert.Equal(c.Email, row[8]);
            Assert.Equal(c.AddressLine1, row[9]);
            Assert.Equal(c.City, row[11]);
            Assert.Equal(c.Tags ?? "", row[15]);
            Assert.Equal(venue.ToVenue(c.CreatedAt).ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture), row[16]);
        }
        // The list's default order (last name, then first name), so the file is the list the manager was looking at.
        await using (var db = database.CreateDbContext())
        {
            var listed = await db.Filtered(new CustomerListFilter(), _phones).Sorted(CustomerSort.LastName, false).Select(c => c.Id).ToListAsync(ct);
            Assert.Equal(listed, rows.Select(r => int.Parse(r[0], CultureInfo.InvariantCulture)));
        }
    }

    /// <summary>What is stored, and what a spreadsheet must get in the cell: OWASP's CSV injection rule plus quoting.</summary>
    private static readonly (string Stored, string Cell)[] HostileCells =
    [
        ("=HYPERLINK(\"http://evil.example\",\"x\")", "'=HYPERLINK(\"http://evil.example\",\"x\")"),
        ("+1+cmd|' /C calc'!A0", "'+1+cmd|' /C calc'!A0"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
        ("\t=1+2", "'\t=1+2"),
        ("\r=1+2", "'\r=1+2"),
        ("\n=1+2", "'\n=1+2"),
        ("＝1+2", "'＝1+2"),
        ("＋1+2", "'＋1+2"),
        ("－1+2", "'－1+2"),
        ("＠SUM(A1)", "'＠SUM(A1)"),
        ("  =1+2", "'  =1+2"),
        ("\u00a0@SUM(A1)", "'\u00a0@SUM(A1)"),
        ("a;b=c", "a;b=c"),
        ("12 Main St, Apt 5", "12 Main St, Apt 5"),
        ("O'Brien = boss", "O'Brien = boss"),
        ("1-800 Flowers", "1-800 Flowers"),
    ];

    [Theory, InlineData(DatabaseProvider.Sqlite), InlineData(DatabaseProvider.Postgres)]
    public async Task HostileCellsComeBackNeutralisedOverHttpAndPhonesStillReadBack(DatabaseProvider provider)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var database = await TestDatabase.CreateAsync(provider, ct: ct);
        var cases = HostileCells;
        await using (var db = database.CreateDbContext())
        {
            for (var i = 0; i < cases.Length; i++)
            {
                var c = TestCustomers.Individual("Case", $"{i:D2}", $"+1212736{5100 + i}");
                c.AddressLine1 = cases[i].Stored;
                db.Customers.Add(c);
            }
            await db.SaveChangesAsync(ct);
        }
        await using var server = await AppServer.StartAsync(database);
        using var manager = await server.SignedInHttpClientAsync(AppRoles.Manager);

        var bytes = await manager.GetByteArrayAsync(CustomerExportEndpoints.Path.TrimStart('/'), ct);
        var rows = (await ReadCsvAsync(new MemoryStream(bytes), ct))[1..];

        Assert.Equal(cases.Length, rows.Count);
        var byName = rows.ToDictionary(r => r[1]);
        for (var i = 0; i < cases.Length; i++)
            Assert.Equal(cases[i].Cell, byName[$"Case {i:D2}"][9]);
        // Excel in a locale with a decimal comma splits on ';': such a cell must be quoted as well.
        Assert.Contains(",\"a;b=c\",", Encoding.UTF8.GetString(bytes));
        // An E.164 phone starts with '+', so it gets the quote too (it also keeps a spreadsheet from reading it as a
        // number); the app's own import reads an exported row back as what was stored, phone and text alike.
        Assert.All(rows, r => Assert.StartsWith("'+1212736", r[5]));
        string[] header = ["customer_id", "customer_name", "phone", "created_at", "item", "problem", "status", "amount", "ticket_id"];
        var parser = new LegacyRowParser(LegacyColumnMap.FromHeader(header, new LegacyImportColumns()).Map!, _phones);
        await using var read = database.CreateDbContext();
        for (var i = 0; i < cases.Length; i++)
        {
            var row = byName[$"Case {i:D2}"];
            var (legacy, error) = parser.Parse(new CsvRecord(2, [row[0], row[1], row[5], "2026-03-10", "Laptop", row[9], "open", "", "T-1"]));
            Assert.Null(error);
            var customer = await read.Customers.SingleAsync(c => c.LastName == $"{i:D2}", ct);
            Assert.Equal(customer.PrimaryPhone, legacy!.Phone);
            Assert.Equal(customer.AddressLine1!.Trim(), legacy.Problem);
        }
    }

    /// <summary>Reads a whole CSV download with the app's own RFC 4180 reader (quotes, doubled quotes, newlines in fields).</summary>
    private static async Task<List<string[]>> ReadCsvAsync(Stream body, CancellationToken ct)
    {
        using var reader = new StreamReader(body, CsvText.Encoding, detectEncodingFromByteOrderMarks: true);
        var records = new List<string[]>();
        await foreach (var record in new LegacyCsvReader(reader, ',', 100_000).ReadAsync(ct))
        {
            Assert.Null(record.Error);
            records.Add(record.Fields);
        }
        return records;
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
