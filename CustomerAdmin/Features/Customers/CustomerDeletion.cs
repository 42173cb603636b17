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
    public static async Task<List<string>> OpenTicketNumbersAsync(this AppDbContext db, int customerId, CancellationToken ct = default) =>
        (await db.OpenTicketNumbersAsync([customerId], ct))[customerId].ToList();

    /// <summary>
    /// The customer's bookings (seats or reminder only) on scheduled events that have not started, soonest first, as
    /// "event name (date)": a deleted customer would still be expected at the door and still get the reminders.
    /// </summary>
    public static async Task<List<string>> FutureBookingsAsync(this AppDbContext db, int customerId, DateTime nowUtc, CancellationToken ct = default) =>
        (await db.FutureBookingsAsync([customerId], nowUtc, ct))[customerId].ToList();

    /// <summary>The open ticket numbers of each of these customers (at most 50 each, oldest first), in one query.</summary>
    public static async Task<ILookup<int, string>> OpenTicketNumbersAsync(this AppDbContext db, IReadOnlyCollection<int> customerIds,
        CancellationToken ct = default)
    {
        var ids = customerIds.ToList();
        var open = await db.Tickets.Where(t => ids.Contains(t.CustomerId)
                && t.Status != TicketStatus.Closed && t.Status != TicketStatus.Cancelled)
            .OrderBy(t => t.Sequence).Select(t => new { t.CustomerId, t.Number }).ToListAsync(ct);
        return open.GroupBy(t => t.CustomerId).SelectMany(g => g.Take(MaxListed)).ToLookup(t => t.CustomerId, t => t.Number);
    }

    /// <summary>The future bookings of each of these customers (at most 50 each, soonest first), in one query.</summary>
    public static async Task<ILookup<int, string>> FutureBookingsAsync(this AppDbContext db, IReadOnlyCollection<int> customerIds,
        DateTime nowUtc, CancellationToken ct = default)
    {
        var ids = customerIds.ToList();
        var events = await db.Bookings.Where(b => ids.Contains(b.CustomerId)
                && b.Event!.Status == EventStatus.Scheduled && b.Event.StartsAt > nowUtc)
            .OrderBy(b => b.Event!.StartsAt).Select(b => new { b.CustomerId, b.Event!.Name, b.Event.StartsAt }).ToListAsync(ct);
        return events.GroupBy(e => e.CustomerId).SelectMany(g => g.Take(MaxListed))
            .ToLookup(e => e.CustomerId, e => $"{e.Name} ({db.Venue.DisplayDate(e.StartsAt)})");
    }

    /// <summary>Why each of these customers may not be deleted (<see cref="Refusal"/>), for those who may not.</summary>
    public static async Task<Dictionary<int, string>> RefusalsAsync(this AppDbContext db, IReadOnlyCollection<Customer> customers,
        DateTime nowUtc, CancellationToken ct = default)
    {
        var ids = customers.Select(c => c.Id).ToList();
        var tickets = await db.OpenTicketNumbersAsync(ids, ct);
        var bookings = await db.FutureBookingsAsync(ids, nowUtc, ct);
        var refusals = new Dictionary<int, string>();
        foreach (var customer in customers)
            if (Refusal(customer.FullName, tickets[customer.Id].ToList(), bookings[customer.Id].ToList()) is { } refusal)
                refusals[customer.Id] = refusal;
        return refusals;
    }

    private const int MaxListed = 50;

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
