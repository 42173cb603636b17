using System.ComponentModel.DataAnnotations;

namespace CustomerAdmin.Data;

/// <summary>
/// One event for one endpoint: the outbox row and its log in one. Written in the same transaction as the change that
/// raised the event; a dispatcher claims due rows under a lease (<see cref="LeaseOwner"/>, <see cref="LeaseUntil"/>), so
/// several app instances deliver each once. A resend is a new row with the same <see cref="EventId"/> and body, so the
/// receiver can tell it is the same event.
/// </summary>
public class WebhookDelivery
{
    public const int ErrorMax = 500;

    public long Id { get; set; }
    public int EndpointId { get; set; }
    public WebhookEndpoint? Endpoint { get; set; }
    /// <summary>The event's id (<c>evt_...</c>), sent as <c>Webhook-Id</c> and in the body: the receiver de-duplicates by it.</summary>
    [MaxLength(40)] public string EventId { get; set; } = "";
    [MaxLength(50)] public string EventType { get; set; } = "";
    /// <summary>The JSON body, exactly as signed and sent.</summary>
    public string Payload { get; set; } = "";
    public DateTime OccurredAt { get; set; }

    public WebhookDeliveryStatus Status { get; set; } = WebhookDeliveryStatus.Pending;
    public int Attempts { get; set; }
    public DateTime NextAttemptAt { get; set; }
    [MaxLength(64)] public string? LeaseOwner { get; set; }
    public DateTime? LeaseUntil { get; set; }
    public int? LastStatusCode { get; set; }
    [MaxLength(ErrorMax)] public string? LastError { get; set; }
    public DateTime? DeliveredAt { get; set; }
    /// <summary>When this delivery was written (the event, or a resend): retries stop a configured window after it.</summary>
    public DateTime CreatedAt { get; set; }
    [MaxLength(100)] public string? CreatedBy { get; set; }
    public DateTime UpdatedAt { get; set; }

    public List<WebhookAttempt> AttemptLog { get; set; } = [];
}
