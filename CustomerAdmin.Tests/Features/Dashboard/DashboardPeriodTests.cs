using CustomerAdmin.Common;
using CustomerAdmin.Features.Dashboard;
namespace CustomerAdmin.Tests.Features.Dashboard;

public class DashboardPeriodTests
{
    private static readonly DateOnly Today = new(2026, 5, 20);

    [Theory]
    [InlineData(PeriodKind.ThisMonth, "2026-05-01", "2026-05-31", "2026-03-31", "2026-04-30")]
    [InlineData(PeriodKind.Last30Days, "2026-04-21", "2026-05-20", "2026-03-22", "2026-04-20")]
    [InlineData(PeriodKind.ThisQuarter, "2026-04-01", "2026-06-30", "2025-12-31", "2026-03-31")]
    [InlineData(PeriodKind.ThisYear, "2026-01-01", "2026-12-31", "2025-01-01", "2025-12-31")]
    public void PeriodAndThePreviousOneOfTheSameLength(PeriodKind kind, string first, string last, string prevFirst, string prevLast)
    {
        var period = DashboardPeriod.Of(kind, Today);
        Assert.Equal((DateOnly.Parse(first), DateOnly.Parse(last)), (period.First, period.Last));
        Assert.Equal((DateOnly.Parse(prevFirst), DateOnly.Parse(prevLast)), (period.Previous.First, period.Previous.Last));
        Assert.Equal(period.Days, period.Previous.Days);
    }

    [Fact]
    public void CustomRangeGivenBackwardsIsPutInOrder()
    {
        var period = DashboardPeriod.Of(PeriodKind.Custom, Today, new DateOnly(2026, 2, 10), new DateOnly(2026, 2, 1));
        Assert.Equal((new DateOnly(2026, 2, 1), new DateOnly(2026, 2, 10)), (period.First, period.Last));
    }

    [Fact]
    public void BoundariesAreVenueMidnightsInUtc()
    {
        var venue = new VenueOptions { TimeZone = "America/New_York" };
        var march = DashboardPeriod.Of(PeriodKind.ThisMonth, new DateOnly(2026, 3, 15));
        Assert.Equal(new DateTime(2026, 3, 1, 5, 0, 0, DateTimeKind.Utc), march.FromUtc(venue));
        // Summer time started on 8 March: April begins at 04:00 UTC.
        Assert.Equal(new DateTime(2026, 4, 1, 4, 0, 0, DateTimeKind.Utc), march.BeforeUtc(venue));
    }
}
