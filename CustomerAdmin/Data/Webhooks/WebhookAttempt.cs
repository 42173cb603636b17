using System.ComponentModel.DataAnnotations;

namespace CustomerAdmin.Data;

/// <summary>One POST of a delivery: when, the receiver's status code (null when it never answered) and why it failed.</summary>
public class WebhookAttempt
{
    public long Id { get; set; }
    public long DeliveryId { get; set; }
    public DateTime AttemptedAt { get; set; }
    public int? StatusCode { get; set; }
    [MaxLength(WebhookDelivery.ErrorMax)] public string? Error { get; set; }
    public int DurationMs { get; set; }
}
