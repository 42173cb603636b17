using CustomerAdmin.Common;
using CustomerAdmin.Features.Customers;
using CustomerAdmin.Features.Customers.Search;
using CustomerAdmin.Features.Sales;
using CustomerAdmin.Data;

namespace CustomerAdmin.Tests.Features.Customers;

public class CustomerStatsTests
{
    private static readonly DateTime Day1 = new(2026, 3, 1, 10, 0, 0, DateTimeKind.Utc);
    private static readonly DateTime Day2 = Day1.AddDays(1);

    [Fact]
    public void LifetimeValueIsClosedTicketsPlusSalesAndAverageIsOverClosedTickets()
    {
        var customer = new Customer { TotalSpent = 175m, VisitCount = 3, LastVisitAt = Day1 };
        var stats = CustomerStats.Compute(customer, new CustomerStatsTotals
        {
            Tickets = 5, ClosedTickets = 2, CancelledTickets = 1, ClosedAmount = 150m, Sales = 1, SalesAmount = 25m,
            Bookings = 4, LastTicketOpenedAt = Day2,
        });

        Assert.Equal(175m, stats.LifetimeValue);
        Assert.Equal(75m, stats.AverageTicketValue);
        Assert.Equal(2, stats.OpenTickets);
        Assert.Equal(2, stats.ClosedTickets);
        Assert.Equal(5, stats.Tickets);
        Assert.Equal(1, stats.Sales);
        Assert.Equal(4, stats.Bookings);
        Assert.Equal(Day2, stats.LastActivityAt);
        Assert.Equal(175m, stats.TotalSpent);
        Assert.Equal(3, stats.Visits);
    }

    [Fact]
    public void LastActivityIsTheLatestOfVisitsTicketsSalesAndBookings()
    {
        var stats = CustomerStats.Compute(new Customer { LastVisitAt = Day1 }, new CustomerStatsTotals { LastBookingAt = Day2, LastSaleAt = Day1 });
        Assert.Equal(Day2, stats.LastActivityAt);
    }

    [Fact]
    public void NoClosedTicketsMeansAverageZeroNotADivisionByZero()
    {
        var stats = CustomerStats.Compute(new Customer(), new CustomerStatsTotals());
        Assert.Equal(0m, stats.AverageTicketValue);
        Assert.Equal(0m, stats.LifetimeValue);
        Assert.Null(stats.LastActivityAt);
    }

    [Fact]
    public void AverageIsRoundedToCents() =>
        Assert.Equal(33.33m, CustomerStats.Compute(new Customer(), new CustomerStatsTotals { Tickets = 3, ClosedTickets = 3, ClosedAmount = 99.99m }).AverageTicketValue);

    [Fact]
    public void SaleTotalIsTheSumOfRoundedLines()
    {
        SaleLineDraft[] lines = [new() { Description = "Cable", Quantity = 3, UnitPrice = 2.50m }, new() { Description = "Fee", Quantity = 1, UnitPrice = 10m }];
        Assert.Equal(17.50m, SaleOperations.Total(lines));
        Assert.Empty(SaleOperations.Validate(lines));
    }

    [Fact]
    public void SaleWithBadLinesOrAnAbsurdTotalIsRefused()
    {
        Assert.NotEmpty(SaleOperations.Validate([]));
        Assert.Contains(SaleOperations.Validate([new() { Description = "", Quantity = 0, UnitPrice = -1m }]), e => e.Line == 0);
        var huge = SaleOperations.Validate([new() { Description = "Gold", Quantity = 2, UnitPrice = Money.Max }]);
        Assert.Contains(huge, e => e.Line == -1 && e.Message.Contains("total"));
    }
}
