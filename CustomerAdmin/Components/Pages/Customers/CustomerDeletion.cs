using CustomerAdmin.Components.Pages.Tickets;
using CustomerAdmin.Data;
using Microsoft.EntityFrameworkCore;

namespace CustomerAdmin.Components.Pages.Customers;

/// <summary>When a customer may be (soft) deleted: not while work is still open for them.</summary>
public static class CustomerDeletion
{
    /// <summary>Numbers of the customer's tickets that are not closed or cancelled, oldest first.</summary>
    public static Task<List<string>> OpenTicketNumbersAsync(this AppDbContext db, int customerId, CancellationToken ct = default) =>
        db.Tickets.Where(t => t.CustomerId == customerId
                && t.Status != TicketStatus.Closed && t.Status != TicketStatus.Cancelled)
            .OrderBy(t => t.Sequence).Select(t => t.Number).Take(50).ToListAsync(ct);

    /// <returns>Null when the customer may be deleted, otherwise the message that says why not.</returns>
    public static string? Refusal(string customerName, IReadOnlyList<string> openTickets) => openTickets.Count == 0
        ? null
        : $"{customerName} cannot be deleted while {(openTickets.Count == 1 ? "a ticket is" : $"{openTickets.Count} tickets are")} open: "
          + string.Join(", ", openTickets) + ". Close or cancel " + (openTickets.Count == 1 ? "it" : "them") + " first.";
}
