using CustomerAdmin.Features.Customers.Timeline;
using CustomerAdmin.Data;

namespace CustomerAdmin.Tests.Features.Customers.Timeline;

public sealed class TimelineFilterTests
{
    [Fact]
    public void EveryKindOfEntryCanBeFilteredToAndHasAReadableLabel()
    {
        var filters = Enum.GetValues<TimelineFilter>().Where(f => f != TimelineFilter.All).ToList();
        foreach (var kind in Enum.GetValues<ActivityKind>())
        {
            Assert.Single(filters, f => CustomerTimelineQuery.KindsOf(f).Contains(kind));
            // Enum names such as "BookingMade" are for code; the timeline shows words.
            var label = ActivityOperations.Label(kind);
            var name = kind.ToString();
            if (name.Skip(1).Any(char.IsUpper))
                Assert.NotEqual(name, label);
        }
    }
}
