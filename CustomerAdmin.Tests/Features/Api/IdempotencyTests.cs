using System.Net;
using System.Text;
using CustomerAdmin.Data;
using CustomerAdmin.Features.Api;
using CustomerAdmin.Features.Customers;
using CustomerAdmin.Security;
using CustomerAdmin.Tests.Features.Customers.Api;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CustomerAdmin.Tests.Features.Api;

/// <summary><c>Idempotency-Key</c> on creates over Kestrel on both databases: copies sent at once, and a crash between the create and its kept answer.</summary>
public sealed class IdempotencyTests
{
    private const string Body = """{"firstName":"Maria","lastName":"Lopez","primaryPhone":"(212) 736-5011"}""";

    [Theory, InlineData(DatabaseProvider.Sqlite), InlineData(DatabaseProvider.Postgres)]
    public async Task CopiesOfOneCreateSentAtOnceMakeOneRow(DatabaseProvider provider)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var api = await ApiServer.StartAsync(provider);
        await api.Data.ManyCustomersAsync(200);
        var client = await api.ClientAsync(AppRoles.Staff, Permissions.CustomersRead, Permissions.CustomersWrite);

        for (var round = 0; round < 5; round++)
        {
            var body = Body.Replace("5011", $"50{20 + round}");
            var answers = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => CustomerApiTests.PostAsync(client, "api/v1/customers", body, $"same-{round}")));
            // Each copy either made the customer, gave that answer again, or was told the first one still runs.
            Assert.All(answers, a => Assert.Contains(a.StatusCode, new[] { HttpStatusCode.Created, HttpStatusCode.Conflict }));
            var ids = new HashSet<int>();
            foreach (var a in answers.Where(a => a.StatusCode == HttpStatusCode.Created)) ids.Add((await a.JsonAsync()).GetProperty("id").GetInt32());
            foreach (var a in answers.Where(a => a.StatusCode == HttpStatusCode.Conflict))
                Assert.Contains("still running", (await a.JsonAsync()).GetProperty("title").GetString());
            // The retry after the 409 gets the first answer.
            using var retry = await CustomerApiTests.PostAsync(client, "api/v1/customers", body, $"same-{round}");
            Assert.Equal(HttpStatusCode.Created, retry.StatusCode);
            ids.Add((await retry.JsonAsync()).GetProperty("id").GetInt32());
            Assert.Single(ids);
            foreach (var a in answers) a.Dispose();
        }
        await using var db = api.Server.CreateDbContext();
        Assert.Equal(205, await db.Customers.CountAsync(ct));
    }

    [Theory, InlineData(DatabaseProvider.Sqlite), InlineData(DatabaseProvider.Postgres)]
    public async Task ACreateThatCommittedBeforeTheProcessDiedIsAnsweredNotMadeAgain(DatabaseProvider provider)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var api = await ApiServer.StartAsync(provider);
        await api.Data.ManyCustomersAsync(200);
        var token = await api.TokenAsync(AppRoles.Staff, Permissions.CustomersRead, Permissions.CustomersWrite);
        var services = api.Server.Services;

        // The first request: its key claimed and the customer created as the endpoint does, then the process dies
        // before the answer is kept (the request's own filter never completes).
        var claim = await services.GetRequiredService<IdempotencyOperations>().ClaimAsync(token.Token.Id, "crash-1",
            Idempotency.RequestHash("POST", "/api/v1/customers", Encoding.UTF8.GetBytes(Body)), ct);
        var started = Assert.IsType<IdempotencyClaim.Started>(claim);
        var create = services.GetRequiredService<EndpointDataSource>().Endpoints
            .Single(e => e.Metadata.GetMetadata<IEndpointNameMetadata>()?.EndpointName == "createCustomer").Metadata.GetRequiredMetadata<IdempotentCreate>();
        Customer created;
        IdempotencyKeeper.Current = new IdempotentWrite(started.Id, create);
        try
        {
            created = await services.GetRequiredService<CustomerOperations>().CreateAsync(
                new Customer { Type = CustomerType.Individual, FirstName = "Maria", LastName = "Lopez", PrimaryPhone = "+12127365011", Country = "US" }, ct: ct);
        }
        finally
        {
            IdempotencyKeeper.Current = null;
        }

        // The client retries: it gets the customer that was made, as a create's answer, and no second one is made.
        using var retry = await CustomerApiTests.PostAsync(api.Client(token.Secret), "api/v1/customers", Body, "crash-1");
        Assert.Equal(HttpStatusCode.Created, retry.StatusCode);
        Assert.Equal($"/api/v1/customers/{created.Id}", retry.Headers.Location?.OriginalString);
        Assert.Equal($"\"{created.Version}\"", retry.Headers.ETag?.ToString());
        var answer = await retry.JsonAsync();
        Assert.Equal(created.Id, answer.GetProperty("id").GetInt32());
        Assert.Equal("+12127365011", answer.GetProperty("primaryPhone").GetString());
        await using var db = api.Server.CreateDbContext();
        Assert.Equal(1, await db.Customers.CountAsync(c => c.LastName == "Lopez", ct));

        // A create that failed (refused by a rule) leaves its key free: the mark rolled back with it.
        using var refused = await CustomerApiTests.PostAsync(api.Client(token.Secret), "api/v1/customers",
            Body.Replace("Maria", "Marta"), "crash-2");
        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        Assert.False(await db.ApiIdempotencyKeys.AnyAsync(k => k.Key == "crash-2", ct));
    }
}
