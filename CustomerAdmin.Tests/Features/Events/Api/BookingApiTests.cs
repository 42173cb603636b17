using System.Net;
using System.Text;
using System.Text.Json;
using CustomerAdmin.Data;
using CustomerAdmin.Security;
using CustomerAdmin.Tests.Features.Api;
using CustomerAdmin.Tests.Features.Customers.Api;
using Microsoft.EntityFrameworkCore;

namespace CustomerAdmin.Tests.Features.Events.Api;

/// <summary>Events and bookings over Kestrel on both databases: the capacity rule, one booking per customer, the confirmation SMS.</summary>
public sealed class BookingApiTests
{
    [Theory, InlineData(DatabaseProvider.Sqlite), InlineData(DatabaseProvider.Postgres)]
    public async Task BookingsKeepToTheCapacityAndTextTheCustomerThroughTheOutbox(DatabaseProvider provider)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var api = await ApiServer.StartAsync(provider);
        var ann = await api.Data.CustomerAsync("Ann", "Lee", with: c => c.SmsOptedIn = true);
        var bo = await api.Data.CustomerAsync("Bo", "Ek", "+12127365001", c => c.SmsOptedIn = true);
        var concert = await api.Data.EventAsync("Jazz Night", DateTime.UtcNow.AddDays(20), capacity: 3);
        for (var i = 0; i < 30; i++) await api.Data.EventAsync($"Talk {i}", DateTime.UtcNow.AddDays(30 + i), capacity: 10);
        var client = await api.ClientAsync(AppRoles.Staff, Permissions.CustomersRead, Permissions.CustomersWrite);

        using var first = await CustomerApiTests.PostAsync(client, "api/v1/bookings", $$"""{"customerId":{{ann.Id}},"eventId":{{concert.Id}},"seats":2}""", "b-1");
        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        var booking = await first.JsonAsync();
        var bookingId = booking.GetProperty("id").GetInt32();
        await using (var db = api.Server.CreateDbContext())
            Assert.Equal(1, await db.SmsMessages.CountAsync(m => m.BookingId == bookingId && m.Kind == SmsKind.BookingConfirmation, ct));

        using var full = await CustomerApiTests.PostAsync(client, "api/v1/bookings", $$"""{"customerId":{{bo.Id}},"eventId":{{concert.Id}},"seats":2}""", null);
        Assert.Contains(full.StatusCode, new[] { HttpStatusCode.BadRequest, HttpStatusCode.Conflict });
        using var twice = await CustomerApiTests.PostAsync(client, "api/v1/bookings", $$"""{"customerId":{{ann.Id}},"eventId":{{concert.Id}},"seats":1}""", null);
        Assert.Equal(HttpStatusCode.Conflict, twice.StatusCode);
        Assert.Equal(bookingId, (await twice.JsonAsync()).GetProperty("existingBookingId").GetInt32());

        var request = new HttpRequestMessage(HttpMethod.Patch, $"api/v1/bookings/{bookingId}") { Content = new StringContent("""{"seats":1}""", Encoding.UTF8, "application/json") };
        request.Headers.TryAddWithoutValidation("If-Match", first.Headers.ETag!.ToString());
        using var fewer = await client.SendAsync(request, ct);
        Assert.Equal(HttpStatusCode.OK, fewer.StatusCode);
        using var fits = await CustomerApiTests.PostAsync(client, "api/v1/bookings", $$"""{"customerId":{{bo.Id}},"eventId":{{concert.Id}},"seats":2}""", null);
        Assert.Equal(HttpStatusCode.Created, fits.StatusCode);

        var ev = await (await client.GetAsync($"api/v1/events/{concert.Id}", ct)).JsonAsync();
        Assert.Equal(3, ev.GetProperty("booked").GetInt32());
        var upcoming = (await (await client.GetAsync("api/v1/events?limit=200", ct)).JsonAsync()).GetProperty("items");
        Assert.Equal(31, upcoming.GetArrayLength());
        Assert.Equal(concert.Id, upcoming[0].GetProperty("id").GetInt32());

        using var deleted = await client.DeleteAsync($"api/v1/bookings/{bookingId}", ct);
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        using var gone = await client.GetAsync($"api/v1/bookings/{bookingId}", ct);
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);

        // The SMS log reads what the bookings wrote, newest first.
        var log = await (await client.GetAsync($"api/v1/sms?customer={bo.Id}", ct)).JsonAsync();
        Assert.Contains(log.GetProperty("items").EnumerateArray(), m => m.GetProperty("kind").GetString() == nameof(SmsKind.BookingConfirmation));
    }

    [Theory, InlineData(DatabaseProvider.Sqlite), InlineData(DatabaseProvider.Postgres)]
    public async Task PatchKeepsWhatItLeavesOutAndClearsWhatItSendsAsNull(DatabaseProvider provider)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var api = await ApiServer.StartAsync(provider);
        var customers = await api.Data.ManyCustomersAsync(200);
        var concert = await api.Data.EventAsync("Jazz Night", DateTime.UtcNow.AddDays(20), capacity: 500);
        foreach (var c in customers.Skip(1)) await api.Data.BookingAsync(c.Id, concert.Id, 1, b => b.Notes = "aisle");
        var booking = await api.Data.BookingAsync(customers[0].Id, concert.Id, 2, b => b.Notes = "wheelchair space");
        var client = await api.ClientAsync(AppRoles.Staff, Permissions.CustomersRead, Permissions.CustomersWrite);
        var url = $"api/v1/bookings/{booking.Id}";
        var etag = (await client.GetAsync(url, ct)).Headers.ETag!.ToString();

        // Notes left out: kept.
        using var seats = await PatchAsync(client, url, """{"seats":3}""", etag);
        Assert.Equal(HttpStatusCode.OK, seats.StatusCode);
        var body = await seats.JsonAsync();
        Assert.Equal((3, "wheelchair space"), (body.GetProperty("seats").GetInt32(), body.GetProperty("notes").GetString()));

        // Seats cannot be cleared; nothing is changed by the refused patch.
        using var noSeats = await PatchAsync(client, url, """{"seats":null,"notes":null}""", seats.Headers.ETag!.ToString());
        Assert.Equal(HttpStatusCode.BadRequest, noSeats.StatusCode);
        Assert.True((await noSeats.JsonAsync()).GetProperty("errors").TryGetProperty("seats", out _));

        // Notes sent as null: cleared; seats left out: kept.
        using var cleared = await PatchAsync(client, url, """{"notes":null}""", seats.Headers.ETag!.ToString());
        Assert.Equal(HttpStatusCode.OK, cleared.StatusCode);
        body = await cleared.JsonAsync();
        Assert.Equal(3, body.GetProperty("seats").GetInt32());
        Assert.Equal(JsonValueKind.Null, body.GetProperty("notes").ValueKind);

        await using var db = api.Server.CreateDbContext();
        var stored = await db.Bookings.SingleAsync(b => b.Id == booking.Id, ct);
        Assert.Equal((3, (string?)null), (stored.Seats, stored.Notes));
        // The other bookings are untouched.
        Assert.Equal(199, await db.Bookings.CountAsync(b => b.Notes == "aisle", ct));
    }

    private static Task<HttpResponseMessage> PatchAsync(HttpClient client, string url, string json, string etag)
    {
        var request = new HttpRequestMessage(HttpMethod.Patch, url) { Content = new StringContent(json, Encoding.UTF8, "application/merge-patch+json") };
        request.Headers.TryAddWithoutValidation("If-Match", etag);
        return client.SendAsync(request, TestContext.Current.CancellationToken);
    }
}
