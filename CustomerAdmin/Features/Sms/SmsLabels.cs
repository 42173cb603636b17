using CustomerAdmin.Data;
using MudBlazor;
using CustomerAdmin.Features.Sms.Sending;
using CustomerAdmin.Features.Sms.Templates;
using CustomerAdmin.Features.Sms.Webhooks;

namespace CustomerAdmin.Features.Sms;

/// <summary>How SMS kinds and statuses read and look on every page.</summary>
public static class SmsLabels
{
    public const string LogOnlyNotice = "SMS is in log-only mode: messages are written to the log, not sent.";

    public static string Of(SmsKind kind) => kind switch
    {
        SmsKind.BookingConfirmation => "Booking confirmation",
        SmsKind.ReminderOnlyConfirmation => "Reminder-only confirmation",
        SmsKind.BookingUpdate => "Booking update",
        SmsKind.Reminder7Day => "7-day reminder",
        SmsKind.Reminder24Hour => "24-hour reminder",
        SmsKind.EventMoved => "Event moved",
        SmsKind.EventCancelled => "Event cancelled",
        SmsKind.TicketReady => "Ticket ready",
        SmsKind.Bulk => "Bulk",
        SmsKind.Manual => "One-off",
        _ => kind.ToString(),
    };

    public static string Of(SmsStatus status) => status switch
    {
        SmsStatus.Pending => "Waiting",
        SmsStatus.Sending => "Sending",
        SmsStatus.Queued => "Queued",
        SmsStatus.Sent => "Sent",
        SmsStatus.Delivered => "Delivered",
        SmsStatus.Undelivered => "Undelivered",
        SmsStatus.Failed => "Failed",
        SmsStatus.Skipped => "Skipped",
        _ => status.ToString(),
    };

    public static Color ColorOf(SmsStatus status) => status switch
    {
        SmsStatus.Delivered or SmsStatus.Sent => Color.Success,
        SmsStatus.Pending or SmsStatus.Sending or SmsStatus.Queued => Color.Info,
        SmsStatus.Undelivered or SmsStatus.Failed => Color.Error,
        SmsStatus.Skipped => Color.Warning,
        _ => Color.Default,
    };

    /// <summary>Why a message did not go, as one line: the app's reason or the provider's code and text.</summary>
    public static string? Problem(string? code, string? message) =>
        code is null && message is null ? null : message is null ? code : code is null ? message : $"{message} ({code})";
}
