using CustomerAdmin.Common;
using CustomerAdmin.Features.Customers;
using CustomerAdmin.Features.Customers.Search;
using CustomerAdmin.Features.Dashboard;
using CustomerAdmin.Features.Sms;
using CustomerAdmin.Features.Sms.Sending;
using CustomerAdmin.Features.Sms.Templates;
using CustomerAdmin.Features.Sms.Webhooks;
using CustomerAdmin.Features.Tickets;
using CustomerAdmin.Data;
using Microsoft.EntityFrameworkCore;

namespace CustomerAdmin.Tests.Features.Dashboard;

/// <summary>
/// Every dashboard figure for a hand-built data set in a time zone far from UTC (India, +05:30), against values
/// worked out by hand below, on both databases; and every figure's link lists exactly that many records.
/// </summary>
public sealed class DashboardQueryTests
{
    public static readonly VenueOptions Venue = new() { TimeZone = "Asia/Kolkata" };
    private static readonly DateOnly Today = new(2026, 3, 15);
    private readonly PhoneNormalizer _phones = new("US");

    /// <summary>A wall-clock time at the venue.</summary>
    private static DateTime At(int month, int day, int hour = 12, int minute = 0) => Venue.ToUtc(new DateTime(2026, month, day, hour, minute, 0));

    /// <summary>
    /// March 2026 against the 31 days before it (29 January to 28 February). Asha: created in February, a ticket closed
    /// at 23:59 on 31 March (March), one closed in February, a sale in March and nine old open tickets. Bharat: new in
    /// March, a ticket opened at 00:01 on 1 April (venue time; still 31 March in UTC) and one closed on 1 April. A clinic
    /// in Pune with a sale at 23:59 on 28 February. A deleted customer who bought in March. Esha created at 23:59 on
    /// 31 March, Farid at 00:00 on 1 April.
    /// </summary>
    internal static async Task SeedAsync(AppDbContext db, CancellationToken ct)
    {
        var data = new TestData.Batch(db);
        var asha = data.Customer("Asha", "Rao", At(2, 10), "Mumbai");
        data.Ticket(asha, At(3, 2, 10), TicketStatus.Closed, At(3, 31, 23, 59), 100m);
        data.Ticket(asha, At(2, 5), TicketStatus.Closed, At(2, 20), 50m);
        data.Sale(asha, At(3, 10), 20m);
        for (var i = 0; i < 9; i++) data.Ticket(asha, At(1, 1));
        var bharat = data.Customer("Bharat", "Shah", At(3, 5), "Mumbai");
        data.Ticket(bharat, At(4, 1, 0, 1));
        data.Ticket(bharat, At(3, 6), TicketStatus.InProgress);
        data.Ticket(bharat, At(3, 6), TicketStatus.Closed, At(4, 1, 0, 30), 70m);
        var clinic = data.Customer("City", "Clinic", new DateTime(2026, 1, 2, 0, 0, 0, DateTimeKind.Utc), "Pune", CustomerType.Clinic);
        data.Sale(clinic, At(2, 28, 23, 59), 30m);
        var gone = data.Customer("Deleted", "Person", At(3, 3), "Mumbai", status: CustomerStatus.Deleted);
        data.Sale(gone, At(3, 4), 1000m);
        data.Customer("Esha", "Iyer", At(3, 31, 23, 59), "Delhi");
        data.Customer("Farid", "Khan", At(4, 1, 0, 0), "Delhi");

        var upcoming = data.Event("Spring gala", At(3, 20, 19), 10);
        data.Booking(asha, upcoming, 2, At(3, 1));
        data.Booking(bharat, upcoming, 3, At(3, 2));
        data.Event("Past talk", At(3, 1, 19), 50);
        data.Event("Cancelled show", At(3, 25, 19), 50, EventStatus.Cancelled);
        data.Sms(asha, SmsStatus.Delivered, At(3, 1), At(3, 1));
        data.Sms(bharat, SmsStatus.Sent, At(3, 2), At(3, 2));
        data.Sms(bharat, SmsStatus.Failed, At(3, 3));
        data.Sms(bharat, SmsStatus.Delivered, At(2, 3), At(2, 3));
        await db.SaveChangesAsync(ct);
    }

    [Theory, InlineData(DatabaseProvider.Sqlite), InlineData(DatabaseProvider.Postgres)]
    public async Task FiguresMatchTheHandComputedValuesAndThePreviousPeriod(DatabaseProvider provider)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var database = await TestDatabase.CreateAsync(provider, ct: ct, venue: Venue);
        await using (var seed = database.CreateDbContext()) await SeedAsync(seed, ct);
        await using var db = database.CreateDbContext();

        var period = DashboardPeriod.Of(PeriodKind.ThisMonth, Today);
        Assert.Equal((new DateOnly(2026, 1, 29), new DateOnly(2026, 2, 28)), (period.Previous.First, period.Previous.Last));
        var d = await db.LoadAsync(period, At(3, 15), ct);

        Assert.Equal((4m, 2m), (d.TotalCustomers.Value, d.TotalCustomers.Previous));
        Assert.Equal((2m, 1m), (d.NewCustomers.Value, d.NewCustomers.Previous));
        Assert.Equal((2m, 2m), (d.ActiveCustomers.Value, d.ActiveCustomers.Previous));
        Assert.Equal((3m, 1m), (d.PrivateCustomers.Value, d.PrivateCustomers.Previous));
        Assert.Equal((1m, 1m), (d.BusinessCustomers.Value, d.BusinessCustomers.Previous));
        Assert.Equal((120m, 80m), (d.Revenue.Value, d.Revenue.Previous));
        Assert.Equal(0.5m, d.Revenue.Change);
        Assert.Equal((120m, 40m), (d.AverageCustomerValue.Value, d.AverageCustomerValue.Previous));
        Assert.Equal((1m, 0m), (d.RepeatRate.Value, d.RepeatRate.Previous));
        Assert.Equal((1m, 1m), (d.ClosedTickets.Value, d.ClosedTickets.Previous));
        Assert.Equal(29 * 24 + 13 + 59 / 60.0, d.AverageTurnaroundHours!.Value, 3);
        Assert.Equal([10, 1, 0, 0], d.OpenTickets.Select(s => s.Count));
        Assert.Equal([(CustomerType.Individual, 4), (CustomerType.Clinic, 1)], d.ByType.Select(t => (t.Type, t.Customers)));
        Assert.Equal([("Asha Rao", 170m), ("Bharat Shah", 70m), ("City Clinic", 30m)], d.TopByRevenue.Select(r => (r.Name, r.Revenue)));
        Assert.Equal([("Asha Rao", 11), ("Bharat Shah", 3)], d.TopByTickets.Select(r => (r.Name, r.Tickets)));
        var gala = Assert.Single(d.UpcomingEvents);
        Assert.Equal(("Spring gala", 5, 0.5m), (gala.Name, gala.Seats, gala.FillRate));
        Assert.Equal((2, 1, 1), (d.Sms!.Sent, d.Sms.Delivered, d.Sms.Failed));

        Assert.Equal(new DateOnly(2025, 4, 1), d.NewCustomersPerMonth[0].Month);
        Assert.Equal([1m, 1m, 2m], d.NewCustomersPerMonth.TakeLast(3).Select(m => m.Value));
        Assert.Equal([0m, 80m, 120m], d.RevenuePerMonth.TakeLast(3).Select(m => m.Value));
        Assert.Equal(200m, d.RevenuePerMonth.Sum(m => m.Value));

        Assert.Equal([("Delhi", 2), ("Mumbai", 2), ("Pune", 1)], (await db.CitiesAsync(0, ct)).Select(c => (c.City, c.Customers)));
        Assert.Equal([("Mumbai", 1)], (await db.CitiesAsync(10, ct)).Select(c => (c.City, c.Customers)));
    }

    [Theory, InlineData(DatabaseProvider.Sqlite), InlineData(DatabaseProvider.Postgres)]
    public async Task EachFiguresLinkListsExactlyTheRecordsItCounts(DatabaseProvider provider)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var database = await TestDatabase.CreateAsync(provider, ct: ct, venue: Venue);
        await using (var seed = database.CreateDbContext()) await SeedAsync(seed, ct);
        await using var db = database.CreateDbContext();
        var d = await db.LoadAsync(DashboardPeriod.Of(PeriodKind.ThisMonth, Today), At(3, 15), ct);

        var expected = new List<(string Link, int Count)>
        {
            (d.TotalCustomers.Link!, 4), (d.NewCustomers.Link!, 2), (d.ActiveCustomers.Link!, 2), (d.PrivateCustomers.Link!, 3),
            (d.BusinessCustomers.Link!, 1), (d.Revenue.Link!, 1), (d.RepeatRate.Link!, 1), (d.ClosedTickets.Link!, 1),
        };
        expected.AddRange(d.OpenTickets.Select(s => (s.Link, s.Count)));
        expected.AddRange(d.ByType.Select(t => (t.Link, t.Customers)));
        expected.AddRange((await db.CitiesAsync(10, ct)).Select(c => (c.Link, c.Customers)));
        expected.AddRange((await db.CitiesAsync(0, ct)).Select(c => (c.Link, c.Customers)));
        var sms = d.Sms!;
        expected.AddRange([(sms.SentLink, sms.Sent), (sms.DeliveredLink, sms.Delivered), (sms.FailedLink, sms.Failed)]);

        foreach (var (link, count) in expected)
            Assert.True(count == await CountAsync(db, link, ct), $"{link} should list {count}");
    }

    /// <summary>How many rows the customer or ticket list shows for a link, read by the lists' own parsers.</summary>
    private async Task<int> CountAsync(AppDbContext db, string link, CancellationToken ct)
    {
        var query = link.Contains('?') ? link[link.IndexOf('?')..] : "";
        return link.StartsWith("/customers?") || link == "/customers"
            ? await db.Filtered(CustomerListQueryString.Parse(query, Venue), _phones).CountAsync(ct)
            : link.StartsWith("/tickets")
                ? await db.Filtered(TicketListFilter.Parse(query, Venue), _phones).CountAsync(ct)
                : link.StartsWith(SmsLogFilter.Path)
                    ? await db.SmsMessages.Filtered(SmsLogFilter.Parse(query, Venue)).CountAsync(ct)
                    : throw new InvalidOperationException("Unexpected link " + link);
    }
}
