using CustomerAdmin.Data;
using Microsoft.EntityFrameworkCore;

namespace CustomerAdmin.Components.Pages.Customers;

/// <summary>
/// What the customer page, the export and (later) the API show about a customer's business. Built only by
/// <see cref="Compute"/> from <see cref="CustomerStatsTotals"/>, which only <see cref="CustomerStatsQuery.WithStats"/>
/// fills, so the numbers cannot disagree between the places that show them.
/// </summary>
public sealed record CustomerStats(
    decimal TotalSpent, int Visits, DateTime? LastVisitAt,
    int OpenTickets, int ClosedTickets, int CancelledTickets, int Sales, int Bookings,
    decimal AverageTicketValue, decimal LifetimeValue, DateTime? LastActivityAt)
{
    public int Tickets => OpenTickets + ClosedTickets + CancelledTickets;

    /// <summary>The arithmetic, apart from the queries, so it is tested on its own.</summary>
    public static CustomerStats Compute(Customer customer, CustomerStatsTotals t)
    {
        var average = t.ClosedTickets == 0 ? 0m : decimal.Round(t.ClosedAmount / t.ClosedTickets, 2, MidpointRounding.AwayFromZero);
        var last = new[] { customer.LastVisitAt, t.LastTicketOpenedAt, t.LastTicketClosedAt, t.LastSaleAt, t.LastBookingAt }
            .Where(d => d is not null).Max();
        return new CustomerStats(customer.TotalSpent, customer.VisitCount, customer.LastVisitAt,
            t.Tickets - t.ClosedTickets - t.CancelledTickets, t.ClosedTickets, t.CancelledTickets, t.Sales, t.Bookings,
            average, t.ClosedAmount + t.SalesAmount, last);
    }
}

/// <summary>A customer's counts and sums as the database aggregates them; <see cref="CustomerStats.Compute"/> reads them.</summary>
public sealed class CustomerStatsTotals
{
    public int Tickets { get; init; }
    public int ClosedTickets { get; init; }
    public int CancelledTickets { get; init; }
    public decimal ClosedAmount { get; init; }
    public int Sales { get; init; }
    public decimal SalesAmount { get; init; }
    public int Bookings { get; init; }
    public DateTime? LastTicketOpenedAt { get; init; }
    public DateTime? LastTicketClosedAt { get; init; }
    public DateTime? LastSaleAt { get; init; }
    public DateTime? LastBookingAt { get; init; }
}

/// <summary>A customer row with its aggregates, as <see cref="CustomerStatsQuery.WithStats"/> projects it.</summary>
public sealed class CustomerWithStats
{
    public Customer Customer { get; init; } = null!;
    public CustomerStatsTotals Totals { get; init; } = null!;
    public CustomerStats Stats => CustomerStats.Compute(Customer, Totals);
}

/// <summary>The one place a customer's statistics are computed, and the one place the denormalised ones are moved.</summary>
public static class CustomerStatsQuery
{
    /// <summary>
    /// Each customer with its statistics as correlated subqueries in the same SQL statement: one round trip for one
    /// customer or for a streamed export of a million, each subquery an index range on (CustomerId, ...).
    /// </summary>
    public static IQueryable<CustomerWithStats> WithStats(this IQueryable<Customer> customers, AppDbContext db) =>
        customers.Select(c => new CustomerWithStats
        {
            Customer = c,
            Totals = new CustomerStatsTotals
            {
                Tickets = db.Tickets.Count(t => t.CustomerId == c.Id),
                ClosedTickets = db.Tickets.Count(t => t.CustomerId == c.Id && t.Status == TicketStatus.Closed),
                CancelledTickets = db.Tickets.Count(t => t.CustomerId == c.Id && t.Status == TicketStatus.Cancelled),
                ClosedAmount = db.Tickets.Where(t => t.CustomerId == c.Id && t.Status == TicketStatus.Closed).Sum(t => t.FinalAmount ?? 0m),
                Sales = db.Sales.Count(s => s.CustomerId == c.Id),
                SalesAmount = db.Sales.Where(s => s.CustomerId == c.Id).Sum(s => s.Total),
                Bookings = db.Bookings.Count(b => b.CustomerId == c.Id),
                LastTicketOpenedAt = db.Tickets.Where(t => t.CustomerId == c.Id).Max(t => (DateTime?)t.OpenedAt),
                LastTicketClosedAt = db.Tickets.Where(t => t.CustomerId == c.Id).Max(t => t.ClosedAt),
                LastSaleAt = db.Sales.Where(s => s.CustomerId == c.Id).Max(s => (DateTime?)s.SoldAt),
                LastBookingAt = db.Bookings.Where(b => b.CustomerId == c.Id).Max(b => (DateTime?)b.CreatedAt),
            },
        });

    public static async Task<CustomerStats?> ForCustomerAsync(this AppDbContext db, int customerId, CancellationToken ct = default)
    {
        var row = await db.Customers.AsNoTracking().Where(c => c.Id == customerId).WithStats(db).FirstOrDefaultAsync(ct);
        return row?.Stats;
    }

    /// <summary>A closed ticket or a sale: one more visit. Call inside the transaction that saves the change.</summary>
    public static void AddVisit(Customer customer, decimal amount, DateTime at)
    {
        customer.TotalSpent += amount;
        customer.VisitCount += 1;
        if (customer.LastVisitAt is null || customer.LastVisitAt < at) customer.LastVisitAt = at;
    }

    /// <summary>
    /// Takes a reopened ticket's amount and visit back out. The last visit is recomputed from what is still
    /// counted, so pass the latest remaining visit (<see cref="LastVisitExceptAsync"/>).
    /// </summary>
    public static void RemoveVisit(Customer customer, decimal amount, DateTime? lastRemainingVisit)
    {
        customer.TotalSpent = Math.Max(0m, customer.TotalSpent - amount);
        customer.VisitCount = Math.Max(0, customer.VisitCount - 1);
        customer.LastVisitAt = lastRemainingVisit;
    }

    public static async Task<DateTime?> LastVisitExceptAsync(this AppDbContext db, int customerId, int exceptTicketId, CancellationToken ct = default)
    {
        var ticket = await db.Tickets.Where(t => t.CustomerId == customerId && t.Id != exceptTicketId && t.Status == TicketStatus.Closed)
            .MaxAsync(t => t.ClosedAt, ct);
        var sale = await db.Sales.Where(s => s.CustomerId == customerId).MaxAsync(s => (DateTime?)s.SoldAt, ct);
        return ticket is null ? sale : sale is null || ticket > sale ? ticket : sale;
    }
}
