using Bunit;
using CustomerAdmin.Common;
using CustomerAdmin.Data;
using CustomerAdmin.Features.Customers.History;
using CustomerAdmin.Features.Sales;

namespace CustomerAdmin.Tests.Common;

/// <summary>
/// Times on pages are the venue's wall-clock times (here New York), never the server's zone (UTC on this machine and
/// on most servers): a change made at 03:30 UTC on 1 March happened at 22:30 on 28 February at the venue.
/// </summary>
public sealed class VenueTimeComponentTests : AppComponentTest
{
    private static readonly DateTime LateEvening = new(2026, 3, 1, 3, 30, 0, DateTimeKind.Utc);

    [Fact]
    public async Task HistoryShowsWhenInVenueTimeAndSaysWhichZone()
    {
        var ct = Xunit.TestContext.Current.CancellationToken;
        int id;
        await using (var db = Db.CreateDbContext())
        {
            var customer = TestCustomers.Individual("Ana", "Silva", "+16175550101");
            db.Customers.Add(customer);
            await db.SaveChangesAsync(ct);
            id = customer.Id;
            db.CustomerChanges.Add(new CustomerChange { CustomerId = id, Field = nameof(Customer.City), OldValue = "Boston", NewValue = "Salem", ChangedAt = LateEvening, ChangedBy = "staff" });
            await db.SaveChangesAsync(ct);
        }

        var cut = RenderPage<CustomerHistoryPage>(id);

        cut.WaitForAssertion(() => Assert.Contains("2026-02-28 22:30", cut.Markup));
        Assert.DoesNotContain("2026-03-01 03:30", cut.Markup);
        Assert.Contains("America/New_York", cut.Find("[data-testid=history-zone]").TextContent);
        Assert.DoesNotContain("UTC", cut.Markup);
    }

    [Fact]
    public async Task SalesListShowsWhenInVenueTime()
    {
        var ct = Xunit.TestContext.Current.CancellationToken;
        await using (var db = Db.CreateDbContext())
        {
            var customer = TestCustomers.Individual("Ana", "Silva", "+16175550102");
            db.Customers.Add(customer);
            await db.SaveChangesAsync(ct);
            db.Sales.Add(new Sale { CustomerId = customer.Id, SoldAt = LateEvening, Total = 12m, CreatedBy = "staff" });
            await db.SaveChangesAsync(ct);
        }

        var cut = RenderPage<SaleList>();

        cut.WaitForAssertion(() => Assert.Contains("28 Feb 2026 22:30", cut.Markup));
    }
}
