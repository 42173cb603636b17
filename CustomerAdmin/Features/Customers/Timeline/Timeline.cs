using System.Security.Claims;
using CustomerAdmin.Data;
using CustomerAdmin.Security;
using Microsoft.EntityFrameworkCore;
using CustomerAdmin.Features.Customers;

namespace CustomerAdmin.Features.Customers.Timeline;

/// <summary>What the timeline's filter offers; each maps to one or more <see cref="ActivityKind"/>s.</summary>
public enum TimelineFilter { All, Calls, Emails, Meetings, Notes, Tickets, Sales, ContactChanges, Bookings, Sms, Merges, Status }

public sealed record TimelineEntry(
    long Id, ActivityKind Kind, NoteType? NoteType, bool IsInternal, string? Subject, string? Body,
    DateTime OccurredAt, string? CreatedBy, DateTime? UpdatedAt, string? UpdatedBy, int? TicketId, int? SaleId)
{
    public bool IsSystem => Activity.IsSystemKind(Kind);
}

public sealed record TimelinePage(IReadOnlyList<TimelineEntry> Items, int Total, int Page, int PageSize)
{
    public int PageCount => Math.Max(1, (Total + PageSize - 1) / PageSize);
    public static TimelinePage Empty(int pageSize) => new([], 0, 1, pageSize);
}

/// <summary>Who is acting on the timeline, as far as its rules care.</summary>
public sealed record TimelineUser(string Name, bool MayChangeAnyEntry)
{
    public static readonly string[] PrivilegedRoles = [AppRoles.Admin, AppRoles.Manager];

    public static TimelineUser From(ClaimsPrincipal? user) =>
        user?.Identity?.IsAuthenticated == true && !string.IsNullOrEmpty(user.Identity.Name)
            ? new(user.Identity.Name, PrivilegedRoles.Any(user.IsInRole))
            : new("system", false);

    /// <summary>Staff edit or delete only what they wrote; managers and admins any entry. Nobody edits what the system wrote.</summary>
    public bool MayChange(string? createdBy, ActivityKind kind) =>
        !Activity.IsSystemKind(kind) && (MayChangeAnyEntry || string.Equals(createdBy, Name, StringComparison.OrdinalIgnoreCase));
}

public static class CustomerTimelineQuery
{
    public const int DefaultPageSize = 20;

    public static IReadOnlyList<ActivityKind> KindsOf(TimelineFilter filter) => filter switch
    {
        TimelineFilter.Calls => [ActivityKind.Call],
        TimelineFilter.Emails => [ActivityKind.Email],
        TimelineFilter.Meetings => [ActivityKind.Meeting],
        TimelineFilter.Notes => [ActivityKind.Note],
        TimelineFilter.Tickets => [ActivityKind.TicketOpened, ActivityKind.TicketClosed, ActivityKind.TicketReopened],
        TimelineFilter.Sales => [ActivityKind.Sale],
        TimelineFilter.ContactChanges => [ActivityKind.ContactChanged],
        TimelineFilter.Bookings => [ActivityKind.BookingMade, ActivityKind.BookingChanged, ActivityKind.BookingCancelled],
        TimelineFilter.Sms => [ActivityKind.SmsReply, ActivityKind.SmsOptedOut, ActivityKind.SmsOptedIn],
        TimelineFilter.Merges => [ActivityKind.Merged, ActivityKind.MergeUndone],
        TimelineFilter.Status => [ActivityKind.StatusChanged, ActivityKind.BlockOverridden],
        _ => [],
    };

    /// <summary>One page of the timeline, newest first: always two queries (count and page), whatever the history's length.</summary>
    public static async Task<TimelinePage> TimelinePageAsync(this AppDbContext db, int customerId, TimelineFilter filter,
        int page, int pageSize = DefaultPageSize, CancellationToken ct = default)
    {
        pageSize = Math.Clamp(pageSize, 1, 100);
        var query = db.Activities.AsNoTracking().Where(a => a.CustomerId == customerId);
        var kinds = KindsOf(filter);
        if (kinds.Count > 0) query = query.Where(a => kinds.Contains(a.Kind));
        var total = await query.CountAsync(ct);
        var pages = Math.Max(1, (total + pageSize - 1) / pageSize);
        page = Math.Clamp(page, 1, pages);
        var items = await query.OrderByDescending(a => a.OccurredAt).ThenByDescending(a => a.Id)
            .Skip((page - 1) * pageSize).Take(pageSize)
            .Select(a => new TimelineEntry(a.Id, a.Kind, a.NoteType, a.IsInternal, a.Subject, a.Body, a.OccurredAt,
                a.CreatedBy, a.UpdatedAt, a.UpdatedBy, a.TicketId, a.SaleId))
            .ToListAsync(ct);
        return new TimelinePage(items, total, page, pageSize);
    }
}
