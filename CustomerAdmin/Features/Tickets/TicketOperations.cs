using CustomerAdmin.Common;
using CustomerAdmin.Features.Customers;
using CustomerAdmin.Features.Customers.Search;
using CustomerAdmin.Features.Customers.Status;
using CustomerAdmin.Features.Webhooks;
using CustomerAdmin.Data;
using CustomerAdmin.Data.Sql;
using Microsoft.EntityFrameworkCore;

namespace CustomerAdmin.Features.Tickets;

/// <summary>What the ticket form collects; the operation checks it again, whatever the form let through.</summary>
public sealed class TicketDraft
{
    public int? CustomerId { get; set; }
    public int? EquipmentId { get; set; }
    public string? Item { get; set; }
    public string? Problem { get; set; }
    public TicketPriority Priority { get; set; } = TicketPriority.Normal;
    public decimal? QuotedAmount { get; set; }
    public string? Assignee { get; set; }
}

/// <summary>
/// Ticket changes that move a customer's stats or allocate a number. Each runs in one transaction on a fresh
/// context, so a refused or failed change leaves nothing half-written, and is retried when a concurrent change
/// (another ticket number taken, the ticket saved by someone else) got there first. The customer's stats move with
/// the save (<see cref="CustomerStatsKeeper"/>).
/// </summary>
public static class TicketOperations
{
    // Every failed attempt means another save succeeded meanwhile, so this bounds how many people can open a ticket
    // at the same moment before one of them sees an error.
    private const int Attempts = 12;

    /// <summary>PostgreSQL advisory lock key that serialises ticket-number allocation (held until the transaction ends).</summary>
    private const long NumberLockKey = 0x5469636B6574; // "Ticket"


    public static Dictionary<string, string> Validate(TicketDraft d)
    {
        var errors = new Dictionary<string, string>();
        if (d.CustomerId is null) errors[nameof(TicketDraft.CustomerId)] = "Choose the customer.";
        if (string.IsNullOrWhiteSpace(d.Problem)) errors[nameof(TicketDraft.Problem)] = "Describe the problem.";
        else if (d.Problem.Trim().Length > Ticket.ProblemMax) errors[nameof(TicketDraft.Problem)] = $"Keep the problem under {Ticket.ProblemMax} characters.";
        if (d.EquipmentId is null && string.IsNullOrWhiteSpace(d.Item)) errors[nameof(TicketDraft.Item)] = "Say what was brought in, or pick the customer's equipment.";
        if ((d.Item?.Trim().Length ?? 0) > Ticket.ItemMax) errors[nameof(TicketDraft.Item)] = $"Keep the item under {Ticket.ItemMax} characters.";
        if ((d.Assignee?.Trim().Length ?? 0) > Ticket.AssigneeMax) errors[nameof(TicketDraft.Assignee)] = $"Keep the assignee under {Ticket.AssigneeMax} characters.";
        if (!Enum.IsDefined(d.Priority)) errors[nameof(TicketDraft.Priority)] = "Choose a priority.";
        if (Money.Check(d.QuotedAmount, "quoted amount") is { } money) errors[nameof(TicketDraft.QuotedAmount)] = money;
        return errors;
    }

    /// <param name="blockOverride">A manager's override, needed to open a ticket for a blocked customer (<see cref="CustomerBlocks"/>).</param>
    public static async Task<Ticket> CreateAsync(IDbContextFactory<AppDbContext> factory, TicketDraft draft, TimeProvider time,
        string? actor = null, CancellationToken ct = default, BlockOverride? blockOverride = null)
    {
        RuleViolationException.ThrowFirst(Validate(draft));
        for (var attempt = 1; ; attempt++)
        {
            await using var db = await factory.CreateDbContextAsync(ct);
            if (actor is not null) db.Actor = actor;
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            var customer = await db.Customers.AsNoTracking().FirstOrDefaultAsync(c => c.Id == draft.CustomerId, ct);
            if (customer is null || customer.Status.IsGone())
                throw new RuleViolationException("This customer has been deleted, so no ticket can be opened for them. Choose another customer.",
                    nameof(TicketDraft.CustomerId));
            if (draft.EquipmentId is { } equipmentId
                && !await db.Equipment.AnyAsync(q => q.Id == equipmentId && q.CustomerId == customer.Id, ct))
                throw new RuleViolationException("That equipment does not belong to this customer.", nameof(TicketDraft.EquipmentId));

            var now = time.GetUtcNow().UtcDateTime;
            await CustomerBlocks.CheckAsync(db, customer, blockOverride, "a ticket", nameof(TicketDraft.CustomerId), now, ct);
            var sequence = await NextSequenceAsync(db, ct);
            var ticket = new Ticket
            {
                Sequence = sequence, Number = Ticket.FormatNumber(sequence), CustomerId = customer.Id,
                EquipmentId = draft.EquipmentId, Item = TextInput.Blank(draft.Item), Problem = draft.Problem!.Trim(),
                Priority = draft.Priority, QuotedAmount = draft.QuotedAmount, Assignee = TextInput.Blank(draft.Assignee),
                Status = TicketStatus.Open, OpenedAt = now, UpdatedAt = now, CreatedBy = db.Actor, UpdatedBy = db.Actor, Version = 1,
            };
            db.Tickets.Add(ticket);
            db.Activities.Add(TicketTimeline.Opened(ticket, now, db.Actor));
            try
            {
                await db.SaveChangesAsync(ct);
                await tx.CommitAsync(ct);
                return ticket;
            }
            catch (DbUpdateException ex) when (IsNumberClash(db, ex) && attempt < Attempts)
            {
                // Someone else took this number between our read and our insert: read the new maximum and try again,
                // after a short random pause so the losers of one round do not collide again in the next.
                await Task.Delay(Random.Shared.Next(5, 25 * attempt), ct);
            }
        }
    }

    /// <summary>
    /// The next ticket sequence number, for the caller to insert in its open transaction (and the following ones, for a
    /// caller that inserts many). On PostgreSQL it first takes the ticket-number advisory lock, held until that
    /// transaction ends, so concurrent creators (staff, the legacy import) queue here instead of all reading the same
    /// maximum and retrying; SQLite has one writer at a time anyway, and a clash there is retried by the caller.
    /// </summary>
    public static async Task<int> NextSequenceAsync(AppDbContext db, CancellationToken ct = default)
    {
        if (db.Database.CurrentTransaction is null)
            throw new InvalidOperationException("Allocate ticket numbers inside the transaction that inserts the tickets.");
        await db.Sql().AdvisoryLockAsync(db, NumberLockKey, ct);
        return (await db.Tickets.MaxAsync(t => (int?)t.Sequence, ct) ?? 0) + 1;
    }

    /// <summary>Moves a ticket along the workflow; closing needs the final amount and counts a visit.</summary>
    /// <param name="expectedVersion">The version the user looked at, so a change made meanwhile is not overridden blindly.</param>
    /// <param name="readySms">
    /// On a move to Ready, the outbox that texts the customer "ready for pickup" in the move's transaction; null sends
    /// nothing. The message is keyed by the ticket's new version, so a repeated click or retry of the same move (refused
    /// as stale) never sends it twice, while moving away and back to Ready is a new move with its own message.
    /// </param>
    public static Task<Ticket> ChangeStatusAsync(IDbContextFactory<AppDbContext> factory, int ticketId, int expectedVersion,
        TicketStatus to, decimal? finalAmount, TimeProvider time, string? actor = null, CancellationToken ct = default,
        Features.Sms.SmsOutbox? readySms = null)
    {
        if (to == TicketStatus.Closed && Money.Check(finalAmount, "final amount", required: true) is { } error)
            throw new RuleViolationException(error);
        if (!Enum.IsDefined(to)) throw new RuleViolationException("That is not a ticket status.");
        return UpdateAsync(factory, ticketId, expectedVersion, time, actor, ct, async (db, ticket, now) =>
        {
            if (TicketWorkflow.Check(ticket.Status, to) is { } refused) throw new RuleViolationException(refused);
            if (to == TicketStatus.Closed)
            {
                ticket.FinalAmount = finalAmount;
                ticket.ClosedAt = now;
            }
            else if (to == TicketStatus.Cancelled)
            {
                ticket.ClosedAt = now;
            }
            ticket.Status = to;
            if (to is TicketStatus.Closed or TicketStatus.Cancelled) db.Activities.Add(TicketTimeline.Ended(ticket, now, db.Actor));
            if (to == TicketStatus.Ready && readySms is not null)
            {
                var customer = await db.Customers.AsNoTracking().FirstAsync(c => c.Id == ticket.CustomerId, ct);
                await db.Entry(ticket).Reference(t => t.Equipment).LoadAsync(ct);
                readySms.EnqueueTicketReady(db, await readySms.TemplatesAsync(db, ct), customer, ticket, expectedVersion + 1, ItemOf(ticket));
            }
        });
    }

    /// <summary>What was brought in, as a customer reads it in "your … is ready": the equipment (loaded), or the item typed.</summary>
    public static string ItemOf(Ticket ticket) => ticket.Equipment?.Label ?? ticket.Item ?? "repair";

    /// <summary>A draft holding what a ticket says now, for its edit form.</summary>
    public static TicketDraft DraftOf(Ticket t) => new()
    {
        CustomerId = t.CustomerId, EquipmentId = t.EquipmentId, Item = t.Item, Problem = t.Problem,
        Priority = t.Priority, QuotedAmount = t.QuotedAmount, Assignee = t.Assignee,
    };

    /// <summary>
    /// Corrects a ticket's item or equipment, problem, priority, quote and assignee, with the checks of
    /// <see cref="CreateAsync"/>. The customer, the status and the final amount are not edits: they move through
    /// the workflow (<see cref="ChangeStatusAsync"/>, <see cref="ReopenAsync"/>), which keeps the stats right.
    /// </summary>
    /// <param name="expectedVersion">The version the user edited; a change saved meanwhile raises <see cref="StaleTicketException"/>.</param>
    public static Task<Ticket> EditAsync(IDbContextFactory<AppDbContext> factory, int ticketId, int expectedVersion,
        TicketDraft draft, TimeProvider time, string? actor = null, CancellationToken ct = default)
    {
        RuleViolationException.ThrowFirst(Validate(draft));
        return UpdateAsync(factory, ticketId, expectedVersion, time, actor, ct, async (db, ticket, now) =>
        {
            if (draft.CustomerId != ticket.CustomerId)
                throw new RuleViolationException("A ticket cannot be moved to another customer by editing it.", nameof(TicketDraft.CustomerId));
            if (TicketWorkflow.CheckEdit(ticket.Status, draft.QuotedAmount != ticket.QuotedAmount) is { } refused)
                throw new RuleViolationException(refused, nameof(TicketDraft.QuotedAmount));
            if (draft.EquipmentId is { } equipmentId && equipmentId != ticket.EquipmentId
                && !await db.Equipment.AnyAsync(q => q.Id == equipmentId && q.CustomerId == ticket.CustomerId, ct))
                throw new RuleViolationException("That equipment does not belong to this customer.", nameof(TicketDraft.EquipmentId));
            ticket.EquipmentId = draft.EquipmentId;
            ticket.Item = TextInput.Blank(draft.Item);
            ticket.Problem = draft.Problem!.Trim();
            ticket.Priority = draft.Priority;
            ticket.QuotedAmount = draft.QuotedAmount;
            ticket.Assignee = TextInput.Blank(draft.Assignee);
        });
    }

    /// <summary>Back to open; a closed ticket's amount and visit leave the customer's stats with the save.</summary>
    public static Task<Ticket> ReopenAsync(IDbContextFactory<AppDbContext> factory, int ticketId, int expectedVersion,
        TimeProvider time, string? actor = null, CancellationToken ct = default) =>
        UpdateAsync(factory, ticketId, expectedVersion, time, actor, ct, async (db, ticket, now) =>
        {
            if (!TicketWorkflow.CanReopen(ticket.Status))
                throw new RuleViolationException("Only a closed or cancelled ticket can be reopened.");
            db.Activities.Add(TicketTimeline.Reopened(ticket, now, db.Actor));
            ticket.Status = TicketStatus.Open;
            ticket.FinalAmount = null;
            ticket.ClosedAt = null;
        });

    private static async Task<Ticket> UpdateAsync(IDbContextFactory<AppDbContext> factory, int ticketId, int expectedVersion,
        TimeProvider time, string? actor, CancellationToken ct, Func<AppDbContext, Ticket, DateTime, Task> change)
    {
        for (var attempt = 1; ; attempt++)
        {
            await using var db = await factory.CreateDbContextAsync(ct);
            if (actor is not null) db.Actor = actor;
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            var ticket = await db.Tickets.FirstOrDefaultAsync(t => t.Id == ticketId, ct)
                ?? throw new RuleViolationException("This ticket no longer exists.");
            if (ticket.Version != expectedVersion)
                throw new StaleTicketException();
            var now = time.GetUtcNow().UtcDateTime;
            var from = ticket.Status;
            await change(db, ticket, now);
            ticket.Version = expectedVersion + 1;
            ticket.UpdatedAt = now;
            ticket.UpdatedBy = db.Actor;
            if (ticket.Status != from)
                await WebhookOutbox.AddAsync(db, WebhookEvents.TicketStatusChanged,
                    () => new { id = ticket.Id, from, to = ticket.Status, ticket = Api.TicketResponse.From(ticket) }, ct);
            try
            {
                await db.SaveChangesAsync(ct);
                await tx.CommitAsync(ct);
                return ticket;
            }
            catch (DbUpdateConcurrencyException) when (attempt < Attempts)
            {
                // The ticket changed under us; the next attempt rereads it and refuses the stale change.
            }
            catch (DbUpdateException ex) when (db.Sql().IsUniqueViolation(ex,
                db.Model.UniqueIndex<SmsMessage>(nameof(SmsMessage.TicketId), nameof(SmsMessage.TicketVersion))))
            {
                // The same move to Ready, saved at the same moment by another click: its message is the one.
                throw new StaleTicketException();
            }
        }
    }

    /// <summary>True when the database refused a ticket number another writer took first (on SaveChanges or a raw insert).</summary>
    public static bool IsNumberClash(AppDbContext db, Exception ex) =>
        db.Sql().IsUniqueViolation(ex, db.Model.UniqueIndex<Ticket>(nameof(Ticket.Sequence)))
        || db.Sql().IsUniqueViolation(ex, db.Model.UniqueIndex<Ticket>(nameof(Ticket.Number)));
}

/// <summary>Someone else changed the ticket since the user loaded it.</summary>
public sealed class StaleTicketException() : Exception("Someone else changed this ticket meanwhile; it has been reloaded, please check and try again.");
