using CustomerAdmin.Common;
namespace CustomerAdmin.Features.Dashboard;

public enum PeriodKind { ThisMonth, Last30Days, ThisQuarter, ThisYear, Custom }

/// <summary>
/// Whole days at the venue, <see cref="First"/> to <see cref="Last"/> inclusive. Boundaries are midnights in the
/// configured time zone (<see cref="VenueOptions.TimeZone"/>), so a ticket closed at 23:59 on the last day of a month
/// counts in that month wherever the server runs.
/// </summary>
public sealed record DashboardPeriod(PeriodKind Kind, DateOnly First, DateOnly Last)
{
    public int Days => Last.DayNumber - First.DayNumber + 1;

    /// <summary>The same number of days immediately before this period: what each figure is compared with.</summary>
    public DashboardPeriod Previous => new(Kind, First.AddDays(-Days), First.AddDays(-1));

    /// <summary>UTC, inclusive.</summary>
    public DateTime FromUtc(VenueOptions venue) => venue.ToUtc(First.ToDateTime(TimeOnly.MinValue));

    /// <summary>UTC, exclusive: the venue's midnight after the last day.</summary>
    public DateTime BeforeUtc(VenueOptions venue) => venue.ToUtc(Last.AddDays(1).ToDateTime(TimeOnly.MinValue));

    /// <param name="today">Today at the venue.</param>
    public static DashboardPeriod Of(PeriodKind kind, DateOnly today, DateOnly? customFirst = null, DateOnly? customLast = null)
    {
        switch (kind)
        {
            case PeriodKind.Last30Days:
                return new(kind, today.AddDays(-29), today);
            case PeriodKind.ThisQuarter:
                var quarter = new DateOnly(today.Year, (today.Month - 1) / 3 * 3 + 1, 1);
                return new(kind, quarter, quarter.AddMonths(3).AddDays(-1));
            case PeriodKind.ThisYear:
                return new(kind, new DateOnly(today.Year, 1, 1), new DateOnly(today.Year, 12, 31));
            case PeriodKind.Custom when customFirst is { } first && customLast is { } last:
                return first <= last ? new(kind, first, last) : new(kind, last, first);
            default:
                var month = new DateOnly(today.Year, today.Month, 1);
                return new(PeriodKind.ThisMonth, month, month.AddMonths(1).AddDays(-1));
        }
    }
}
