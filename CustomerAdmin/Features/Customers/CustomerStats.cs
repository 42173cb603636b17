using System.Linq.Expressions;
using System.Runtime.CompilerServices;
using CustomerAdmin.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;

namespace CustomerAdmin.Features.Customers;

/// <summary>
/// What the customer page, the export and (later) the API show about a customer's business. Built only by
/// <see cref="Compute"/> from <see cref="CustomerStatsTotals"/>, which only <see cref="CustomerStatsQuery"/> fills, from
/// its one aggregating statement (for a batch, for one customer, or joined to that customer's row), so the numbers
/// cannot disagree between the places that show them.
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
public sealed record CustomerStatsTotals
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

    /// <summary>A customer with no tickets, sales or bookings.</summary>
    public static readonly CustomerStatsTotals None = new();
}

internal enum StatsSource { Tickets, Sales, Bookings }

/// <summary>One row of <see cref="CustomerStatsQuery.TotalsAsync"/>'s statement: one source table's aggregates for one customer.</summary>
internal sealed class StatsPart
{
    public int CustomerId { get; init; }
    public StatsSource Source { get; init; }
    public int Count { get; init; }
    public int Closed { get; init; }
    public int Cancelled { get; init; }
    public decimal? Amount { get; init; }
    public DateTime? Last { get; init; }
    public DateTime? LastClosed { get; init; }
}

/// <summary>The one place a customer's statistics are computed for display (the denormalised ones are kept by <see cref="CustomerStatsKeeper"/>).</summary>
public static class CustomerStatsQuery
{
    /// <summary>How many customers' totals one <see cref="TotalsAsync"/> call of the export asks for.</summary>
    public const int BatchSize = 2_000;

    /// <summary>
    /// The totals of the given customers (at most a few thousand) in one SQL statement: per source table one
    /// <c>WHERE "CustomerId" IN (...) GROUP BY "CustomerId"</c>, each an index range on (CustomerId, ...), joined by
    /// <c>UNION ALL</c>. The customer page asks for one id, the export for a batch, so both show the same numbers.
    /// A customer without tickets, sales or bookings is absent from the result: use <see cref="CustomerStatsTotals.None"/>.
    /// </summary>
    public static async Task<Dictionary<int, CustomerStatsTotals>> TotalsAsync(this AppDbContext db, IReadOnlyCollection<int> customerIds,
        CancellationToken ct = default)
    {
        var ids = customerIds as int[] ?? customerIds.ToArray();
        // One customer (the customer page, the API's get) is the hot path: a compiled query, so EF neither hashes and
        // compares this tree of three grouped sub-queries nor extracts its parameters at every call. A batch (the
        // export) keeps one array parameter (json_each on SQLite, = ANY on PostgreSQL) rather than a parameter per id:
        // the same cached SQL for every batch, and no per-parameter binding of thousands of ids.
        var parts = ids.Length == 1
            ? OneCustomer.GetValue(db.Model, _ => CompileOneCustomer(db))(db, ids[0])
            : Parts(db, t => EF.Parameter(ids).Contains(t.CustomerId), s => EF.Parameter(ids).Contains(s.CustomerId),
                b => EF.Parameter(ids).Contains(b.CustomerId)).AsAsyncEnumerable();
        var totals = new Dictionary<int, CustomerStatsTotals>(ids.Length);
        await foreach (var part in parts.WithCancellation(ct))
            totals[part.CustomerId] = Add(totals.GetValueOrDefault(part.CustomerId) ?? CustomerStatsTotals.None, part);
        return totals;
    }

    /// <summary>
    /// A customer (with its organisation, as <c>FindCustomerAsync</c> reads it) and its statistics in one statement:
    /// the customer row <c>LEFT JOIN</c> the same <see cref="Parts"/> statement <see cref="TotalsAsync"/> runs for one
    /// id (one row per source table that has rows, the customer's columns on each). For the API's get, where a second
    /// statement is a second round trip and, on PostgreSQL, a second statement for a backend to parse and run.
    /// </summary>
    /// <returns>Null when no customer has the id.</returns>
    public static async Task<(Customer Customer, CustomerStats Stats)?> FindWithStatsAsync(this AppDbContext db, int customerId,
        CancellationToken ct = default)
    {
        Customer? customer = null;
        var totals = CustomerStatsTotals.None;
        await foreach (var row in WithStats.GetValue(db.Model, _ => CompileWithStats(db))(db, customerId).WithCancellation(ct))
        {
            customer ??= row.Customer;
            if (row.Source is { } source)
                totals = Add(totals, new StatsPart
                {
                    CustomerId = customerId, Source = source, Count = row.Count ?? 0, Closed = row.Closed ?? 0, Cancelled = row.Cancelled ?? 0,
                    Amount = row.Amount, Last = row.Last, LastClosed = row.LastClosed,
                });
        }
        return customer is null ? null : (customer, CustomerStats.Compute(customer, totals));
    }

    /// <summary>One source table's aggregates added to a customer's totals: what every reader of <see cref="Parts"/> does with a row.</summary>
    private static CustomerStatsTotals Add(CustomerStatsTotals t, StatsPart part) => part.Source switch
    {
        StatsSource.Tickets => t with
        {
            Tickets = part.Count, ClosedTickets = part.Closed, CancelledTickets = part.Cancelled, ClosedAmount = part.Amount ?? 0m,
            LastTicketOpenedAt = part.Last, LastTicketClosedAt = part.LastClosed,
        },
        StatsSource.Sales => t with { Sales = part.Count, SalesAmount = part.Amount ?? 0m, LastSaleAt = part.Last },
        _ => t with { Bookings = part.Count, LastBookingAt = part.Last },
    };

    /// <summary>
    /// The statement: per source table the rows <paramref name="tickets"/>, <paramref name="sales"/> and
    /// <paramref name="bookings"/> select, grouped by customer, joined by <c>UNION ALL</c>. Written once for the batch
    /// and the compiled one-customer form, so both aggregate alike.
    /// </summary>
    private static IQueryable<StatsPart> Parts(AppDbContext db, Expression<Func<Ticket, bool>> tickets, Expression<Func<Sale, bool>> sales,
        Expression<Func<Booking, bool>> bookings) =>
        db.Tickets.Where(tickets).GroupBy(t => t.CustomerId).Select(g => new StatsPart
        {
            CustomerId = g.Key, Source = StatsSource.Tickets, Count = g.Count(),
            Closed = g.Count(t => t.Status == TicketStatus.Closed),
            Cancelled = g.Count(t => t.Status == TicketStatus.Cancelled),
            Amount = g.Sum(t => t.Status == TicketStatus.Closed ? t.FinalAmount ?? 0m : 0m),
            Last = g.Max(t => (DateTime?)t.OpenedAt), LastClosed = g.Max(t => t.ClosedAt),
        }).Concat(db.Sales.Where(sales).GroupBy(s => s.CustomerId).Select(g => new StatsPart
        {
            CustomerId = g.Key, Source = StatsSource.Sales, Count = g.Count(), Closed = 0, Cancelled = 0,
            Amount = g.Sum(s => s.Total), Last = g.Max(s => (DateTime?)s.SoldAt), LastClosed = null,
        })).Concat(db.Bookings.Where(bookings).GroupBy(b => b.CustomerId).Select(g => new StatsPart
        {
            CustomerId = g.Key, Source = StatsSource.Bookings, Count = g.Count(), Closed = 0, Cancelled = 0,
            Amount = null, Last = g.Max(b => (DateTime?)b.CreatedAt), LastClosed = null,
        }));

    // A compiled query belongs to one model; a process holds one per provider (the tests use both).
    private static readonly ConditionalWeakTable<IModel, Func<AppDbContext, int, IAsyncEnumerable<StatsPart>>> OneCustomer = new();

    /// <summary>
    /// <see cref="Parts"/> with <c>CustomerId = @customerId</c> in each sub-query, compiled. The lambda is assembled
    /// around <see cref="Parts"/>' tree (its filters compare with the compiled query's own int parameter) instead of
    /// being written out a second time; <c>EF.Parameter</c> over a compiled query's parameter is what failed before.
    /// </summary>
    private static Func<AppDbContext, int, IAsyncEnumerable<StatsPart>> CompileOneCustomer(AppDbContext db)
    {
        var context = Expression.Parameter(typeof(AppDbContext), "db");
        var customerId = Expression.Parameter(typeof(int), "customerId");
        var query = Parts(db, Of<Ticket>(customerId), Of<Sale>(customerId), Of<Booking>(customerId));
        return EF.CompileAsyncQuery(Expression.Lambda<Func<AppDbContext, int, IQueryable<StatsPart>>>(query.Expression, context, customerId));
    }

    private static Expression<Func<T, bool>> Of<T>(ParameterExpression customerId, string property = "CustomerId")
    {
        var row = Expression.Parameter(typeof(T), "row");
        return Expression.Lambda<Func<T, bool>>(Expression.Equal(Expression.Property(row, property), customerId), row);
    }

    /// <summary>A row of <see cref="FindWithStatsAsync"/>'s statement: the customer, and one source's aggregates or none.</summary>
    private sealed class CustomerStatsRow
    {
        public required Customer Customer { get; init; }
        public StatsSource? Source { get; init; }
        public int? Count { get; init; }
        public int? Closed { get; init; }
        public int? Cancelled { get; init; }
        public decimal? Amount { get; init; }
        public DateTime? Last { get; init; }
        public DateTime? LastClosed { get; init; }
    }

    private static readonly ConditionalWeakTable<IModel, Func<AppDbContext, int, IAsyncEnumerable<CustomerStatsRow>>> WithStats = new();

    /// <summary><see cref="Parts"/> for one id, left-joined to that customer's row, compiled (assembled as <see cref="CompileOneCustomer"/>).</summary>
    private static Func<AppDbContext, int, IAsyncEnumerable<CustomerStatsRow>> CompileWithStats(AppDbContext db)
    {
        var context = Expression.Parameter(typeof(AppDbContext), "db");
        var customerId = Expression.Parameter(typeof(int), "customerId");
        var parts = Parts(db, Of<Ticket>(customerId), Of<Sale>(customerId), Of<Booking>(customerId));
        var query = db.Customers.AsNoTracking().Include(c => c.Organization).Where(Of<Customer>(customerId, nameof(Customer.Id)))
            .LeftJoin(parts, c => c.Id, p => p.CustomerId, (c, p) => new CustomerStatsRow
            {
                Customer = c, Source = p == null ? null : p.Source, Count = p == null ? null : p.Count, Closed = p == null ? null : p.Closed,
                Cancelled = p == null ? null : p.Cancelled, Amount = p == null ? null : p.Amount, Last = p == null ? null : p.Last,
                LastClosed = p == null ? null : p.LastClosed,
            });
        return EF.CompileAsyncQuery(Expression.Lambda<Func<AppDbContext, int, IQueryable<CustomerStatsRow>>>(query.Expression, context, customerId));
    }

    /// <summary>The statistics of a customer already loaded (the customer page): one statement.</summary>
    public static async Task<CustomerStats> StatsAsync(this AppDbContext db, Customer customer, CancellationToken ct = default)
    {
        var totals = await db.TotalsAsync([customer.Id], ct);
        return CustomerStats.Compute(customer, totals.GetValueOrDefault(customer.Id) ?? CustomerStatsTotals.None);
    }

    public static async Task<CustomerStats?> ForCustomerAsync(this AppDbContext db, int customerId, CancellationToken ct = default)
    {
        var customer = await db.Customers.AsNoTracking().FirstOrDefaultAsync(c => c.Id == customerId, ct);
        return customer is null ? null : await db.StatsAsync(customer, ct);
    }
}
