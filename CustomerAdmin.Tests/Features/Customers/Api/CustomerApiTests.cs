using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using CustomerAdmin.Common;
using CustomerAdmin.Data;
using CustomerAdmin.Features.Customers;
using CustomerAdmin.Features.Customers.Search;
using CustomerAdmin.Security;
using CustomerAdmin.Tests.Features.Api;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CustomerAdmin.Tests.Features.Customers.Api;

/// <summary><c>/api/v1/customers</c> over Kestrel on both databases, at list sizes of hundreds of rows.</summary>
public sealed class CustomerApiTests
{
    private static readonly string[] Cities = ["Boston", "Albany", "Zurich", "Denver", "Austin"];

    [Theory, InlineData(DatabaseProvider.Sqlite), InlineData(DatabaseProvider.Postgres)]
    public async Task EverySortPagesThroughTheListInTheListPagesOrder(DatabaseProvider provider)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var api = await ApiServer.StartAsync(provider);
        await api.Data.ManyCustomersAsync(300, (i, c) =>
        {
            c.City = Cities[i % Cities.Length];
            // Names repeat, so the later keys break ties.
            c.LastName = $"Name{i % 40:D2}";
            if (i % 7 == 0) c.DisplayName = $"Shop {i % 11}";
        });
        var client = await api.ClientAsync(AppRoles.Staff, Permissions.CustomersRead);
        var phones = api.Server.Services.GetRequiredService<PhoneNormalizer>();

        foreach (var sort in Enum.GetValues<CustomerSort>())
            foreach (var desc in new[] { false, true })
            {
                var ids = await PageThroughAsync(client, $"sort={sort}&desc={desc}&limit=70");
                await using var db = api.Server.CreateDbContext();
                var expected = await db.Filtered(new CustomerListFilter(), phones).Sorted(sort, desc).Select(c => c.Id).ToListAsync(ct);
                Assert.True(expected.SequenceEqual(ids), $"{sort} desc={desc}: the API's pages differ from the list page's order");
            }

        // A filter means what it means on the page.
        var boston = await PageThroughAsync(client, "city=Boston&sort=City&limit=25");
        Assert.Equal(60, boston.Count);
        await using (var db = api.Server.CreateDbContext())
            Assert.All(await db.Customers.Where(c => boston.Contains(c.Id)).Select(c => c.City).ToListAsync(ct), c => Assert.Equal("Boston", c));
    }

    [Theory, InlineData(DatabaseProvider.Sqlite), InlineData(DatabaseProvider.Postgres)]
    public async Task CityOrderIgnoresCaseAndAccentsPutsMissingCitiesLastAndIsTheSameOnBothDatabases(DatabaseProvider provider)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var api = await ApiServer.StartAsync(provider);
        await CitySortCases.AddAsync(api.Data);
        var client = await api.ClientAsync(AppRoles.Staff, Permissions.CustomersRead);

        // Two rows a page: every cursor lands inside a city, on a tie of names or at the customers without a city.
        Assert.Equal(CitySortCases.Ascending, await FirstNamesAsync(client, "sort=City&limit=2"));
        Assert.Equal(CitySortCases.Descending, await FirstNamesAsync(client, "sort=City&desc=true&limit=2"));
        Assert.Equal(CitySortCases.Ascending, await FirstNamesAsync(client, "sort=City&limit=200"));

        // A customer added after the client's place (no city) shows up; one added before it (a city sorting first) does
        // not; nobody is given twice or skipped.
        var seen = new List<string>();
        string? cursor = null;
        var page = 0;
        do
        {
            var body = await (await client.GetAsync($"api/v1/customers?sort=City&limit=3{(cursor is null ? "" : "&cursor=" + cursor)}", ct)).JsonAsync();
            seen.AddRange(body.GetProperty("items").EnumerateArray().Select(FirstName));
            cursor = body.GetProperty("nextCursor").GetString();
            if (++page == 2)
            {
                await api.Data.CustomerAsync("Abe", "Aaa", "+16175559001", c => c.City = "AACHEN");
                await api.Data.CustomerAsync("Zed", "Zzz", "+16175559002", c => c.City = null);
            }
        }
        while (cursor is not null);
        Assert.Equal([.. CitySortCases.Ascending, "Zed"], seen);
    }

    [Theory, InlineData(DatabaseProvider.Sqlite), InlineData(DatabaseProvider.Postgres)]
    public async Task CustomersFromBeforeTheCityKeyAreGivenTheirKeysAtStartUp(DatabaseProvider provider)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var api = await ApiServer.StartAsync(provider, async database =>
        {
            await CitySortCases.AddAsync(database.Data);
            // As the migration leaves the rows of an existing database.
            await using var db = database.CreateDbContext();
            await db.Customers.ExecuteUpdateAsync(s => s.SetProperty(c => c.CityKey, ""), ct);
        });

        await using (var db = api.Server.CreateDbContext())
            Assert.All(await db.Customers.ToListAsync(ct), c => Assert.Equal(CustomerSearchIndex.CityKeyFor(c.City), c.CityKey));
        var client = await api.ClientAsync(AppRoles.Staff, Permissions.CustomersRead);
        Assert.Equal(CitySortCases.Ascending, await FirstNamesAsync(client, "sort=City&limit=5"));
    }

    private static string FirstName(JsonElement row) => row.GetProperty("name").GetString()!.Split(' ')[0];

    private static async Task<List<string>> FirstNamesAsync(HttpClient client, string query)
    {
        var names = new List<string>();
        string? cursor = null;
        do
        {
            using var response = await client.GetAsync($"api/v1/customers?{query}{(cursor is null ? "" : "&cursor=" + cursor)}",
                TestContext.Current.CancellationToken);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var body = await response.JsonAsync();
            names.AddRange(body.GetProperty("items").EnumerateArray().Select(FirstName));
            cursor = body.GetProperty("nextCursor").GetString();
        }
        while (cursor is not null);
        return names;
    }

    [Theory, InlineData(DatabaseProvider.Sqlite), InlineData(DatabaseProvider.Postgres)]
    public async Task PagesStayStableWhileCustomersAreAdded(DatabaseProvider provider)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var api = await ApiServer.StartAsync(provider);
        var original = (await api.Data.ManyCustomersAsync(250)).Select(c => c.Id).ToHashSet();
        var client = await api.ClientAsync(AppRoles.Staff, Permissions.CustomersRead);

        var seen = new List<int>();
        string? cursor = null;
        var page = 0;
        do
        {
            var body = await (await client.GetAsync($"api/v1/customers?limit=50{(cursor is null ? "" : "&cursor=" + cursor)}", ct)).JsonAsync();
            seen.AddRange(body.GetProperty("items").EnumerateArray().Select(r => r.GetProperty("id").GetInt32()));
            cursor = body.GetProperty("nextCursor").GetString();
            // Someone adds customers between the pages, sorting before and after where the client is.
            if (++page == 2)
                for (var i = 0; i < 30; i++)
                    await api.Data.CustomerAsync(i % 2 == 0 ? "Aaron" : "Zoe", i % 2 == 0 ? $"Aaa{i}" : $"Zzz{i}", $"+1617{i:D7}");
        }
        while (cursor is not null);

        Assert.Equal(seen.Count, seen.Distinct().Count());
        Assert.Subset(seen.ToHashSet(), original);
        Assert.Equal(15, seen.Count(id => !original.Contains(id)));

        using var tooMany = await client.GetAsync("api/v1/customers?limit=201", ct);
        Assert.Equal(HttpStatusCode.BadRequest, tooMany.StatusCode);
        Assert.True((await tooMany.JsonAsync()).GetProperty("errors").TryGetProperty("limit", out _));
        using var foreign = await client.GetAsync("api/v1/customers?sort=City&cursor=" + Uri.EscapeDataString("bm9wZQ"), ct);
        Assert.Equal(HttpStatusCode.BadRequest, foreign.StatusCode);
    }

    [Theory, InlineData(DatabaseProvider.Sqlite), InlineData(DatabaseProvider.Postgres)]
    public async Task CreateTakesTheFormsDefaultsAndAnIdempotencyKeyMakesOneRow(DatabaseProvider provider)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var api = await ApiServer.StartAsync(provider);
        var token = await api.TokenAsync(AppRoles.Staff, Permissions.CustomersRead, Permissions.CustomersWrite);
        var client = api.Client(token.Secret);
        const string body = """{"firstName":"Maria","lastName":"Lopez","primaryPhone":"(212) 736-5011","email":"maria@example.com"}""";

        using var first = await PostAsync(client, "api/v1/customers", body, "key-1");
        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        var created = await first.JsonAsync();
        var id = created.GetProperty("id").GetInt32();
        Assert.Equal($"/api/v1/customers/{id}", first.Headers.Location?.OriginalString);
        Assert.Equal("+12127365011", created.GetProperty("primaryPhone").GetString());
        Assert.Equal("Individual", created.GetProperty("type").GetString());
        Assert.Equal("US", created.GetProperty("country").GetString());
        Assert.Equal("Standard", created.GetProperty("tier").GetString());
        // Made as the token's owner: their name is on the record and its history.
        await using (var db = api.Server.CreateDbContext())
            Assert.Equal((await db.Users.SingleAsync(u => u.Id == token.Token.UserId, ct)).UserName, db.Customers.Single(c => c.Id == id).CreatedBy);

        // A retry after a lost answer: the same answer, no second customer.
        using var again = await PostAsync(client, "api/v1/customers", body, "key-1");
        Assert.Equal(HttpStatusCode.Created, again.StatusCode);
        Assert.Equal(await first.Content.ReadAsStringAsync(ct), await again.Content.ReadAsStringAsync(ct));
        Assert.Equal(first.Headers.Location, again.Headers.Location);
        // The same key for another request is a client's mistake.
        using var other = await PostAsync(client, "api/v1/customers", body.Replace("Maria", "Marta"), "key-1");
        Assert.Equal(HttpStatusCode.UnprocessableEntity, other.StatusCode);
        await using (var db = api.Server.CreateDbContext())
            Assert.Equal(1, await db.Customers.CountAsync(ct));

        // Without a key, the same body is a second request: refused by the phone rule, with the customer who has it.
        using var duplicate = await PostAsync(client, "api/v1/customers", body, null);
        Assert.Equal(HttpStatusCode.Conflict, duplicate.StatusCode);
        Assert.Equal(id, (await duplicate.JsonAsync()).GetProperty("existingCustomerId").GetInt32());

        // Field errors at the fields, named as in the JSON; fields that are not the form's are refused, never written.
        using var invalid = await PostAsync(client, "api/v1/customers",
            """{"firstName":"Bo","primaryPhone":"12","email":"nope","totalSpent":1000,"status":"Blocked","tier":"Gold"}""", null);
        Assert.Equal(HttpStatusCode.BadRequest, invalid.StatusCode);
        var errors = (await invalid.JsonAsync()).GetProperty("errors");
        foreach (var field in new[] { "primaryPhone", "email", "totalSpent", "status", "tier" })
            Assert.True(errors.TryGetProperty(field, out _), $"no error for {field}: {errors}");
        // A failed create frees its key for the corrected request.
        using var fixedUp = await PostAsync(client, "api/v1/customers", """{"firstName":"Bo","lastName":"Ek","primaryPhone":"+12127365012"}""", "key-2");
        Assert.Equal(HttpStatusCode.Created, fixedUp.StatusCode);
    }

    [Theory, InlineData(DatabaseProvider.Sqlite), InlineData(DatabaseProvider.Postgres)]
    public async Task GetShowsTheStatisticsTheCustomerPageAndTheExportShow(DatabaseProvider provider)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var api = await ApiServer.StartAsync(provider);
        var day = new DateTime(2026, 3, 10, 12, 0, 0, DateTimeKind.Utc);
        Customer ann, bo;
        await using (var db = api.Server.CreateDbContext())
        {
            var data = new TestData.Batch(db);
            ann = data.Customer("Ann", "Lee", day.AddDays(-100));
            bo = data.Customer("Bo", "Ek", day.AddDays(-90));
            data.Ticket(ann, day.AddDays(-50), TicketStatus.Closed, day.AddDays(-40), 100.10m);
            data.Ticket(ann, day.AddDays(-30), TicketStatus.Closed, day.AddDays(-20), 50m);
            data.Ticket(ann, day.AddDays(-10), TicketStatus.Cancelled);
            data.Ticket(ann, day.AddDays(-5));
            data.Ticket(bo, day.AddDays(-7));
            data.Sale(ann, day.AddDays(-3), 9.99m);
            data.Booking(ann, data.Event("Concert", day.AddDays(20), 100), 2, day.AddDays(-1));
            await db.SaveChangesAsync(ct);
        }
        var client = await api.ClientAsync(AppRoles.Staff, Permissions.CustomersRead);

        using var read = await client.GetAsync($"api/v1/customers/{ann.Id}", ct);
        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        var shown = (await read.JsonAsync()).GetProperty("stats").Deserialize<CustomerStats>(ApiServer.Json)!;
        Assert.Equal((4, 1, 2, 1, 1, 1), (shown.Tickets, shown.OpenTickets, shown.ClosedTickets, shown.CancelledTickets, shown.Sales, shown.Bookings));
        Assert.Equal((75.05m, 160.09m, day.AddDays(-1)), (shown.AverageTicketValue, shown.LifetimeValue, shown.LastActivityAt));

        // The customer page and the export (a batch of several customers) compute the same figures.
        await using var check = api.Server.CreateDbContext();
        var stored = await check.Customers.AsNoTracking().SingleAsync(c => c.Id == ann.Id, ct);
        Assert.Equal(await check.StatsAsync(stored, ct), shown);
        Assert.Equal(CustomerStats.Compute(stored, (await check.TotalsAsync([bo.Id, ann.Id], ct))[ann.Id]), shown);
        using var other = await client.GetAsync($"api/v1/customers/{bo.Id}", ct);
        Assert.Equal(1, (await other.JsonAsync()).GetProperty("stats").GetProperty("openTickets").GetInt32());
    }

    [Theory, InlineData(DatabaseProvider.Sqlite), InlineData(DatabaseProvider.Postgres)]
    public async Task PatchChangesOnlyTheFieldsSentAndNeedsTheCurrentETag(DatabaseProvider provider)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var api = await ApiServer.StartAsync(provider);
        var customer = await api.Data.CustomerAsync("Ann", "Lee", with: c => { c.Email = "ann@example.com"; c.Notes = "keeps"; });
        var client = await api.ClientAsync(AppRoles.Staff, Permissions.CustomersRead, Permissions.CustomersWrite);
        var url = $"api/v1/customers/{customer.Id}";

        using var read = await client.GetAsync(url, ct);
        var etag = read.Headers.ETag!.ToString();
        Assert.Equal(0, (await read.JsonAsync()).GetProperty("stats").GetProperty("openTickets").GetInt32());

        using var withoutPrecondition = await PatchAsync(client, url, """{"city":"Denver"}""", null);
        Assert.Equal(HttpStatusCode.PreconditionRequired, withoutPrecondition.StatusCode);

        using var changed = await PatchAsync(client, url, """{"city":"Denver","email":null}""", etag);
        Assert.Equal(HttpStatusCode.OK, changed.StatusCode);
        var body = await changed.JsonAsync();
        Assert.Equal("Denver", body.GetProperty("city").GetString());
        Assert.Equal(JsonValueKind.Null, body.GetProperty("email").ValueKind);
        Assert.Equal("keeps", body.GetProperty("notes").GetString());
        Assert.Equal("Ann", body.GetProperty("firstName").GetString());
        Assert.NotEqual(etag, changed.Headers.ETag!.ToString());

        // The old ETag is stale now: nothing is overwritten unseen.
        using var stale = await PatchAsync(client, url, """{"city":"Austin"}""", etag);
        Assert.Equal(HttpStatusCode.PreconditionFailed, stale.StatusCode);
        using var invalid = await PatchAsync(client, url, """{"primaryPhone":"123","version":99}""", changed.Headers.ETag!.ToString());
        Assert.Equal(HttpStatusCode.BadRequest, invalid.StatusCode);
        var errors = (await invalid.JsonAsync()).GetProperty("errors");
        Assert.True(errors.TryGetProperty("primaryPhone", out _));
        Assert.True(errors.TryGetProperty("version", out _));

        await using var db = api.Server.CreateDbContext();
        var stored = await db.Customers.SingleAsync(c => c.Id == customer.Id, ct);
        Assert.Equal(("Denver", (string?)null, "+12127365000"), (stored.City, stored.Email, stored.PrimaryPhone));
        // The change is in the field history like an edit in the form.
        Assert.Contains(await db.CustomerChanges.Where(c => c.CustomerId == customer.Id).ToListAsync(ct),
            c => c.Field == nameof(Customer.City) && c.NewValue == "Denver");
        var history = await (await client.GetAsync($"{url}/history", ct)).JsonAsync();
        Assert.Contains(history.GetProperty("items").EnumerateArray(), c => c.GetProperty("field").GetString() == "City");
    }

    [Theory, InlineData(DatabaseProvider.Sqlite), InlineData(DatabaseProvider.Postgres)]
    public async Task DeleteHasTheFormsGuardsAndRestoreBringsTheCustomerBack(DatabaseProvider provider)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var api = await ApiServer.StartAsync(provider);
        var customer = await api.Data.CustomerAsync("Ann", "Lee");
        var ticket = await api.Data.TicketAsync(customer.Id);
        var manager = await api.ClientAsync(AppRoles.Manager, Permissions.CustomersRead, Permissions.CustomersDelete);
        var admin = await api.ClientAsync(AppRoles.Admin, Permissions.CustomersRestore);
        var url = $"api/v1/customers/{customer.Id}";

        using var refused = await manager.DeleteAsync(url, ct);
        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        Assert.Contains(ticket.Number, (await refused.JsonAsync()).GetProperty("detail").GetString());

        await CustomerAdmin.Features.Tickets.TicketOperations.ChangeStatusAsync(api.Database.Factory, ticket.Id, ticket.Version,
            TicketStatus.Cancelled, null, TimeProvider.System, ct: ct);
        using var deleted = await manager.DeleteAsync(url, ct);
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        var list = await (await manager.GetAsync("api/v1/customers", ct)).JsonAsync();
        Assert.Empty(list.GetProperty("items").EnumerateArray());

        using var forbidden = await manager.PostAsync($"{url}/restore", null, ct);
        Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);
        using var restored = await admin.PostAsync($"{url}/restore", null, ct);
        Assert.Equal(HttpStatusCode.OK, restored.StatusCode);
        Assert.Equal("Active", (await restored.JsonAsync()).GetProperty("status").GetString());
        using var notDeleted = await admin.PostAsync($"{url}/restore", null, ct);
        Assert.Equal(HttpStatusCode.Conflict, notDeleted.StatusCode);

        var timeline = await (await manager.GetAsync($"{url}/timeline", ct)).JsonAsync();
        Assert.True(timeline.GetProperty("total").GetInt32() >= 0);
        var suggestions = await (await manager.GetAsync("api/v1/customers/suggestions?q=lee", ct)).JsonAsync();
        Assert.Equal(customer.Id, suggestions.EnumerateArray().Single().GetProperty("id").GetInt32());
        using var missing = await manager.GetAsync("api/v1/customers/999999", ct);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal("application/problem+json", missing.ProblemType());
    }

    private static async Task<List<int>> PageThroughAsync(HttpClient client, string query)
    {
        var ids = new List<int>();
        string? cursor = null;
        do
        {
            using var response = await client.GetAsync($"api/v1/customers?{query}{(cursor is null ? "" : "&cursor=" + cursor)}",
                TestContext.Current.CancellationToken);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var body = await response.JsonAsync();
            ids.AddRange(body.GetProperty("items").EnumerateArray().Select(r => r.GetProperty("id").GetInt32()));
            cursor = body.GetProperty("nextCursor").GetString();
        }
        while (cursor is not null);
        return ids;
    }

    public static Task<HttpResponseMessage> PostAsync(HttpClient client, string url, string json, string? idempotencyKey)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        if (idempotencyKey is not null) request.Headers.Add("Idempotency-Key", idempotencyKey);
        return client.SendAsync(request, TestContext.Current.CancellationToken);
    }

    private static Task<HttpResponseMessage> PatchAsync(HttpClient client, string url, string json, string? etag)
    {
        var request = new HttpRequestMessage(HttpMethod.Patch, url) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        if (etag is not null) request.Headers.TryAddWithoutValidation("If-Match", etag);
        return client.SendAsync(request, TestContext.Current.CancellationToken);
    }
}
