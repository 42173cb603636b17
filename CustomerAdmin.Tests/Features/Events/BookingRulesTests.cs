using CustomerAdmin.Common;
using CustomerAdmin.Features.Customers;
using CustomerAdmin.Features.Customers.Search;
using CustomerAdmin.Features.Events;
using CustomerAdmin.Data;

namespace CustomerAdmin.Tests.Features.Events;

public class BookingRulesTests
{
    private static readonly DateTime Now = new(2026, 3, 1, 14, 0, 0, DateTimeKind.Utc);
    private static readonly VenueOptions Venue = new() { TimeZone = "America/New_York" };

    private static Event Jazz(int capacity = 10) => new() { Name = "Jazz night", Capacity = capacity, StartsAt = Now.AddDays(3) };

    [Theory]
    [InlineData(7, 3, null)]
    [InlineData(8, 3, "Only 2 seats are left on Jazz night; 3 cannot be booked.")]
    [InlineData(9, 2, "Only 1 seat is left on Jazz night; 2 cannot be booked.")]
    [InlineData(10, 1, "Jazz night is full: no seats are left. Book 0 seats to send the customer reminders only.")]
    [InlineData(10, 0, null)]
    public void CapacityRefusalSaysHowManySeatsAreLeft(int bookedByOthers, int seats, string? expected) =>
        Assert.Equal(expected, BookingOperations.CapacityRefusal(Jazz(), bookedByOthers, seats));

    [Fact]
    public void CancelledOrStartedEventsAreNotBookable()
    {
        Assert.Null(BookingOperations.NotBookableReason(Jazz(), Now));
        Assert.Contains("cancelled", BookingOperations.NotBookableReason(new Event { Name = "X", StartsAt = Now.AddDays(1), Status = EventStatus.Cancelled }, Now));
        Assert.Contains("already started", BookingOperations.NotBookableReason(new Event { Name = "X", StartsAt = Now }, Now));
    }

    [Fact]
    public void BookingDraftRefusesNegativeSeatsAndMissingChoices()
    {
        var errors = BookingOperations.Validate(new BookingDraft { Seats = -1 });
        Assert.Equal([nameof(BookingDraft.CustomerId), nameof(BookingDraft.EventId), nameof(BookingDraft.Seats)], errors.Keys.Order());
        Assert.Contains("0 = reminder only", errors[nameof(BookingDraft.Seats)]);
        Assert.Empty(BookingOperations.Validate(new BookingDraft { CustomerId = 1, EventId = 2, Seats = 0 }));
    }

    [Fact]
    public void EventDraftNeedsNameCapacityOfOneAndNoNegativePrice()
    {
        var draft = new EventDraft { Name = " ", Date = new DateTime(2026, 4, 1), Time = TimeSpan.FromHours(19), Capacity = 0, Price = -1m };
        var errors = EventOperations.Validate(draft, Venue, Now);
        Assert.Equal([nameof(EventDraft.Capacity), nameof(EventDraft.Name), nameof(EventDraft.Price)], errors.Keys.Order());
        draft.Name = new string('x', Event.NameMax + 1);
        Assert.Contains("under", EventOperations.Validate(draft, Venue, Now)[nameof(EventDraft.Name)]);
    }

    [Fact]
    public void EventStartIsReadInTheVenueZoneAndMustBeAheadOnlyWhenNewOrMoved()
    {
        // 09:30 in New York on 1 March is 14:30 UTC: half an hour ahead of "now".
        var draft = new EventDraft { Name = "Brunch", Date = new DateTime(2026, 3, 1), Time = new TimeSpan(9, 30, 0), Capacity = 5 };
        Assert.Empty(EventOperations.Validate(draft, Venue, Now));
        Assert.Equal(new DateTime(2026, 3, 1, 14, 30, 0, DateTimeKind.Utc), Venue.ToUtc(draft.VenueStart!.Value));

        draft.Time = new TimeSpan(8, 30, 0);
        Assert.Contains("past", EventOperations.Validate(draft, Venue, Now)[nameof(EventDraft.Date)]);
        Assert.Empty(EventOperations.Validate(draft, Venue, Now, startChanged: false));
    }

    [Fact]
    public void DeletionRefusalListsFutureBookingsAndOpenTickets()
    {
        Assert.Null(CustomerDeletion.Refusal("Ann Lee", [], []));
        var refusal = CustomerDeletion.Refusal("Ann Lee", ["T-000007"], ["Jazz night (4 Mar 2026)", "Gala (9 Apr 2026)"]);
        Assert.Equal("Ann Lee cannot be deleted while a ticket is open: T-000007. Close or cancel it first; and they are booked on 2 events to come: "
            + "Jazz night (4 Mar 2026), Gala (9 Apr 2026). Cancel these bookings first.", refusal);
    }
}
