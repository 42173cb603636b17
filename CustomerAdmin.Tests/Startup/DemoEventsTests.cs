using CustomerAdmin.Common;
using CustomerAdmin.Features.Customers.History;
using CustomerAdmin.Features.Customers.Search;
using CustomerAdmin.Data;
using CustomerAdmin.Startup;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Time.Testing;

namespace CustomerAdmin.Tests.Startup;

public class DemoEventsTests
{
    [Fact]
    public async Task DemoSeedHasUpcomingAndPastEventsWithinCapacityAndQueuesNoSms()
    {
        var ct = TestContext.Current.CancellationToken;
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 5, 10, 12, 0, 0, TimeSpan.Zero));
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite, ct: ct);

        await new DemoData(database.Factory, new PhoneNormalizer("US"), time).SeedAsync(60, ct);

        await using var db = database.CreateDbContext();
        var now = time.GetUtcNow().UtcDateTime;
        var events = await db.Events.AsNoTracking().Include(e => e.Bookings).ToListAsync(ct);
        Assert.Contains(events, e => e.StartsAt < now && e.Bookings.Count > 0);
        Assert.Contains(events, e => e.StartsAt > now && e.Bookings.Count > 0);
        Assert.All(events, e => Assert.True(e.Bookings.Sum(b => b.Seats) <= e.Capacity, e.Name));
        Assert.False(await db.SmsMessages.AnyAsync(m => m.Status == SmsStatus.Pending, ct));
        Assert.Equal(await db.Bookings.CountAsync(ct), await db.SmsMessages.CountAsync(m => m.Kind == SmsKind.BookingConfirmation, ct));
    }
}
