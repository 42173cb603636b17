using CustomerAdmin.Data;
using CustomerAdmin.Components.Pages.Tickets;
using Microsoft.EntityFrameworkCore;

namespace CustomerAdmin.Components.Pages.Customers;

/// <summary>What the customer page (and later the export and the API) shows about a customer's business.</summary>
public sealed record CustomerStats(
    decimal TotalSpent, int Visits, DateTime? LastVisitAt,
    int OpenTickets, int ClosedTickets, int CancelledTickets, int Sales,
    decimal AverageTicketValue, decimal LifetimeValue, DateTime? LastActivityAt)
{
    public int Tickets => OpenTickets + ClosedTickets + CancelledTickets;

    /// <summary>The arithmetic, apart from the queries, so it is tested on its own.</summary>
    public static CustomerStats Compute(Customer customer, int openTickets, int cancelledTickets,
        IReadOnlyCollection<decimal> closedTicketAmounts, IReadOnlyCollection<decimal> saleTotals, params DateTime?[] activity)
    {
        var closedSum = closedTicketAmounts.Sum();
        var average = closedTicketAmounts.Count == 0 ? 0m : decimal.Round(closedSum / closedTicketAmounts.Count, 2, MidpointRounding.AwayFromZero);
        var last = activity.Append(customer.LastVisitAt).Where(d => d is not null).Max();
        return new CustomerStats(customer.TotalSpent, customer.VisitCount, customer.LastVisitAt,
            openTickets, closedTicketAmounts.Count, cancelledTickets, saleTotals.Count,
            average, closedSum + saleTotals.Sum(), last);
    }
}

/// <summary>The one place a customer's statistics are computed, and the one place the denormalised ones are moved.</summary>
public static class CustomerStatsQuery
{
    public static async Task<CustomerStats?> ForCustomerAsync(this AppDbContext db, int customerId, CancellationToken ct = default)
    {
        var customer = await db.Customers.AsNoTracking().FirstOrDefaultAsync(c => c.Id == customerId, ct);
        if (customer is null) return null;
        var tickets = db.Tickets.Where(t => t.CustomerId == customerId);
        var byStatus = await tickets.GroupBy(t => t.Status).Select(g => new { g.Key, Count = g.Count() }).ToListAsync(ct);
        // Amounts are summed here rather than in SQL: SQLite has no decimal type, and one customer's rows are few.
        var closed = await tickets.Where(t => t.Status == TicketStatus.Closed).Select(t => t.FinalAmount ?? 0m).ToListAsync(ct);
        var sales = db.Sales.Where(s => s.CustomerId == customerId);
        var saleTotals = await sales.Select(s => s.Total).ToListAsync(ct);
        var lastOpened = await tickets.MaxAsync(t => (DateTime?)t.OpenedAt, ct);
        var lastClosed = await tickets.MaxAsync(t => t.ClosedAt, ct);
        var lastSale = await sales.MaxAsync(s => (DateTime?)s.SoldAt, ct);
        var open = byStatus.Where(s => TicketWorkflow.IsActive(s.Key)).Sum(s => s.Count);
        var cancelled = byStatus.Where(s => s.Key == TicketStatus.Cancelled).Sum(s => s.Count);
        return CustomerStats.Compute(customer, open, cancelled, closed, saleTotals, lastOpened, lastClosed, lastSale);
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
