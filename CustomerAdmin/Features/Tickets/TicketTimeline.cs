using CustomerAdmin.Common;
using CustomerAdmin.Features.Customers.History;
using CustomerAdmin.Features.Customers.Search;
using CustomerAdmin.Data;

namespace CustomerAdmin.Features.Tickets;

/// <summary>
/// The customer-timeline entries a ticket's life writes (opened, closed, cancelled, reopened), the same whether staff
/// moved the ticket or the legacy import brought it over.
/// </summary>
public static class TicketTimeline
{
    public static Activity Opened(Ticket ticket, DateTime writtenAt, string actor) =>
        Entry(ticket, ActivityKind.TicketOpened, $"Ticket {ticket.Number} opened", ticket.Problem, ticket.OpenedAt, writtenAt, actor);

    /// <summary>Closed with its final amount, or cancelled; at the ticket's <see cref="Ticket.ClosedAt"/>.</summary>
    public static Activity Ended(Ticket ticket, DateTime writtenAt, string actor) => ticket.Status == TicketStatus.Cancelled
        ? Entry(ticket, ActivityKind.TicketClosed, $"Ticket {ticket.Number} cancelled", null, ticket.ClosedAt ?? writtenAt, writtenAt, actor)
        : Entry(ticket, ActivityKind.TicketClosed, $"Ticket {ticket.Number} closed", Money.Format(ticket.FinalAmount), ticket.ClosedAt ?? writtenAt, writtenAt, actor);

    public static Activity Reopened(Ticket ticket, DateTime at, string actor) =>
        Entry(ticket, ActivityKind.TicketReopened, $"Ticket {ticket.Number} reopened", null, at, at, actor);

    /// <summary>The entries an imported ticket gets: opened, and closed or cancelled when it already ended.</summary>
    /// <remarks>They carry the ticket's import run, so undoing the import removes them; what staff write later does not.</remarks>
    public static IEnumerable<Activity> ForImported(Ticket ticket, DateTime writtenAt, string actor)
    {
        var opened = Opened(ticket, writtenAt, actor);
        opened.ImportRunId = ticket.ImportRunId;
        yield return opened;
        if (ticket.Status is not (TicketStatus.Closed or TicketStatus.Cancelled)) yield break;
        var ended = Ended(ticket, writtenAt, actor);
        ended.ImportRunId = ticket.ImportRunId;
        yield return ended;
    }

    private static Activity Entry(Ticket ticket, ActivityKind kind, string subject, string? body, DateTime occurredAt, DateTime writtenAt, string actor) => new()
    {
        CustomerId = ticket.CustomerId, TicketId = ticket.Id == 0 ? null : ticket.Id, Ticket = ticket.Id == 0 ? ticket : null,
        Kind = kind, Subject = subject, Body = body,
        OccurredAt = occurredAt, CreatedAt = writtenAt, CreatedBy = actor,
    };
}
