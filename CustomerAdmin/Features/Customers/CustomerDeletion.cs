using CustomerAdmin.Features.Customers.History;
using CustomerAdmin.Features.Customers.Search;
using CustomerAdmin.Features.Tickets;
using CustomerAdmin.Data;
using Microsoft.EntityFrameworkCore;

namespace CustomerAdmin.Features.Customers;

/// <summary>When a customer may be (soft) deleted: not while work is still open for them or they are booked on an event to come.</summary>
public static class CustomerDeletion
{
    /// <summary>Numbers of the customer's tickets that are not closed or cancelled, oldest first.</summary>
    public static Task<List<string>> OpenTicketNumbersAsync(this AppDbContext db, int customerId, CancellationToken ct = default) =>
        db.Tickets.Where(t => t.CustomerId == customerId
                && t.Status != TicketStatus.Closed && t.Status != TicketStatus.Cancelled)
            .OrderBy(t => t.Sequence).Select(t => t.Number).Take(50).ToListAsync(ct);

    /// <summary>
    /// The customer's bookings (seats or reminder only) on scheduled events that have not started, soonest first, as
    /// "event name (date)": a deleted customer would still be expected at the door and still get the reminders.
    /// </summary>
    public static async Task<List<string>> FutureBookingsAsync(this AppDbContext db, int customerId, DateTime nowUtc, CancellationToken ct = default)
    {
        var events = await db.Bookings.Where(b => b.CustomerId == customerId
                && b.Event!.Status == EventStatus.Scheduled && b.Event.StartsAt > nowUtc)
            .OrderBy(b => b.Event!.StartsAt).Select(b => new { b.Event!.Name, b.Event.StartsAt }).Take(50).ToListAsync(ct);
        return events.Select(e => $"{e.Name} ({db.Venue.DisplayDate(e.StartsAt)})").ToList();
    }

    /// <returns>Null when the customer may be deleted, otherwise the message that says why not.</returns>
    public static string? Refusal(string customerName, IReadOnlyList<string> openTickets, IReadOnlyList<string>? futureBookings = null)
    {
        futureBookings ??= [];
        var reasons = new List<string>();
        if (openTickets.Count > 0)
            reasons.Add($"{(openTickets.Count == 1 ? "a ticket is" : $"{openTickets.Count} tickets are")} open: "
                + string.Join(", ", openTickets) + ". Close or cancel " + (openTickets.Count == 1 ? "it" : "them") + " first");
        if (futureBookings.Count > 0)
            reasons.Add($"they are booked on {(futureBookings.Count == 1 ? "an event" : $"{futureBookings.Count} events")} to come: "
                + string.Join(", ", futureBookings) + ". Cancel " + (futureBookings.Count == 1 ? "this booking" : "these bookings") + " first");
        return reasons.Count == 0 ? null : $"{customerName} cannot be deleted while " + string.Join("; and ", reasons) + ".";
    }
}
