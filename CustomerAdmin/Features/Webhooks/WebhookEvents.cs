namespace CustomerAdmin.Features.Webhooks;

/// <summary>The event types an endpoint can subscribe to, as sent in the body's <c>type</c>.</summary>
public static class WebhookEvents
{
    public const string CustomerCreated = "customer.created";
    public const string CustomerUpdated = "customer.updated";
    public const string CustomerMerged = "customer.merged";
    public const string CustomerDeleted = "customer.deleted";
    public const string BookingCreated = "booking.created";
    public const string BookingCancelled = "booking.cancelled";
    public const string TicketStatusChanged = "ticket.status_changed";
    public const string SmsStatusChanged = "sms.status_changed";
    /// <summary>Sent only by "Send test event", to the one endpoint asked; nobody subscribes to it.</summary>
    public const string Test = "webhook.test";

    public static IReadOnlyList<string> All { get; } =
    [
        CustomerCreated, CustomerUpdated, CustomerMerged, CustomerDeleted, BookingCreated, BookingCancelled,
        TicketStatusChanged, SmsStatusChanged,
    ];

    /// <summary>The stored form of a subscription list: <c>,a,b,</c>, so one type is matched whole by <c>LIKE '%,a,%'</c>.</summary>
    public static string Store(IEnumerable<string> types) => "," + string.Join(",", types) + ",";

    public static IReadOnlyList<string> Read(string stored) =>
        stored.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    public static string Marker(string type) => "," + type + ",";
}
