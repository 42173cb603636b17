namespace CustomerAdmin.Data;

/// <summary>
/// Where a message is. The order matters: a provider's status callback only ever moves a message forward
/// (<see cref="SmsMessage.Rank"/>), so a late "sent" never overwrites "delivered".
/// </summary>
public enum SmsStatus { Pending, Sending, Queued, Sent, Delivered, Undelivered, Failed, Skipped }
