using CustomerAdmin.Data;

namespace CustomerAdmin.Components.Pages.Sms;

/// <summary>One line of an SMS log, as the customer page and the global log show it.</summary>
public sealed record SmsLogRow(long Id, int CustomerId, string CustomerName, SmsKind Kind, SmsStatus Status, string To, string Body,
    string? ErrorCode, string? ErrorMessage, int? Segments, int? EventId, DateTime CreatedAt, string? CreatedBy, DateTime NextAttemptAt,
    DateTime? SentAt, DateTime? DeliveredAt)
{
    public string? Problem => SmsLabels.Problem(ErrorCode, ErrorMessage);
}

public sealed record SmsLogFilter(int? CustomerId = null, SmsStatus? Status = null, SmsKind? Kind = null);

public static class SmsLogQuery
{
    /// <summary>Filtered, newest first; the caller pages it. Per customer it walks the (CustomerId, CreatedAt) index,
    /// globally the primary key (ids grow with time).</summary>
    public static IQueryable<SmsMessage> Filtered(this IQueryable<SmsMessage> messages, SmsLogFilter filter)
    {
        if (filter.CustomerId is { } customerId) messages = messages.Where(m => m.CustomerId == customerId);
        if (filter.Status is { } status) messages = messages.Where(m => m.Status == status);
        if (filter.Kind is { } kind) messages = messages.Where(m => m.Kind == kind);
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
