using System.Linq.Expressions;
using CustomerAdmin.Components.Pages.Customers;
using CustomerAdmin.Components.Pages.Events;
using CustomerAdmin.Components.Pages.Sms;
using CustomerAdmin.Components.Pages.Tickets;
using CustomerAdmin.Data;
using Microsoft.EntityFrameworkCore;

namespace CustomerAdmin.Components.Pages.Dashboard;

/// <summary>One number on the dashboard, the same number for the previous period, and the list behind it.</summary>
public sealed record Figure(string Label, decimal Value, decimal? Previous, string? Link, FigureFormat Format = FigureFormat.Count)
{
    /// <summary>Relative change against the previous period; null when there is nothing to compare with.</summary>
    public decimal? Change => Previous is { } p && p != 0 ? decimal.Round((Value - p) / p, 4) : null;
}

public enum FigureFormat { Count, Money, Percent }

public sealed record StatusCount(TicketStatus Status, int Count, string Link);
public sealed record RankedCustomer(int Id, string Name, decimal Revenue, int Tickets);
public sealed record CityCount(string City, int Customers, string Link);
public sealed record TypeCount(CustomerType Type, int Customers, string Link);
public sealed record UpcomingEvent(int Id, string Name, DateTime StartsAt, int Capacity, int Seats)
{
    public decimal FillRate => Capacity == 0 ? 0m : decimal.Round((decimal)Seats / Capacity, 4);
}
public sealed record SmsCounts(int Sent, int Delivered, int Failed)
{
    /// <summary>The SMS log filtered to each count's messages.</summary>
    public string SentLink { get; init; } = "";
    public string DeliveredLink { get; init; } = "";
    public string FailedLink { get; init; } = "";
}
public sealed record MonthValue(DateOnly Month, decimal Value);

public sealed record DashboardData(
    DashboardPeriod Period,
    Figure TotalCustomers, Figure ActiveCustomers, Figure NewCustomers, Figure PrivateCustomers, Figure BusinessCustomers,
    Figure Revenue, Figure AverageCustomerValue, Figure RepeatRate, Figure ClosedTickets, double? AverageTurnaroundHours,
    IReadOnlyList<StatusCount> OpenTickets, IReadOnlyList<TypeCount> ByType,
    IReadOnlyList<MonthValue> NewCustomersPerMonth, IReadOnlyList<MonthValue> RevenuePerMonth,
    IReadOnlyList<RankedCustomer> TopByRevenue, IReadOnlyList<RankedCustomer> TopByTickets,
    IReadOnlyList<UpcomingEvent> UpcomingEvents, SmsCounts? Sms)
{
    public IEnumerable<Figure> Figures =>
        [TotalCustomers, ActiveCustomers, NewCustomers, PrivateCustomers, BusinessCustomers, Revenue, AverageCustomerValue, RepeatRate, ClosedTickets];
}

/// <summary>
/// Every dashboard figure as an SQL aggregate (counts, sums, grouped counts); no entity is loaded. The customer
/// figures leave out deleted customers, as the customer list does, so each figure's link lists exactly the records
/// counted. Ticket figures count all tickets, as the ticket list does.
/// </summary>
public static class DashboardQuery
{
    public const int TopRows = 10;
    public const int CityRows = 20;
    public const int UpcomingEventRows = 5;

    public static async Task<DashboardData> LoadAsync(this AppDbContext db, DashboardPeriod period, VenueOptions venue, DateTime nowUtc,
        CancellationToken ct = default)
    {
        var previous = period.Previous;
        var (from, before) = (period.FromUtc(venue), period.BeforeUtc(venue));
        var (prevFrom, prevBefore) = (previous.FromUtc(venue), previous.BeforeUtc(venue));
        var first = CustomerListQueryString.Day(period.First);
        var last = CustomerListQueryString.Day(period.Last);
        var live = db.Customers.Where(c => c.Status != CustomerStatus.Deleted);

        var total = new Figure("Total customers", await live.CountAsync(c => c.CreatedAt < before, ct),
            await live.CountAsync(c => c.CreatedAt < prevBefore, ct), CustomerListQueryString.Link((CustomerListQueryString.CreatedTo, last)));
        var created = new Figure("New customers", await live.CountAsync(c => c.CreatedAt >= from && c.CreatedAt < before, ct),
            await live.CountAsync(c => c.CreatedAt >= prevFrom && c.CreatedAt < prevBefore, ct),
            CustomerListQueryString.Link((CustomerListQueryString.CreatedFrom, first), (CustomerListQueryString.CreatedTo, last)));
        var active = new Figure("Active customers", await ActiveAsync(db, live, from, before, ct), await ActiveAsync(db, live, prevFrom, prevBefore, ct),
            CustomerListQueryString.Link((CustomerListQueryString.ActiveFrom, first), (CustomerListQueryString.ActiveTo, last)));
        var privateCustomers = new Figure("Private", await live.CountAsync(c => c.CreatedAt < before && c.Type == CustomerType.Individual, ct),
            await live.CountAsync(c => c.CreatedAt < prevBefore && c.Type == CustomerType.Individual, ct),
            CustomerListQueryString.Link((CustomerListQueryString.Kind, "private"), (CustomerListQueryString.CreatedTo, last)));
        var businessCustomers = new Figure("Business", total.Value - privateCustomers.Value, total.Previous - privateCustomers.Previous,
            CustomerListQueryString.Link((CustomerListQueryString.Kind, "business"), (CustomerListQueryString.CreatedTo, last)));

        var now = await PurchasesAsync(db, from, before, ct);
        var then = await PurchasesAsync(db, prevFrom, prevBefore, ct);
        var buyersLink = CustomerListQueryString.Link((CustomerListQueryString.BoughtFrom, first), (CustomerListQueryString.BoughtTo, last));
        var revenue = new Figure("Revenue", now.Revenue, then.Revenue, buyersLink, FigureFormat.Money);
        var average = new Figure("Average customer value", Ratio(now.Revenue, now.Buyers, 2), Ratio(then.Revenue, then.Buyers, 2), buyersLink, FigureFormat.Money);
        var repeat = new Figure("Repeat-customer rate", Ratio(now.RepeatBuyers, now.Buyers, 4), Ratio(then.RepeatBuyers, then.Buyers, 4),
            CustomerListQueryString.Link((CustomerListQueryString.BoughtFrom, first), (CustomerListQueryString.BoughtTo, last),
                (CustomerListQueryString.PurchasesMin, "2")), FigureFormat.Percent);

        var closedNow = db.Tickets.Where(t => t.Status == TicketStatus.Closed && t.ClosedAt >= from && t.ClosedAt < before);
        var closed = new Figure("Tickets closed", await closedNow.CountAsync(ct),
            await db.Tickets.CountAsync(t => t.Status == TicketStatus.Closed && t.ClosedAt >= prevFrom && t.ClosedAt < prevBefore, ct),
            $"/tickets?status=closed&closed_from={first}&closed_to={last}");
        var turnaround = await AverageTurnaroundHoursAsync(db, from, before, ct);

        var byStatus = await db.Tickets.Where(t => t.Status != TicketStatus.Closed && t.Status != TicketStatus.Cancelled)
            .GroupBy(t => t.Status).Select(g => new { g.Key, Count = g.Count() }).ToListAsync(ct);
        var open = TicketWorkflow.Active
            .Select(s => new StatusCount(s, byStatus.FirstOrDefault(b => b.Key == s)?.Count ?? 0, $"/tickets?status={s.ToString().ToLowerInvariant()}"))
            .ToList();

        var types = await live.GroupBy(c => c.Type).Select(g => new { g.Key, Count = g.Count() }).ToListAsync(ct);
        var byType = types.OrderByDescending(t => t.Count)
            .Select(t => new TypeCount(t.Key, t.Count, CustomerListQueryString.Link((CustomerListQueryString.Type, t.Key.ToString().ToLowerInvariant()))))
            .ToList();

        var months = LastTwelveMonths(period.Last);
        var bounds = months.Select(m => venue.ToUtc(m.ToDateTime(TimeOnly.MinValue))).Append(venue.ToUtc(months[^1].AddMonths(1).ToDateTime(TimeOnly.MinValue))).ToList();
        var (yearFrom, yearBefore) = (bounds[0], bounds[^1]);
        var newPerMonth = await live.Where(c => c.CreatedAt >= yearFrom && c.CreatedAt < yearBefore)
            .GroupBy(Bucket<Customer>(c => c.CreatedAt, bounds)).Select(g => new { g.Key, Value = (decimal)g.Count() }).ToListAsync(ct);
        var ticketRevenue = await db.Tickets
            .Where(t => t.Status == TicketStatus.Closed && t.ClosedAt >= yearFrom && t.ClosedAt < yearBefore && t.Customer!.Status != CustomerStatus.Deleted)
            .GroupBy(Bucket<Ticket>(t => t.ClosedAt!.Value, bounds)).Select(g => new { g.Key, Value = g.Sum(t => t.FinalAmount ?? 0m) }).ToListAsync(ct);
        var saleRevenue = await db.Sales
            .Where(s => s.SoldAt >= yearFrom && s.SoldAt < yearBefore && s.Customer!.Status != CustomerStatus.Deleted)
            .GroupBy(Bucket<Sale>(s => s.SoldAt, bounds)).Select(g => new { g.Key, Value = g.Sum(s => s.Total) }).ToListAsync(ct);

        var topByRevenue = await live.Where(c => c.TotalSpent > 0).OrderByDescending(c => c.TotalSpent).ThenBy(c => c.Id).Take(TopRows)
            .Ranked(db).ToListAsync(ct);
        var topIds = await db.Tickets.GroupBy(t => t.CustomerId).Select(g => new { Id = g.Key, Count = g.Count() })
            .Where(g => live.Any(c => c.Id == g.Id))
            .OrderByDescending(g => g.Count).ThenBy(g => g.Id).Take(TopRows).Select(g => g.Id).ToListAsync(ct);
        var topByTickets = (await live.Where(c => topIds.Contains(c.Id)).Ranked(db).ToListAsync(ct))
            .OrderByDescending(r => r.Tickets).ThenBy(r => r.Id).ToList();

        var events = await db.Events.Where(e => e.Status == EventStatus.Scheduled && e.StartsAt >= nowUtc)
            .OrderBy(e => e.StartsAt).ThenBy(e => e.Id).Take(UpcomingEventRows)
            .Select(e => new UpcomingEvent(e.Id, e.Name, e.StartsAt, e.Capacity, e.Bookings.Sum(b => b.Seats)))
            .ToListAsync(ct);
        SmsCounts? sms = null;
        if (await db.Events.AnyAsync(ct))
        {
            var messages = db.SmsMessages.Where(m => m.CreatedAt >= from && m.CreatedAt < before);
            sms = new SmsCounts(await messages.CountAsync(m => m.SentAt != null, ct),
                await messages.CountAsync(m => m.Status == SmsStatus.Delivered, ct),
                await messages.CountAsync(m => m.Status == SmsStatus.Failed || m.Status == SmsStatus.Undelivered, ct))
            {
                SentLink = SmsLogFilter.Link(("from", first), ("to", last), ("outcome", "sent")),
                DeliveredLink = SmsLogFilter.Link(("from", first), ("to", last), ("status", "delivered")),
                FailedLink = SmsLogFilter.Link(("from", first), ("to", last), ("outcome", "failed")),
            };
        }

        return new DashboardData(period, total, active, created, privateCustomers, businessCustomers, revenue, average, repeat, closed, turnaround,
            open, byType,
            months.Select((m, i) => new MonthValue(m, newPerMonth.FirstOrDefault(v => v.Key == i)?.Value ?? 0m)).ToList(),
            months.Select((m, i) => new MonthValue(m, (ticketRevenue.FirstOrDefault(v => v.Key == i)?.Value ?? 0m) + (saleRevenue.FirstOrDefault(v => v.Key == i)?.Value ?? 0m))).ToList(),
            topByRevenue, topByTickets, events, sms);
    }

    /// <summary>Customers per city among those with more than <paramref name="moreThanTickets"/> tickets, largest first.</summary>
    public static async Task<IReadOnlyList<CityCount>> CitiesAsync(this AppDbContext db, int moreThanTickets, CancellationToken ct = default)
    {
        var q = db.Customers.Where(c => c.Status != CustomerStatus.Deleted && c.City != null);
        if (moreThanTickets > 0) q = q.Where(c => db.Tickets.Count(t => t.CustomerId == c.Id) > moreThanTickets);
        var rows = await q.GroupBy(c => c.City!).Select(g => new { City = g.Key, Count = g.Count() })
            .OrderByDescending(g => g.Count).ThenBy(g => g.City).Take(CityRows).ToListAsync(ct);
        var min = moreThanTickets > 0 ? (moreThanTickets + 1).ToString() : null;
        return rows.Select(r => new CityCount(r.City, r.Count,
            CustomerListQueryString.Link((CustomerListQueryString.City, r.City), (CustomerListQueryString.TicketsMin, min)))).ToList();
    }

    private static IQueryable<RankedCustomer> Ranked(this IQueryable<Customer> customers, AppDbContext db) =>
        customers.Select(c => new RankedCustomer(c.Id,
            c.DisplayName ?? (c.Type == CustomerType.Individual ? (c.FirstName ?? "") + " " + (c.LastName ?? "") : c.Name ?? ""),
            c.TotalSpent, db.Tickets.Count(t => t.CustomerId == c.Id)));

    private static async Task<int> ActiveAsync(AppDbContext db, IQueryable<Customer> live, DateTime from, DateTime before, CancellationToken ct)
    {
        // Distinct ids from the two date-indexed ranges first, rather than a semi-join per customer of a large table.
        var ids = db.Tickets.Where(t => t.OpenedAt >= from && t.OpenedAt < before).Select(t => t.CustomerId)
            .Union(db.Sales.Where(s => s.SoldAt >= from && s.SoldAt < before).Select(s => s.CustomerId));
        return await live.CountAsync(c => ids.Contains(c.Id), ct);
    }

    private sealed record Purchases(decimal Revenue, int Buyers, int RepeatBuyers);

    /// <summary>Closed tickets and sales in the range, of customers that are not deleted: revenue, buyers and repeat buyers.</summary>
    private static async Task<Purchases> PurchasesAsync(AppDbContext db, DateTime from, DateTime before, CancellationToken ct)
    {
        var tickets = db.Tickets.Where(t => t.Status == TicketStatus.Closed && t.ClosedAt >= from && t.ClosedAt < before
            && t.Customer!.Status != CustomerStatus.Deleted);
        var sales = db.Sales.Where(s => s.SoldAt >= from && s.SoldAt < before && s.Customer!.Status != CustomerStatus.Deleted);
        // One statement: per customer the number and sum of purchases, then buyers, repeat buyers and revenue from those.
        var totals = await tickets.Select(t => new { t.CustomerId, Amount = t.FinalAmount ?? 0m })
            .Concat(sales.Select(s => new { s.CustomerId, Amount = s.Total }))
            .GroupBy(p => p.CustomerId).Select(g => new { Count = g.Count(), Amount = g.Sum(p => p.Amount) })
            .GroupBy(c => 1).Select(g => new { Buyers = g.Count(), Repeat = g.Count(c => c.Count >= 2), Revenue = g.Sum(c => c.Amount) })
            .ToListAsync(ct);
        // No purchases means no group at all, hence a list rather than a single row.
        var (revenue, buyers, repeat) = totals is [var row] ? (row.Revenue, row.Buyers, row.Repeat) : (0m, 0, 0);
        return new Purchases(revenue, buyers, repeat);
    }

    /// <summary>Mean hours from opened to closed of the tickets closed in the range, in the database's own date arithmetic.</summary>
    private static async Task<double?> AverageTurnaroundHoursAsync(AppDbContext db, DateTime from, DateTime before, CancellationToken ct)
    {
        var closed = nameof(TicketStatus.Closed);
        // EF translates no date difference that both providers share; the two statements say the same thing.
        var rows = db.Database.IsSqlite()
            ? db.Database.SqlQuery<double?>($"""
                SELECT AVG((julianday("ClosedAt") - julianday("OpenedAt")) * 24.0) AS "Value" FROM "Tickets"
                WHERE "Status" = {closed} AND "ClosedAt" >= {from} AND "ClosedAt" < {before}
                """)
            : db.Database.SqlQuery<double?>($"""
                SELECT AVG(EXTRACT(EPOCH FROM ("ClosedAt" - "OpenedAt")) / 3600.0)::double precision AS "Value" FROM "Tickets"
                WHERE "Status" = {closed} AND "ClosedAt" >= {from} AND "ClosedAt" < {before}
                """);
        return (await rows.ToListAsync(ct)).FirstOrDefault();
    }

    private static decimal Ratio(decimal part, int whole, int decimals) => whole == 0 ? 0m : decimal.Round(part / whole, decimals, MidpointRounding.AwayFromZero);

    /// <summary>The first days of the twelve venue months ending with the one that holds <paramref name="last"/>.</summary>
    public static IReadOnlyList<DateOnly> LastTwelveMonths(DateOnly last)
    {
        var month = new DateOnly(last.Year, last.Month, 1);
        return Enumerable.Range(0, 12).Select(i => month.AddMonths(i - 11)).ToList();
    }

    /// <summary>
    /// <c>x &lt; b1 ? 0 : x &lt; b2 ? 1 : …</c>: the index of the month a time falls in, as one CASE expression, so a
    /// year's rows are grouped by venue month in a single statement on either database.
    /// </summary>
    private static Expression<Func<T, int>> Bucket<T>(Expression<Func<T, DateTime>> at, IReadOnlyList<DateTime> bounds)
    {
        Expression body = Expression.Constant(bounds.Count - 2);
        for (var i = bounds.Count - 3; i >= 0; i--)
        {
            // Each bound a closure-like member, so EF sends it as a parameter rather than a literal in its own format.
            var bound = Expression.Property(Expression.Constant(new Bound(bounds[i + 1])), nameof(Bound.Value));
            body = Expression.Condition(Expression.LessThan(at.Body, bound), Expression.Constant(i), body);
        }
        return Expression.Lambda<Func<T, int>>(body, at.Parameters);
    }

    private sealed record Bound(DateTime Value);
}
