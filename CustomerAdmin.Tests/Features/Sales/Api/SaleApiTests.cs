using System.Net;
using CustomerAdmin.Data;
using CustomerAdmin.Security;
using CustomerAdmin.Tests.Features.Api;
using CustomerAdmin.Tests.Features.Customers.Api;

namespace CustomerAdmin.Tests.Features.Sales.Api;

/// <summary><c>/api/v1/sales</c> over Kestrel on both databases: the checkout's rules, and a sale moves the customer's figures.</summary>
public sealed class SaleApiTests
{
    [Theory, InlineData(DatabaseProvider.Sqlite), InlineData(DatabaseProvider.Postgres)]
    public async Task ASaleIsTheSumOfItsLinesAndCountsForTheCustomer(DatabaseProvider provider)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var api = await ApiServer.StartAsync(provider);
        var customer = await api.Data.CustomerAsync();
        var client = await api.ClientAsync(AppRoles.Staff, Permissions.CustomersRead, Permissions.CustomersWrite);

        using var invalid = await CustomerApiTests.PostAsync(client, "api/v1/sales",
            $$"""{"customerId":{{customer.Id}},"lines":[{"description":"Cable","quantity":2,"unitPrice":-1}]}""", null);
        Assert.Equal(HttpStatusCode.BadRequest, invalid.StatusCode);
        Assert.True((await invalid.JsonAsync()).GetProperty("errors").TryGetProperty("lines[0]", out _));

        const string body = """{"customerId":CID,"lines":[{"description":"Cable","quantity":2,"unitPrice":9.99},{"description":"Case","unitPrice":15}]}""";
        using var created = await CustomerApiTests.PostAsync(client, "api/v1/sales", body.Replace("CID", customer.Id.ToString()), "s-1");
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var sale = await created.JsonAsync();
        Assert.Equal(34.98m, sale.GetProperty("total").GetDecimal());
        using var replay = await CustomerApiTests.PostAsync(client, "api/v1/sales", body.Replace("CID", customer.Id.ToString()), "s-1");
        Assert.Equal(sale.GetProperty("id").GetInt32(), (await replay.JsonAsync()).GetProperty("id").GetInt32());

        var read = await (await client.GetAsync($"api/v1/sales/{sale.GetProperty("id").GetInt32()}", ct)).JsonAsync();
        Assert.Equal(2, read.GetProperty("lines").GetArrayLength());
        var stats = (await (await client.GetAsync($"api/v1/customers/{customer.Id}", ct)).JsonAsync()).GetProperty("stats");
        Assert.Equal(34.98m, stats.GetProperty("totalSpent").GetDecimal());
        Assert.Equal(1, stats.GetProperty("sales").GetInt32());
    }
}
