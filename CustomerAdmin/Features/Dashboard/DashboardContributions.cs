using CustomerAdmin.Data;

namespace CustomerAdmin.Features.Dashboard;

/// <summary>
/// The dashboard summary's arithmetic, with nothing read or written: a customer's <em>contribution</em>
/// (<see cref="Contribute"/>) to the summary rows, a pure function of the customer and their tickets and sales, and
/// what adding customers and tickets moves (<see cref="AddedTo"/>). <see cref="DashboardSummary"/> reads the facts,
/// locks and writes the rows.
/// <para>
/// Distinct customers (active, buyers, returning buyers) in any range of days: each of a customer's distinct
/// purchase days is counted once with the day before it on which they bought (or -1). The customers who bought in
/// [first, last] are exactly those with a purchase day in that range whose previous purchase day is before
/// <c>first</c>: each counted once, at their first purchase day in the range. The same rows keyed by month let a
/// period made of whole months read twelve rows per earlier day instead of 365.
/// </para>
/// </summary>
public static class DashboardContributions
{
    /// <summary>Bumped when what a contribution counts changes: a database built with another scheme is rebuilt.</summary>
    public const int Scheme = 2;

    /// <summary>"No earlier day" in the day-pair series.</summary>
    public const int NoDay = -1;

    public readonly record struct Key(DashboardSeries Series, int Day, int Other, string Text = "");

    public sealed record CustomerFacts(int Id, DateTime FirstSeenAt, CustomerType Type, CustomerStatus Status, string? City);
    public sealed record TicketFacts(int CustomerId, TicketStatus Status, DateTime OpenedAt, DateTime? ClosedAt, decimal? FinalAmount);
    public sealed record SaleFacts(int CustomerId, DateTime SoldAt, decimal Total);

    public static int DayOf(DateTime utc, TimeZoneInfo zone) => zone.BaseUtcOffset == TimeSpan.Zero && !zone.SupportsDaylightSavingTime
        ? DateOnly.FromDateTime(utc).DayNumber
        : DateOnly.FromDateTime(TimeZoneInfo.ConvertTimeFromUtc(DateTime.SpecifyKind(utc, DateTimeKind.Utc), zone)).DayNumber;

    public static int MonthOf(int day)
    {
        var d = DateOnly.FromDayNumber(day);
        return new DateOnly(d.Year, d.Month, 1).DayNumber;
    }

    public static long Cents(decimal amount) => (long)decimal.Round(amount * 100m, MidpointRounding.AwayFromZero);

    /// <summary>Adds one customer's contribution (times <paramref name="sign"/>) to <paramref name="into"/>.</summary>
    public static void Contribute(Dictionary<Key, long> into, CustomerFacts customer, IReadOnlyCollection<TicketFacts> tickets,
        IReadOnlyCollection<SaleFacts> sales, TimeZoneInfo zone, int sign = 1)
    {
        void Add(Key key, long value)
        {
            if (value == 0) return;
            into[key] = into.GetValueOrDefault(key) + sign * value;
        }

        // Ticket figures count every ticket, as the ticket list does.
        foreach (var t in tickets)
        {
            if (t.Status == TicketStatus.Closed && t.ClosedAt is { } closed)
            {
                var day = DayOf(closed, zone);
                Add(new(DashboardSeries.ClosedTickets, day, 0), 1);
                Add(new(DashboardSeries.TurnaroundMs, day, 0), (closed - t.OpenedAt).Ticks / TimeSpan.TicksPerMillisecond);
            }
            else if (t.Status is not (TicketStatus.Closed or TicketStatus.Cancelled))
            {
                Add(new(DashboardSeries.OpenTickets, 0, (int)t.Status), 1);
            }
        }

        // Customer figures leave deleted and merged customers out, as the customer list does.
        if (customer.Status.IsGone()) return;
        Add(new(DashboardSeries.Customers, DayOf(customer.FirstSeenAt, zone), (int)customer.Type), 1);
        if (customer.City is { } city)
        {
            Add(new(DashboardSeries.CityCustomers, 0, tickets.Count, city), 1);
            Add(new(DashboardSeries.CityTotals, 0, 0, city), 1);
        }

        var purchases = new List<int>(tickets.Count + sales.Count);
        var activity = new List<int>(tickets.Count + sales.Count);
        foreach (var t in tickets)
        {
            activity.Add(DayOf(t.OpenedAt, zone));
            if (t.Status == TicketStatus.Closed && t.ClosedAt is { } closed)
            {
                var day = DayOf(closed, zone);
                purchases.Add(day);
                Add(new(DashboardSeries.Revenue, day, 0), Cents(t.FinalAmount ?? 0m));
            }
        }
        foreach (var s in sales)
        {
            var day = DayOf(s.SoldAt, zone);
            purchases.Add(day);
            activity.Add(day);
            Add(new(DashboardSeries.Revenue, day, 0), Cents(s.Total));
        }
        Pairs(purchases, DashboardSeries.PurchaseDays, DashboardSeries.PurchaseMonths);
        Pairs(activity, DashboardSeries.ActivityDays, DashboardSeries.ActivityMonths);

        void Pairs(List<int> days, DashboardSeries bySeriesDay, DashboardSeries byMonth)
        {
            days.Sort();
            var previous = NoDay;
            foreach (var day in days)
            {
                if (day == previous) continue; // distinct days
                Add(new(bySeriesDay, day, previous), 1);
                Add(new(byMonth, MonthOf(day), previous), 1);
                previous = day;
            }
        }
    }

    /// <summary>These customers with their tickets and sales, as the database holds them now.</summary>
    public sealed record Facts(List<CustomerFacts> Customers, List<TicketFacts> Tickets, List<SaleFacts> Sales)
    {
        public void ContributeTo(Dictionary<Key, long> into, TimeZoneInfo zone) => ContributeAll(into, Customers, Tickets, Sales, zone);
    }

    internal static void ContributeAll(Dictionary<Key, long> into, List<CustomerFacts> customers, List<TicketFacts> tickets,
        List<SaleFacts> sales, TimeZoneInfo zone)
    {
        var ticketsOf = tickets.ToLookup(t => t.CustomerId);
        var salesOf = sales.ToLookup(s => s.CustomerId);
        foreach (var c in customers)
            Contribute(into, c, ticketsOf[c.Id].ToList(), salesOf[c.Id].ToList(), zone);
    }

    /// <summary>What adding customers and tickets moves, for a change that only adds them (the legacy import).</summary>
    /// <param name="Delta">The summary rows' changes.</param>
    /// <param name="TicketCounts">The new ticket count of every customer that got a ticket.</param>
    public sealed record Added(Dictionary<Key, long> Delta, Dictionary<int, int> TicketCounts);

    /// <summary>
    /// What adding <paramref name="newCustomers"/> and <paramref name="newTickets"/> to the customers of
    /// <paramref name="before"/> (read by <see cref="DashboardSummary.LockAndReadAsync"/>) moves: their contributions with the additions
    /// minus without, computed from facts alone (nothing is read, so the legacy import runs it on another thread while it
    /// writes its rows). Customers not yet written can carry any id that is unique and not a database id (the import uses
    /// negative ones) and be mapped to their real ids in <see cref="Added.TicketCounts"/> afterwards. (No other writer
    /// can add to the same customers meanwhile: SQLite has one writer, and on PostgreSQL their rows are locked.)
    /// </summary>
    public static Added AddedTo(Facts before, IReadOnlyCollection<CustomerFacts> newCustomers, IReadOnlyCollection<TicketFacts> newTickets,
        TimeZoneInfo zone)
    {
        var delta = new Dictionary<Key, long>();
        ContributeAll(delta, [.. before.Customers, .. newCustomers], [.. before.Tickets, .. newTickets], before.Sales, zone);
        var without = new Dictionary<Key, long>();
        before.ContributeTo(without, zone);
        foreach (var (key, value) in without) delta[key] = delta.GetValueOrDefault(key) - value;
        var changed = newTickets.Select(t => t.CustomerId).ToHashSet();
        var counts = changed.ToDictionary(id => id, _ => 0);
        foreach (var t in before.Tickets.Concat(newTickets))
        {
            if (changed.Contains(t.CustomerId)) counts[t.CustomerId]++;
        }
        return new(delta, counts);
    }
}
