using System.Data.Common;
using CustomerAdmin.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;

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
    /// <see cref="AddVisit"/> for many customers at once, in the database: one prepared UPDATE per customer that adds
    /// to what is stored (so a concurrent change to the customer is neither lost nor a reason to retry) and bumps the
    /// version and update stamp as <c>SaveChanges</c> does for a statistics change, so an edit form opened before
    /// sees the conflict. For bulk writers (the legacy import); call inside their transaction.
    /// </summary>
    public static async Task AddVisitsAsync(AppDbContext db, IReadOnlyDictionary<int, VisitTotals> visits, DateTime now, string actor,
        CancellationToken ct = default)
    {
        if (visits.Count == 0) return;
        var entity = db.Model.FindEntityType(typeof(Customer))!;
        var table = StoreObjectIdentifier.Table(entity.GetTableName()!, entity.GetSchema());
        var sql = db.GetService<ISqlGenerationHelper>();
        await using var command = db.Database.GetDbConnection().CreateCommand();
        command.Transaction = db.Database.CurrentTransaction?.GetDbTransaction();
        string Name(string property) => sql.DelimitIdentifier(entity.FindProperty(property)!.GetColumnName(table)!);
        (string Name, ModelColumn Column, DbParameter Parameter) Column(string property)
        {
            var column = ModelColumn.For(entity.FindProperty(property)!);
            return (Name(property), column, column.CreateParameter(command, "@" + property));
        }
        var (spent, spentColumn, amount) = Column(nameof(Customer.TotalSpent));
        var (count, countColumn, visitCount) = Column(nameof(Customer.VisitCount));
        var (last, lastColumn, at) = Column(nameof(Customer.LastVisitAt));
        var version = Name(nameof(Customer.Version));
        var (updatedAt, updatedAtColumn, nowParameter) = Column(nameof(Customer.UpdatedAt));
        var (updatedBy, updatedByColumn, by) = Column(nameof(Customer.UpdatedBy));
        var (id, idColumn, idParameter) = Column(nameof(Customer.Id));
        command.CommandText = $"UPDATE {sql.DelimitIdentifier(table.Name, table.Schema)} SET {spent} = {spent} + {amount.ParameterName}, "
            + $"{count} = {count} + {visitCount.ParameterName}, "
            + $"{last} = CASE WHEN {last} IS NULL OR {last} < {at.ParameterName} THEN {at.ParameterName} ELSE {last} END, "
            + $"{version} = {version} + 1, {updatedAt} = {nowParameter.ParameterName}, {updatedBy} = {by.ParameterName} WHERE {id} = {idParameter.ParameterName}";
        nowParameter.Value = updatedAtColumn.Convert(now);
        by.Value = updatedByColumn.Convert(actor);
        var prepared = false;
        foreach (var (customerId, v) in visits)
        {
            amount.Value = spentColumn.Convert(v.Amount);
            visitCount.Value = countColumn.Convert(v.Count);
            at.Value = lastColumn.Convert(v.Last);
            idParameter.Value = idColumn.Convert(customerId);
            // After the first values are bound: Npgsql needs them to know the parameters' types.
            if (!prepared) await command.PrepareAsync(ct);
            prepared = true;
            await command.ExecuteNonQueryAsync(ct);
        }
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

/// <summary>Visits to add to one customer's statistics (<see cref="CustomerStatsQuery.AddVisitsAsync"/>).</summary>
public sealed class VisitTotals
{
    public decimal Amount { get; private set; }
    public int Count { get; private set; }
    public DateTime? Last { get; private set; }

    public void Add(decimal amount, DateTime at)
    {
        Amount += amount;
        Count++;
        if (Last is null || Last < at) Last = at;
    }
}
