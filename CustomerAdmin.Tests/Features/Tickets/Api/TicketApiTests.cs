using System.Net;
using System.Text;
using CustomerAdmin.Data;
using CustomerAdmin.Security;
using CustomerAdmin.Tests.Features.Api;
using CustomerAdmin.Tests.Features.Customers.Api;
using Microsoft.EntityFrameworkCore;

namespace CustomerAdmin.Tests.Features.Tickets.Api;

/// <summary><c>/api/v1/tickets</c> over Kestrel on both databases: create, list by customer and status, the workflow's moves.</summary>
public sealed class TicketApiTests
{
    [Theory, InlineData(DatabaseProvider.Sqlite), InlineData(DatabaseProvider.Postgres)]
    public async Task ATicketMovesThroughTheWorkflowAndItsCloseMovesTheCustomersFigures(DatabaseProvider provider)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var api = await ApiServer.StartAsync(provider);
        var customer = await api.Data.CustomerAsync("Ann", "Lee", with: c => c.SmsOptedIn = true);
        var other = await api.Data.CustomerAsync("Bo", "Ek", "+12127365001");
        for (var i = 0; i < 120; i++) await api.Data.TicketAsync(i % 3 == 0 ? customer.Id : other.Id);
        var client = await api.ClientAsync(AppRoles.Staff, Permissions.CustomersRead, Permissions.CustomersWrite);

        using var created = await CustomerApiTests.PostAsync(client, "api/v1/tickets",
            $$"""{"customerId":{{customer.Id}},"item":"Laptop","problem":"No power","quotedAmount":80}""", "t-1");
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var ticket = await created.JsonAsync();
        var id = ticket.GetProperty("id").GetInt32();
        Assert.Equal("Open", ticket.GetProperty("status").GetString());
        using (var again = await CustomerApiTests.PostAsync(client, "api/v1/tickets",
                   $$"""{"customerId":{{customer.Id}},"item":"Laptop","problem":"No power","quotedAmount":80}""", "t-1"))
            Assert.Equal(ticket.GetProperty("number").GetString(), (await again.JsonAsync()).GetProperty("number").GetString());

        // The customer's open tickets, newest first, paged.
        var seen = new List<int>();
        string? cursor = null;
        do
        {
            var page = await (await client.GetAsync($"api/v1/tickets?customer={customer.Id}&status=active&limit=15{(cursor is null ? "" : "&cursor=" + cursor)}", ct)).JsonAsync();
            seen.AddRange(page.GetProperty("items").EnumerateArray().Select(t => t.GetProperty("id").GetInt32()));
            cursor = page.GetProperty("nextCursor").GetString();
        }
        while (cursor is not null);
        Assert.Equal(41, seen.Count);
        Assert.Equal(id, seen[0]);
        Assert.Equal(seen.OrderDescending(), seen);

        var etag = (await client.GetAsync($"api/v1/tickets/{id}", ct)).Headers.ETag!.ToString();
        using var noAmount = await MoveAsync(client, id, """{"status":"Closed"}""", etag);
        Assert.Equal(HttpStatusCode.BadRequest, noAmount.StatusCode);
        Assert.True((await noAmount.JsonAsync()).GetProperty("errors").TryGetProperty("finalAmount", out _));
        using var textWithoutRight = await MoveAsync(client, id, """{"status":"Ready","textCustomer":true}""", etag);
        Assert.Equal(HttpStatusCode.Forbidden, textWithoutRight.StatusCode);
        using var closed = await MoveAsync(client, id, """{"status":"Closed","finalAmount":95.5}""", etag);
        Assert.Equal(HttpStatusCode.OK, closed.StatusCode);
        Assert.Equal(95.5m, (await closed.JsonAsync()).GetProperty("finalAmount").GetDecimal());
        using var stale = await MoveAsync(client, id, """{"status":"Ready"}""", etag);
        Assert.Equal(HttpStatusCode.PreconditionFailed, stale.StatusCode);
        using var refused = await MoveAsync(client, id, """{"status":"Ready"}""", closed.Headers.ETag!.ToString());
        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);

        var read = await (await client.GetAsync($"api/v1/customers/{customer.Id}", ct)).JsonAsync();
        Assert.Equal(95.5m, read.GetProperty("stats").GetProperty("totalSpent").GetDecimal());

        // Texting on a move to Ready goes through the outbox, with the sms.send scope.
        var texter = await api.ClientAsync(AppRoles.Staff, Permissions.CustomersRead, Permissions.CustomersWrite, Permissions.SmsSend);
        var second = seen[1];
        var secondTag = (await texter.GetAsync($"api/v1/tickets/{second}", ct)).Headers.ETag!.ToString();
        using var ready = await MoveAsync(texter, second, """{"status":"Ready","textCustomer":true}""", secondTag);
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        await using var db = api.Server.CreateDbContext();
        Assert.Equal(1, await db.SmsMessages.CountAsync(m => m.TicketId == second, ct));

        using var unknownField = await CustomerApiTests.PostAsync(client, "api/v1/tickets", $$"""{"customerId":{{customer.Id}},"problem":"x","item":"y","status":"Closed"}""", null);
        Assert.Equal(HttpStatusCode.BadRequest, unknownField.StatusCode);
    }

    private static Task<HttpResponseMessage> MoveAsync(HttpClient client, int id, string json, string etag)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"api/v1/tickets/{id}/status") { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        request.Headers.TryAddWithoutValidation("If-Match", etag);
        return client.SendAsync(request, TestContext.Current.CancellationToken);
    }
}
