using CustomerAdmin.Features.Customers;
using CustomerAdmin.Features.Customers.Search;
using CustomerAdmin.Features.Events;
using CustomerAdmin.Features.Sms;
using CustomerAdmin.Features.Sms.Sending;
using CustomerAdmin.Features.Sms.Templates;
using CustomerAdmin.Features.Sms.Webhooks;
using CustomerAdmin.Features.Tickets;
using CustomerAdmin.Data;
using Microsoft.EntityFrameworkCore;

namespace CustomerAdmin.Features.Dashboard;

/// <summary>One number on the dashboard, the same number for the previous period, and the list behind it.</summary>
public sealed record Figure(string Label, decimal Value, decimal? Previous, string? Link, FigureFormat Format = FigureFormat.Count)
{
    /// <summary>Relative change against the previous period; null when there is nothing to compare with.</summary>
    public decimal? Change => Previous is { } p && p != 0 ? decimal.Round((Value - p) / p, 4) : null;

    /// <summary>What the figure counts, where the label alone could be read more than one way.</summary>
    public string? Explanation { get; init; }
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

    /// <summary>The dashboard for a period of whole days at the context's venue (<see cref="AppDbContext.Venue"/>).</summary>
    public static async Task<DashboardData> LoadAsync(this AppDbContext db, DashboardPeriod period, DateTime nowUtc, CancellationToken ct = default)
    {
        // The summary is kept by every save and counted again at start-up when missing or counted in another time zone
        // (DatabaseInitializer), so a page load only reads it.
        var venue = db.Venue;

        var previous = period.Previous;
        var (from, before) = (period.FromUtc(venue), period.BeforeUtc(venue));
        var first = CustomerListQueryString.Day(period.First);
        var last = CustomerListQueryString.Day(period.Last);
        var (day1, dayN) = (period.First.DayNumber, period.Last.DayNumber);
        var (prev1, prevN) = (previous.First.DayNumber, previous.Last.DayNumber);
        var totals = db.DashboardTotals;

        // Customers created per day and type, up to the end of the period: total, new, private and by type at once.
        var created = await totals.Where(t => t.Series == DashboardSeries.Customers && t.Day >= prev1 && t.Day <= dayN)
            .GroupBy(t => new { t.Day, t.Other }).Select(g => new { g.Key.Day, Type = g.Key.Other, Count = g.Sum(t => t.Value) }).ToListAsync(ct);
        var before1 = await totals.Where(t => t.Series == DashboardSeries.Customers && t.Day < prev1)
            .GroupBy(t => t.Other).Select(g => new { Type = g.Key, Count = g.Sum(t => t.Value) }).ToListAsync(ct);
        long Created(int upTo, int? type = null, int? since = null) =>
            (since is null ? before1.Where(b => type is null || b.Type == type).Sum(b => b.Count) : 0)
            + created.Where(c => c.Day <= upTo && (since is null || c.Day >= since) && (type is null || c.Type == type)).Sum(c => c.Count);
        var individual = (int)CustomerType.Individual;

        var total = new Figure("Total customers", Created(dayN), Created(prevN), CustomerListQueryString.Link((CustomerListQueryString.CreatedTo, last)));
        var createdFigure = new Figure("New customers", Created(dayN, since: day1), Created(prevN, since: prev1),
            CustomerListQueryString.Link((CustomerListQueryString.CreatedFrom, first), (CustomerListQueryString.CreatedTo, last)));
        var activeNow = await DistinctAsync(db, DashboardSeries.ActivityDays, DashboardSeries.ActivityMonths, period.First, period.Last, ct);
        var activeThen = await DistinctAsync(db, DashboardSeries.ActivityDays, DashboardSeries.ActivityMonths, previous.First, previous.Last, ct);
        var active = new Figure("Active customers", activeNow.Customers, activeThen.Customers,
            CustomerListQueryString.Link((CustomerListQueryString.ActiveFrom, first), (CustomerListQueryString.ActiveTo, last)));
        var privateCustomers = new Figure("Private", Created(dayN, individual), Created(prevN, individual),
            CustomerListQueryString.Link((CustomerListQueryString.Kind, "private"), (CustomerListQueryString.CreatedTo, last)));
        var businessCustomers = new Figure("Business", total.Value - privateCustomers.Value, total.Previous - privateCustomers.Previous,
            CustomerListQueryString.Link((CustomerListQueryString.Kind, "business"), (CustomerListQueryString.CreatedTo, last)));

        // Revenue, tickets closed and turnaround per day over both periods, in one read.
        var daily = await totals.Where(t => t.Day >= prev1 && t.Day <= dayN
                && (t.Series == DashboardSeries.Revenue || t.Series == DashboardSeries.ClosedTickets || t.Series == DashboardSeries.TurnaroundMs))
            .GroupBy(t => new { t.Series, Now = t.Day >= day1 }).Select(g => new { g.Key.Series, g.Key.Now, Value = g.Sum(t => t.Value) })
            .ToListAsync(ct);
        long Daily(DashboardSeries series, bool now) => daily.Where(d => d.Series == series && d.Now == now).Sum(d => d.Value);

        var buyersNow = await DistinctAsync(db, DashboardSeries.PurchaseDays, DashboardSeries.PurchaseMonths, period.First, period.Last, ct);
        var buyersThen = await DistinctAsync(db, DashboardSeries.PurchaseDays, DashboardSeries.PurchaseMonths, previous.First, previous.Last, ct);
        var (revenueNow, revenueThen) = (Daily(DashboardSeries.Revenue, true) / 100m, Daily(DashboardSeries.Revenue, false) / 100m);
        var buyersLink = CustomerListQueryString.Link((CustomerListQueryString.BoughtFrom, first), (CustomerListQueryString.BoughtTo, last));
        var revenue = new Figure("Revenue", revenueNow, revenueThen, buyersLink, FigureFormat.Money);
        var average = new Figure("Average customer value", Ratio(revenueNow, buyersNow.Customers, 2), Ratio(revenueThen, buyersThen.Customers, 2),
            buyersLink, FigureFormat.Money);
        var repeat = new Figure("Repeat-customer rate", Ratio(buyersNow.Returning, buyersNow.Customers, 4), Ratio(buyersThen.Returning, buyersThen.Customers, 4),
            CustomerListQueryString.Link((CustomerListQueryString.BoughtFrom, first), (CustomerListQueryString.BoughtTo, last),
                (CustomerListQueryString.BoughtEarlier, "1")), FigureFormat.Percent)
        {
            Explanation = "Buyers in the period who had bought before it",
        };

        var closedNow = Daily(DashboardSeries.ClosedTickets, true);
        var closed = new Figure("Tickets closed", closedNow, Daily(DashboardSeries.ClosedTickets, false),
            $"/tickets?status=closed&closed_from={first}&closed_to={last}");
        double? turnaround = closedNow == 0 ? null : Daily(DashboardSeries.TurnaroundMs, true) / (double)closedNow / 3_600_000.0;

        var byStatus = await totals.Where(t => t.Series == DashboardSeries.OpenTickets)
            .GroupBy(t => t.Other).Select(g => new { Status = g.Key, Count = g.Sum(t => t.Value) }).ToListAsync(ct);
        var open = TicketWorkflow.Active
            .Select(s => new StatusCount(s, (int)(byStatus.FirstOrDefault(b => b.Status == (int)s)?.Count ?? 0), $"/tickets?status={s.ToString().ToLowerInvariant()}"))
            .ToList();

        var types = await totals.Where(t => t.Series == DashboardSeries.Customers)
            .GroupBy(t => t.Other).Select(g => new { Type = g.Key, Count = g.Sum(t => t.Value) }).Where(g => g.Count > 0).ToListAsync(ct);
        var byType = types.OrderByDescending(t => t.Count).ThenBy(t => t.Type)
            .Select(t => new TypeCount((CustomerType)t.Type, (int)t.Count,
                CustomerListQueryString.Link((CustomerListQueryString.Type, ((CustomerType)t.Type).ToString().ToLowerInvariant()))))
            .ToList();

        var months = LastTwelveMonths(period.Last);
        var (yearFirst, yearLast) = (months[0].DayNumber, months[^1].AddMonths(1).AddDays(-1).DayNumber);
        var perDay = await totals.Where(t => (t.Series == DashboardSeries.Customers || t.Series == DashboardSeries.Revenue) && t.Day >= yearFirst && t.Day <= yearLast)
            .GroupBy(t => new { t.Series, t.Day }).Select(g => new { g.Key.Series, g.Key.Day, Value = g.Sum(t => t.Value) }).ToListAsync(ct);
        decimal InMonth(DashboardSeries series, DateOnly month) => perDay
            .Where(d => d.Series == series && d.Day >= month.DayNumber && d.Day < month.AddMonths(1).DayNumber).Sum(d => d.Value);

        var topByRevenue = await live(db).Where(c => c.TotalSpent > 0).OrderByDescending(c => c.TotalSpent).ThenBy(c => c.Id).Take(TopRows)
            .Ranked().ToListAsync(ct);
        var topByTickets = await live(db).Where(c => c.TicketCount > 0).OrderByDescending(c => c.TicketCount).ThenBy(c => c.Id).Take(TopRows)
            .Ranked().ToListAsync(ct);

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

        return new DashboardData(period, total, active, createdFigure, privateCustomers, businessCustomers, revenue, average, repeat, closed, turnaround,
            open, byType,
            months.Select(m => new MonthValue(m, InMonth(DashboardSeries.Customers, m))).ToList(),
            months.Select(m => new MonthValue(m, InMonth(DashboardSeries.Revenue, m) / 100m)).ToList(),
            topByRevenue, topByTickets, events, sms);

        static IQueryable<Customer> live(AppDbContext db) => db.Customers.Live();
    }

    /// <summary>Customers per city among those with more than <paramref name="moreThanTickets"/> tickets, largest first.</summary>
    public static async Task<IReadOnlyList<CityCount>> CitiesAsync(this AppDbContext db, int moreThanTickets, CancellationToken ct = default)
    {
        // Zero or less: every customer with a city (one total per city, read in order of the count from an index);
        // otherwise the cities' rows for each ticket count above the filter, added up per city.
        var rows = moreThanTickets <= 0
            ? await db.DashboardTotals.Where(t => t.Series == DashboardSeries.CityTotals && t.Day == 0 && t.Other == 0 && t.Value > 0)
                .OrderByDescending(t => t.Value).ThenBy(t => t.Text).Take(CityRows).Select(t => new { City = t.Text, Count = t.Value }).ToListAsync(ct)
            : await db.DashboardTotals.Where(t => t.Series == DashboardSeries.CityCustomers && t.Day == 0 && t.Other > moreThanTickets)
                .GroupBy(t => t.Text).Select(g => new { City = g.Key, Count = g.Sum(t => t.Value) }).Where(g => g.Count > 0)
                .OrderByDescending(g => g.Count).ThenBy(g => g.City).Take(CityRows).ToListAsync(ct);
        var min = moreThanTickets > 0 ? (moreThanTickets + 1).ToString() : null;
        return rows.Select(r => new CityCount(r.City, (int)r.Count,
            CustomerListQueryString.Link((CustomerListQueryString.City, r.City), (CustomerListQueryString.TicketsMin, min)))).ToList();
    }

    private static IQueryable<RankedCustomer> Ranked(this IQueryable<Customer> customers) =>
        customers.Select(c => new RankedCustomer(c.Id,
            c.DisplayName ?? (c.Type == CustomerType.Individual ? (c.FirstName ?? "") + " " + (c.LastName ?? "") : c.Name ?? ""),
            c.TotalSpent, c.TicketCount));

    private sealed record Distinct(long Customers, long FirstTime)
    {
        /// <summary>Customers who had also bought (or been active) before the range.</summary>
        public long Returning => Customers - FirstTime;
    }

    /// <summary>
    /// Distinct live customers with a day of the series in [first, last]: the day-pair rows whose earlier day is before
    /// <paramref name="first"/> (see <see cref="DashboardContributions"/>). Whole months inside the range are read from the
    /// month rows, the days before the first and after the last whole month from the day rows.
    /// </summary>
    private static async Task<Distinct> DistinctAsync(AppDbContext db, DashboardSeries days, DashboardSeries months, DateOnly first, DateOnly last,
        CancellationToken ct)
    {
        var fullFrom = first.Day == 1 ? first : new DateOnly(first.Year, first.Month, 1).AddMonths(1);
        var fullTo = new DateOnly(last.Year, last.Month, 1); // the month after the last whole month
        if (last.AddDays(1).Day == 1) fullTo = fullTo.AddMonths(1);
        var ranges = new List<(DashboardSeries Series, int From, int To)>();
        if (fullFrom < fullTo)
        {
            ranges.Add((months, fullFrom.DayNumber, fullTo.AddDays(-1).DayNumber));
            if (first < fullFrom) ranges.Add((days, first.DayNumber, fullFrom.AddDays(-1).DayNumber));
            if (fullTo <= last) ranges.Add((days, fullTo.DayNumber, last.DayNumber));
        }
        else
        {
            ranges.Add((days, first.DayNumber, last.DayNumber));
        }
        var start = first.DayNumber;
        long customers = 0, firstTime = 0;
        foreach (var (series, from, to) in ranges)
        {
            var sums = await db.DashboardTotals.Where(t => t.Series == series && t.Day >= from && t.Day <= to && t.Other < start)
                .GroupBy(t => 1).Select(g => new { All = g.Sum(t => t.Value), First = g.Sum(t => t.Other == DashboardContributions.NoDay ? t.Value : 0) })
                .ToListAsync(ct);
            if (sums is [var row]) (customers, firstTime) = (customers + row.All, firstTime + row.First);
        }
        return new Distinct(customers, firstTime);
    }

    private static decimal Ratio(decimal part, long whole, int decimals) => whole == 0 ? 0m : decimal.Round(part / whole, decimals, MidpointRounding.AwayFromZero);

    /// <summary>The first days of the twelve venue months ending with the one that holds <paramref name="last"/>.</summary>
    public static IReadOnlyList<DateOnly> LastTwelveMonths(DateOnly last)
    {
        var month = new DateOnly(last.Year, last.Month, 1);
        return Enumerable.Range(0, 12).Select(i => month.AddMonths(i - 11)).ToList();
    }

}
