using CustomerAdmin.Data;
using Microsoft.EntityFrameworkCore;

namespace CustomerAdmin.Features.Customers.Status;

/// <summary>The latest change of a customer's status: to what, why, by whom and when (from the field history).</summary>
public sealed record StatusNote(CustomerStatus Status, string? Reason, string? ChangedBy, DateTime ChangedAt);

public static class StatusNotes
{
    /// <summary>
    /// The history row of the customer's latest status change, or null when the status never changed (a customer
    /// created with it, or set before reasons were asked for). One probe of the history's (customer, time) index.
    /// </summary>
    public static async Task<StatusNote?> LatestStatusNoteAsync(this AppDbContext db, int customerId, CancellationToken ct = default)
    {
        var row = await db.CustomerChanges.AsNoTracking()
            .Where(c => c.CustomerId == customerId && c.Field == nameof(Customer.Status))
            .OrderByDescending(c => c.ChangedAt).ThenByDescending(c => c.Id)
            .Select(c => new { c.NewValue, c.Reason, c.ChangedBy, c.ChangedAt })
            .FirstOrDefaultAsync(ct);
        return row is not null && Enum.TryParse<CustomerStatus>(row.NewValue, out var status)
            ? new StatusNote(status, row.Reason, row.ChangedBy, row.ChangedAt)
            : null;
    }
}
