using System.Net;
using CustomerAdmin.Data;
using CustomerAdmin.Security;
using CustomerAdmin.Tests.Features.Api;
using Microsoft.EntityFrameworkCore;

namespace CustomerAdmin.Tests.Features.Customers.Api;

/// <summary>
/// The API is one more write path for a blocked customer: a ticket, a sale or a booking created through it is refused with
/// the block named at the customer field, as on the pages (an override is a manager's decision made on a page), and
/// nothing is written. An active customer gets all three.
/// </summary>
public sealed class BlockedCustomerApiTests
{
    [Theory, InlineData(DatabaseProvider.Sqlite), InlineData(DatabaseProvider.Postgres)]
    public async Task ABlockedCustomerGetsNoTicketSaleOrBookingThroughTheApi(DatabaseProvider provider)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var api = await ApiServer.StartAsync(provider);
        var blocked = await api.Data.CustomerAsync("Bo", "Blocked", "+12127365010", with: c => c.Status = CustomerStatus.Blocked);
        var active = await api.Data.CustomerAsync("Ann", "Active", "+12127365011");
        var gala = await api.Data.EventAsync("Gala", DateTime.UtcNow.AddDays(10), capacity: 50);
        var client = await api.ClientAsync(AppRoles.Manager, Permissions.CustomersRead, Permissions.CustomersWrite);

        foreach (var customer in new[] { blocked, active })
        {
            var requests = new (string Path, string Body)[]
            {
                ("api/v1/tickets", $$"""{"customerId":{{customer.Id}},"item":"Laptop","problem":"No power"}"""),
                ("api/v1/sales", $$"""{"customerId":{{customer.Id}},"lines":[{"description":"Cable","quantity":1,"unitPrice":9.99}]}"""),
                ("api/v1/bookings", $$"""{"customerId":{{customer.Id}},"eventId":{{gala.Id}},"seats":2}"""),
            };
            foreach (var (path, body) in requests)
            {
                using var response = await CustomerApiTests.PostAsync(client, path, body, null);
                if (customer == active)
                {
                    Assert.True(response.StatusCode == HttpStatusCode.Created, $"{path}: {response.StatusCode} {await response.Content.ReadAsStringAsync(ct)}");
                    continue;
                }
                Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
                var text = await response.Content.ReadAsStringAsync(ct);
                Assert.Contains("Bo Blocked is blocked", text);
                Assert.Contains("override", text);
            }
        }

        await using var db = api.Server.CreateDbContext();
        Assert.Equal((0, 0, 0), (await db.Tickets.CountAsync(t => t.CustomerId == blocked.Id, ct),
            await db.Sales.CountAsync(s => s.CustomerId == blocked.Id, ct), await db.Bookings.CountAsync(b => b.CustomerId == blocked.Id, ct)));
        Assert.Equal((1, 1, 1), (await db.Tickets.CountAsync(t => t.CustomerId == active.Id, ct),
            await db.Sales.CountAsync(s => s.CustomerId == active.Id, ct), await db.Bookings.CountAsync(b => b.CustomerId == active.Id, ct)));
    }
}
