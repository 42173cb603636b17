using System.Text.RegularExpressions;
using CustomerAdmin.Common;
using CustomerAdmin.Features.Customers;
using CustomerAdmin.Features.Customers.Search;
using CustomerAdmin.Data;
using CustomerAdmin.Data.Sql;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Primitives;

namespace CustomerAdmin.Features.Tickets;

public sealed class TicketListFilter
{
    public string? Search { get; init; }
    public TicketStatus? Status { get; init; }
    /// <summary>Only tickets still being worked on (any status before closed or cancelled).</summary>
    public bool ActiveOnly { get; init; }
    public TicketPriority? Priority { get; init; }
    public string? Assignee { get; init; }
    public int? CustomerId { get; init; }
    /// <summary>UTC, inclusive.</summary>
    public DateTime? OpenedFrom { get; init; }
    /// <summary>UTC, exclusive.</summary>
    public DateTime? OpenedBefore { get; init; }
    /// <summary>UTC, inclusive.</summary>
    public DateTime? ClosedFrom { get; init; }
    /// <summary>UTC, exclusive.</summary>
    public DateTime? ClosedBefore { get; init; }

    /// <summary>
    /// The list's query string, read in one place so the dashboard's links and the page agree. Dates are whole days at
    /// the venue, "to" inclusive; an unknown value is ignored.
    /// </summary>
    public static TicketListFilter Parse(string? queryString, VenueOptions venue)
    {
        var query = QueryHelpers.ParseQuery(queryString);
        string? Get(string key) => query.TryGetValue(key, out var v) && !StringValues.IsNullOrEmpty(v) ? v.ToString() : null;
        DateTime? Day(string key, bool nextDay = false) => CustomerListQueryString.DayStart(Get(key), venue, nextDay);
        var status = Get("status");
        return new TicketListFilter
        {
            Search = Get("q"),
            Status = CustomerListQueryString.ParseEnum<TicketStatus>(status),
            ActiveOnly = string.Equals(status, "active", StringComparison.OrdinalIgnoreCase),
            Priority = CustomerListQueryString.ParseEnum<TicketPriority>(Get("priority")),
            Assignee = Get("assignee"),
            CustomerId = int.TryParse(Get("customer"), out var id) ? id : null,
            OpenedFrom = Day("from"),
            OpenedBefore = Day("to", nextDay: true),
            ClosedFrom = Day("closed_from"),
            ClosedBefore = Day("closed_to", nextDay: true),
        };
    }
}

public sealed record TicketRow(int Id, string Number, int CustomerId, string CustomerName, string? What, TicketStatus Status,
    TicketPriority Priority, string? Assignee, DateTime OpenedAt, decimal? QuotedAmount, decimal? FinalAmount);

/// <summary>The ticket list's query, built in SQL (filters, search, sort, paging) and shared by whoever lists tickets.</summary>
public static partial class TicketListQuery
{
    public static IQueryable<Ticket> Filtered(this AppDbContext db, TicketListFilter f, PhoneNormalizer phones)
    {
        var q = db.Tickets.AsNoTracking();
        if (f.Status is { } status) q = q.Where(t => t.Status == status);
        if (f.ActiveOnly) q = q.Where(t => t.Status != TicketStatus.Closed && t.Status != TicketStatus.Cancelled);
        if (f.Priority is { } priority) q = q.Where(t => t.Priority == priority);
        if (!string.IsNullOrWhiteSpace(f.Assignee)) q = q.Where(t => t.Assignee == f.Assignee);
        if (f.CustomerId is { } customerId) q = q.Where(t => t.CustomerId == customerId);
        if (f.OpenedFrom is { } from) q = q.Where(t => t.OpenedAt >= from);
        if (f.OpenedBefore is { } before) q = q.Where(t => t.OpenedAt < before);
        if (f.ClosedFrom is { } closedFrom) q = q.Where(t => t.ClosedAt >= closedFrom);
        if (f.ClosedBefore is { } closedBefore) q = q.Where(t => t.ClosedAt < closedBefore);
        if (!string.IsNullOrWhiteSpace(f.Search)) q = q.Searched(db, f.Search, phones);
        return q;
    }

    /// <summary>
    /// A ticket number ("T-000123", "t123", "123"), or whatever finds a customer (name, phone, email, exactly as the
    /// customer search reads it), or the start of a serial number of the ticket's equipment.
    /// </summary>
    public static IQueryable<Ticket> Searched(this IQueryable<Ticket> tickets, AppDbContext db, string text, PhoneNormalizer phones)
    {
        var sequence = ParseNumber(text);
        var customers = db.Customers.Matching(db, SearchQuery.Parse(text, phones)).Select(c => c.Id);
        var customerSearch = !SearchQuery.Parse(text, phones).IsEmpty;
        var serial = Equipment.KeyOf(text);
        var bySerial = serial is { Length: >= 3 };
        var serialHi = bySerial ? PrefixRange.UpperBound(serial!) : "";
        return tickets.Where(t => (sequence != null && t.Sequence == sequence)
            || (customerSearch && customers.Contains(t.CustomerId))
            || (bySerial && t.Equipment != null && string.Compare(t.Equipment.SerialKey, serial) >= 0 && string.Compare(t.Equipment.SerialKey, serialHi) < 0));
    }

    public static int? ParseNumber(string? text)
    {
        var m = NumberPattern().Match((text ?? "").Trim());
        return m.Success && int.TryParse(m.Groups[1].Value, out var n) && n > 0 ? n : null;
    }

    public static IQueryable<TicketRow> AsRows(this IQueryable<Ticket> tickets) =>
        tickets.Select(t => new TicketRow(t.Id, t.Number, t.CustomerId,
            t.Customer!.DisplayName ?? (t.Customer.Type == CustomerType.Individual ? t.Customer.FirstName + " " + t.Customer.LastName : t.Customer.Name) ?? "",
            t.Equipment != null ? t.Equipment.Type + (t.Equipment.Make != null ? " " + t.Equipment.Make : "") + (t.Equipment.Model != null ? " " + t.Equipment.Model : "") : t.Item,
            t.Status, t.Priority, t.Assignee, t.OpenedAt, t.QuotedAmount, t.FinalAmount));

    [GeneratedRegex(@"^(?:[Tt]-?)?0*(\d{1,9})$")]
    private static partial Regex NumberPattern();
}
