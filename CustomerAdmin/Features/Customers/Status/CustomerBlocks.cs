using CustomerAdmin.Common;
using CustomerAdmin.Data;

namespace CustomerAdmin.Features.Customers.Status;

/// <summary>A manager's decision to go past a customer's block for one booking, ticket or sale, and why.</summary>
public sealed record BlockOverride(string Reason);

/// <summary>
/// The rule every new booking, ticket and sale passes: a blocked customer gets none unless a manager overrides the
/// block with a reason, and the override goes on the customer's timeline in the same transaction. The operations
/// apply it; the pages ask for the override only from users holding <c>customers.override-block</c>.
/// </summary>
public static class CustomerBlocks
{
    /// <summary>The form field of the override's reason.</summary>
    public const string OverrideField = "BlockOverride";

    /// <summary>
    /// Refuses (a <see cref="RuleViolationException"/> at <paramref name="field"/> naming the block) when the customer is
    /// blocked and no override was given; with one, adds the "block overridden" timeline entry to <paramref name="db"/>.
    /// Does nothing for a customer who is not blocked.
    /// </summary>
    /// <param name="what">What is being done, for the messages: "a booking for Jazz night", "a ticket", "a sale".</param>
    public static async Task CheckAsync(AppDbContext db, Customer customer, BlockOverride? blockOverride, string what, string field,
        DateTime now, CancellationToken ct)
    {
        if (customer.Status != CustomerStatus.Blocked) return;
        if (blockOverride is null)
        {
            var note = await db.LatestStatusNoteAsync(customer.Id, ct);
            throw new RuleViolationException(Refusal(customer.FullName, note?.Status == CustomerStatus.Blocked ? note : null, what), field);
        }
        if (string.IsNullOrWhiteSpace(blockOverride.Reason))
            throw new RuleViolationException("Say why the block is overridden.", OverrideField);
        if (blockOverride.Reason.Trim().Length > CustomerChange.ReasonMax)
            throw new RuleViolationException($"Keep the reason under {CustomerChange.ReasonMax} characters.", OverrideField);
        db.Activities.Add(new Activity
        {
            CustomerId = customer.Id, Kind = ActivityKind.BlockOverridden,
            Subject = TextInput.Truncate($"Block overridden for {what}", Activity.SubjectMax), Body = blockOverride.Reason.Trim(),
            OccurredAt = now, CreatedAt = now, CreatedBy = db.Actor,
        });
    }

    /// <summary>"Ann Lee is blocked (unpaid repairs): a ticket needs a manager's override with a reason."</summary>
    public static string Refusal(string name, StatusNote? note, string what) =>
        $"{name} is blocked{(note?.Reason is { } reason ? $" ({reason})" : "")}: {what} needs a manager's override with a reason.";
}
