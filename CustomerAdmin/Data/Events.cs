using System.ComponentModel.DataAnnotations;

namespace CustomerAdmin.Data;

public enum EventStatus { Scheduled, Cancelled }

/// <summary>Something customers book seats for. <see cref="StartsAt"/> is UTC; pages show it in the venue's time zone.</summary>
public class Event
{
    public const int NameMax = 200;
    public const int DescriptionMax = 4000;

    public int Id { get; set; }
    [MaxLength(NameMax)] public string Name { get; set; } = "";
    public DateTime StartsAt { get; set; }
    /// <summary>Seats on sale; never below the seats already booked.</summary>
    public int Capacity { get; set; }
    public decimal Price { get; set; }
    [MaxLength(DescriptionMax)] public string? Description { get; set; }
    public EventStatus Status { get; set; } = EventStatus.Scheduled;
    public DateTime? CancelledAt { get; set; }

    public DateTime CreatedAt { get; set; }
    [MaxLength(100)] public string? CreatedBy { get; set; }
    public DateTime UpdatedAt { get; set; }
    [MaxLength(100)] public string? UpdatedBy { get; set; }
    /// <summary>Two people editing one event must not overwrite each other silently.</summary>
    public int Version { get; set; }

    public List<Booking> Bookings { get; set; } = [];
}

/// <summary>
/// A customer on an event: seats &gt; 0 attends, seats = 0 only wants the reminders. One per customer and event
/// (unique index). Deleting one removes the row; its SMS stay in the log with the booking link cleared.
/// </summary>
public class Booking
{
    public const int NotesMax = 1000;

    public int Id { get; set; }
    public int CustomerId { get; set; }
    public Customer? Customer { get; set; }
    public int EventId { get; set; }
    public Event? Event { get; set; }
    public int Seats { get; set; }
    [MaxLength(NotesMax)] public string? Notes { get; set; }

    public DateTime CreatedAt { get; set; }
    [MaxLength(100)] public string? CreatedBy { get; set; }
    public DateTime UpdatedAt { get; set; }
    [MaxLength(100)] public string? UpdatedBy { get; set; }
    public int Version { get; set; }

    public bool IsReminderOnly => Seats == 0;
}

/// <summary>What a message is for. Stored by name, so new kinds go at the end without touching existing rows.</summary>
public enum SmsKind { BookingConfirmation, BookingUpdate, Reminder7Day, Reminder24Hour, EventCancelled, Bulk, Manual, ReminderOnlyConfirmation, EventMoved }

/// <summary>
/// Where a message is. The order matters: a provider's status callback only ever moves a message forward
/// (<see cref="SmsMessage.Rank"/>), so a late "sent" never overwrites "delivered".
/// </summary>
public enum SmsStatus { Pending, Sending, Queued, Sent, Delivered, Undelivered, Failed, Skipped }

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

/// <summary>The text of one kind of message in one language, with <c>{{placeholders}}</c>.</summary>
public class SmsTemplate
{
    public int Id { get; set; }
    public SmsKind Kind { get; set; }
    /// <summary>BCP 47 language, lower case ("en", "es"); the configured default language is the fallback.</summary>
    [MaxLength(10)] public string Language { get; set; } = "";
    [MaxLength(SmsMessage.BodyMax)] public string Body { get; set; } = "";
    public DateTime UpdatedAt { get; set; }
    [MaxLength(100)] public string? UpdatedBy { get; set; }
}
