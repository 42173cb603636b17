using CustomerAdmin.Common;
using CustomerAdmin.Features.Customers;
using CustomerAdmin.Data;
using Microsoft.EntityFrameworkCore;

namespace CustomerAdmin.Tests.Features.Customers;

/// <summary>The list's booking filters, read from the query string as the page and the export read it.</summary>
public sealed class CustomerBookingFilterTests
{
    private static readonly DateTime Day = new(2026, 3, 10, 17, 0, 0, DateTimeKind.Utc);

    [Theory, InlineData(DatabaseProvider.Sqlite), InlineData(DatabaseProvider.Postgres)]
    public async Task BookedOnAnEventAndBookedOrNotBookedSinceADaySelectExactlyThoseCustomers(DatabaseProvider provider)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var database = await TestDatabase.CreateAsync(provider, ct: ct);
        int galaId;
        await using (var db = database.CreateDbContext())
        {
            var data = new TestData.Batch(db);
            var gala = data.Event("Gala", Day.AddDays(30), 100);
            var concert = data.Event("Concert", Day.AddDays(40), 100);
            data.Customer("Never", "Booked", Day.AddDays(-100));
            // Booked on the venue's 1 March late in the evening: 2 March already in UTC.
            data.Booking(data.Customer("March", "First", Day.AddDays(-100)), gala, 2, new DateTime(2026, 3, 2, 2, 0, 0, DateTimeKind.Utc));
            data.Booking(data.Customer("Feb", "Only", Day.AddDays(-100)), concert, 0, new DateTime(2026, 2, 10, 12, 0, 0, DateTimeKind.Utc));
            var both = data.Customer("Both", "Events", Day.AddDays(-100));
            data.Booking(both, gala, 1, new DateTime(2026, 1, 5, 12, 0, 0, DateTimeKind.Utc));
            data.Booking(both, concert, 1, Day);
            await db.SaveChangesAsync(ct);
            galaId = gala.Id;
        }

        await using var read = database.CreateDbContext();
        var venue = new VenueOptions { TimeZone = "America/New_York" };
        async Task<string[]> NamesAsync(string query) =>
            (await read.Filtered(CustomerListQueryString.Parse(query, venue), new PhoneNormalizer("US")).OrderBy(c => c.Id)
                .Select(c => c.FirstName!).ToListAsync(ct)).ToArray();

        Assert.Equal(["March", "Both"], await NamesAsync($"?booked_event={galaId}"));
        Assert.Equal(["March", "Both"], await NamesAsync("?booked_since=2026-03-01"));
        Assert.Equal(["Both"], await NamesAsync("?booked_since=2026-03-02"));
        Assert.Equal(["Never", "Feb"], await NamesAsync("?not_booked_since=2026-03-01"));
        Assert.Equal(["Never"], await NamesAsync("?not_booked_since=2026-02-01"));
        Assert.Equal(["March"], await NamesAsync($"?booked_event={galaId}&not_booked_since=2026-03-05"));
        Assert.Equal(["Never", "March", "Feb", "Both"], await NamesAsync("?booked_event=x&booked_since=yesterday"));
    }

    [Fact]
    public void TickedIdsTravelInTheQueryStringUpToTheLimit()
    {
        Assert.Equal([3, 17, 42], CustomerListQueryString.Parse("?ids=3,17,x,42,17", new()).Ids);
        Assert.Null(CustomerListQueryString.Parse("?q=ann", new()).Ids);
        Assert.Equal(CustomerListQueryString.MaxIds,
            CustomerListQueryString.ParseIds(CustomerListQueryString.IdsText(Enumerable.Range(1, 5_000)))!.Count);
    }
}
