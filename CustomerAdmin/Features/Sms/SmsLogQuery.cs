using CustomerAdmin.Common;
using CustomerAdmin.Features.Customers;
using CustomerAdmin.Features.Customers.Search;
using CustomerAdmin.Features.Events;
using CustomerAdmin.Features.Sms.Reminders;
using CustomerAdmin.Features.Sms.Sending;
using CustomerAdmin.Features.Sms.Templates;
using CustomerAdmin.Features.Sms.Webhooks;
using CustomerAdmin.Data;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Primitives;

namespace CustomerAdmin.Features.Sms;

/// <summary>One line of an SMS log, as the customer page and the global log show it.</summary>
public sealed record SmsLogRow(long Id, int CustomerId, string CustomerName, SmsKind Kind, SmsStatus Status, string To, string Body,
    string? ErrorCode, string? ErrorMessage, int? Segments, int? EventId, DateTime CreatedAt, string? CreatedBy, DateTime NextAttemptAt,
    DateTime? SentAt, DateTime? DeliveredAt)
{
    public string? Problem => SmsLabels.Problem(ErrorCode, ErrorMessage);
}

/// <summary>What happened to a message, across statuses: sent (the provider took it) or failed (failed or undelivered).</summary>
public enum SmsOutcome { Sent, Failed }

public sealed record SmsLogFilter(int? CustomerId = null, SmsStatus? Status = null, SmsKind? Kind = null)
{
    public const string Path = "/sms";

    /// <summary>Written at or after (UTC).</summary>
    public DateTime? CreatedFrom { get; init; }
    /// <summary>Written before (UTC).</summary>
    public DateTime? CreatedBefore { get; init; }
    public SmsOutcome? Outcome { get; init; }

    /// <summary>
    /// The log's query string (<c>status</c>, <c>kind</c>, <c>customer</c>, <c>from</c>/<c>to</c> as venue days with
    /// "to" inclusive, <c>outcome</c>), read in one place so the dashboard's links and the page agree; unknown values
    /// are ignored.
    /// </summary>
    public static SmsLogFilter Parse(string? queryString, VenueOptions venue)
    {
        var query = QueryHelpers.ParseQuery(queryString);
        string? Get(string key) => query.TryGetValue(key, out var v) && !StringValues.IsNullOrEmpty(v) ? v.ToString() : null;
        return new SmsLogFilter(int.TryParse(Get("customer"), out var id) ? id : null,
            CustomerListQueryString.ParseEnum<SmsStatus>(Get("status")), CustomerListQueryString.ParseEnum<SmsKind>(Get("kind")))
        {
            CreatedFrom = CustomerListQueryString.DayStart(Get("from"), venue),
            CreatedBefore = CustomerListQueryString.DayStart(Get("to"), venue, nextDay: true),
            Outcome = CustomerListQueryString.ParseEnum<SmsOutcome>(Get("outcome")),
        };
    }

    public static string Link(params (string Key, string? Value)[] parts) =>
        QueryHelpers.AddQueryString(Path, parts.Where(p => !string.IsNullOrEmpty(p.Value)).Select(p => KeyValuePair.Create(p.Key, p.Value)));
}

public static class SmsLogQuery
{
    /// <summary>Filtered, newest first; the caller pages it. Per customer it walks the (CustomerId, CreatedAt) index,
    /// globally the primary key (ids grow with time).</summary>
    public static IQueryable<SmsMessage> Filtered(this IQueryable<SmsMessage> messages, SmsLogFilter filter)
    {
        if (filter.CustomerId is { } customerId) messages = messages.Where(m => m.CustomerId == customerId);
        if (filter.Status is { } status) messages = messages.Where(m => m.Status == status);
        if (filter.Kind is { } kind) messages = messages.Where(m => m.Kind == kind);
        if (filter.CreatedFrom is { } from) messages = messages.Where(m => m.CreatedAt >= from);
        if (filter.CreatedBefore is { } before) messages = messages.Where(m => m.CreatedAt < before);
        if (filter.Outcome == SmsOutcome.Sent) messages = messages.Where(m => m.SentAt != null);
        if (filter.Outcome == SmsOutcome.Failed) messages = messages.Where(m => m.Status == SmsStatus.Failed || m.Status == SmsStatus.Undelivered);
        return filter.CustomerId is null
            ? messages.OrderByDescending(m => m.Id)
            : messages.OrderByDescending(m => m.CreatedAt).ThenByDescending(m => m.Id);
    }

    public static IQueryable<SmsLogRow> AsRows(this IQueryable<SmsMessage> messages) =>
        messages.Select(m => new SmsLogRow(m.Id, m.CustomerId,
            m.Customer!.DisplayName ?? (m.Customer.Type == CustomerType.Individual ? (m.Customer.FirstName + " " + m.Customer.LastName) : m.Customer.Name) ?? "",
            m.Kind, m.Status, m.To, m.Body, m.ErrorCode, m.ErrorMessage, m.Segments, m.EventId, m.CreatedAt, m.CreatedBy,
            m.NextAttemptAt, m.SentAt, m.DeliveredAt));
}
