using System.ComponentModel.DataAnnotations;

namespace CustomerAdmin.Data;

/// <summary>
/// Outbox and log in one table. A row is written in the same transaction as the booking change that causes it;
/// the dispatcher claims due rows with a lease (<see cref="LeaseOwner"/>, <see cref="LeaseUntil"/>), so several app
/// instances never send one twice. A partial unique index on (BookingId, Kind, EventStartsAt) for the reminder kinds
/// makes a reminder impossible to enqueue twice for the same event time.
/// </summary>
public class SmsMessage
{
    public const int BodyMax = 1600;
    public const int ErrorMax = 500;

    public long Id { get; set; }
    public int CustomerId { get; set; }
    public Customer? Customer { get; set; }
    public int? BookingId { get; set; }
    public Booking? Booking { get; set; }
    public int? EventId { get; set; }
    public Event? Event { get; set; }
    /// <summary>For reminders: the event start the reminder was computed from (part of the unique key).</summary>
    public DateTime? EventStartsAt { get; set; }
    /// <summary>For event-moved messages: the event's version after the move, so each move tells a booking once (unique key).</summary>
    public int? EventVersion { get; set; }
    /// <summary>For "ticket ready" messages: the ticket, and its version after the move to Ready (unique key: one message per move).</summary>
    public int? TicketId { get; set; }
    public Ticket? Ticket { get; set; }
    public int? TicketVersion { get; set; }

    public SmsKind Kind { get; set; }
    /// <summary>E.164, copied when enqueued: the number the message went to, even if the customer's changes later.</summary>
    [MaxLength(Customer.PhoneMax)] public string To { get; set; } = "";
    [MaxLength(BodyMax)] public string Body { get; set; } = "";
    [MaxLength(10)] public string? Language { get; set; }
    public SmsStatus Status { get; set; } = SmsStatus.Pending;

    /// <summary>The provider's message id (Twilio's SID).</summary>
    [MaxLength(64)] public string? ProviderId { get; set; }
    /// <summary>Provider error code (Twilio's numeric code) or the app's reason for a skip, e.g. "opted-out".</summary>
    [MaxLength(50)] public string? ErrorCode { get; set; }
    [MaxLength(ErrorMax)] public string? ErrorMessage { get; set; }
    public int? Segments { get; set; }

    public int Attempts { get; set; }
    /// <summary>Not sent before this (quiet hours, rate limit and retry backoff move it).</summary>
    public DateTime NextAttemptAt { get; set; }
    /// <summary>When the last send attempt began; a message found in <see cref="SmsStatus.Sending"/> after a crash is
    /// reconciled with the provider's list of messages since this time before it is sent again.</summary>
    public DateTime? LastAttemptAt { get; set; }
    [MaxLength(64)] public string? LeaseOwner { get; set; }
    public DateTime? LeaseUntil { get; set; }

    public DateTime CreatedAt { get; set; }
    [MaxLength(100)] public string? CreatedBy { get; set; }
    public DateTime? SentAt { get; set; }
    public DateTime? DeliveredAt { get; set; }
    public DateTime UpdatedAt { get; set; }

    public static bool IsReminder(SmsKind kind) => kind is SmsKind.Reminder7Day or SmsKind.Reminder24Hour;

    /// <summary>How far along a status is; provider callbacks never move a message to a lower rank.</summary>
    public static int Rank(SmsStatus status) => status switch
    {
        SmsStatus.Pending => 0,
        SmsStatus.Sending => 1,
        SmsStatus.Queued => 2,
        SmsStatus.Sent => 3,
        _ => 4,
    };
}
