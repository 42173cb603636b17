namespace CustomerAdmin.Data;

public enum WebhookDeliveryStatus
{
    /// <summary>Waiting for its next attempt (<see cref="WebhookDelivery.NextAttemptAt"/>).</summary>
    Pending,
    /// <summary>Claimed by a dispatcher under a lease.</summary>
    Sending,
    /// <summary>The receiver answered 2xx.</summary>
    Delivered,
    /// <summary>Given up: no 2xx before the retry window after it was written.</summary>
    Failed,
}
