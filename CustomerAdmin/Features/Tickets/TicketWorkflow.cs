using CustomerAdmin.Data;


namespace CustomerAdmin.Features.Tickets;

/// <summary>
/// Which status a ticket may move to. Work in progress moves freely between the active statuses and may end
/// closed or cancelled; an ended ticket moves only through an explicit reopen, because reopening a closed ticket
/// takes its amount and visit back out of the customer's stats and that must never happen by a stray click.
/// </summary>
public static class TicketWorkflow
{
    public static readonly IReadOnlyList<TicketStatus> Active =
        [TicketStatus.Open, TicketStatus.InProgress, TicketStatus.WaitingForParts, TicketStatus.Ready];

    public static bool IsActive(TicketStatus s) => s is not (TicketStatus.Closed or TicketStatus.Cancelled);

    public static bool CanMove(TicketStatus from, TicketStatus to) => from != to && IsActive(from);

    public static IReadOnlyList<TicketStatus> NextStatuses(TicketStatus from) =>
        Enum.GetValues<TicketStatus>().Where(to => CanMove(from, to)).ToList();

    public static bool CanReopen(TicketStatus from) => !IsActive(from);

    /// <returns>Null when allowed, otherwise why not, in words for the user.</returns>
    public static string? Check(TicketStatus from, TicketStatus to)
    {
        if (from == to) return $"The ticket is already {Label(to).ToLowerInvariant()}.";
        if (!IsActive(from))
            return $"A {Label(from).ToLowerInvariant()} ticket cannot be set to {Label(to).ToLowerInvariant()}; reopen it first.";
        return null;
    }

    /// <summary>
    /// Whether a ticket's details may be edited. Descriptive fields can be corrected at any time, but the quote of
    /// an ended ticket stays as it was: money on an ended ticket moves only through reopen and close, which keep the
    /// customer's stats right.
    /// </summary>
    /// <returns>Null when allowed, otherwise why not, in words for the user.</returns>
    public static string? CheckEdit(TicketStatus status, bool quoteChanged) =>
        quoteChanged && !IsActive(status)
            ? $"The quoted amount of a {Label(status).ToLowerInvariant()} ticket cannot be changed; reopen it first."
            : null;

    public static string Label(TicketStatus s) => s switch
    {
        TicketStatus.InProgress => "In progress",
        TicketStatus.WaitingForParts => "Waiting for parts",
        _ => s.ToString(),
    };

    public static MudBlazor.Color ColorOf(TicketStatus s) => s switch
    {
        TicketStatus.Open => MudBlazor.Color.Info,
        TicketStatus.InProgress => MudBlazor.Color.Primary,
        TicketStatus.WaitingForParts => MudBlazor.Color.Warning,
        TicketStatus.Ready => MudBlazor.Color.Success,
        TicketStatus.Closed => MudBlazor.Color.Default,
        _ => MudBlazor.Color.Dark,
    };

    public static MudBlazor.Color ColorOf(TicketPriority p) => p switch
    {
        TicketPriority.Urgent => MudBlazor.Color.Error,
        TicketPriority.High => MudBlazor.Color.Warning,
        _ => MudBlazor.Color.Default,
    };
}
