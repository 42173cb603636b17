using CustomerAdmin.Data;
using CustomerAdmin.Features.Sms.Reminders;
using CustomerAdmin.Features.Sms.Templates;
using CustomerAdmin.Features.Sms.Webhooks;
using CustomerAdmin.Common;

namespace CustomerAdmin.Features.Sms.Sending;

/// <summary>
/// One SMS provider: sends one message, and lists what went to a number so a send whose outcome is unknown (a crash,
/// a timeout) can be reconciled instead of sent twice. Retries across attempts are the dispatcher's job
/// (<see cref="SmsMessage.NextAttemptAt"/>); a sender makes one request and says what happened.
/// </summary>
public interface ISmsSender
{
    /// <summary>Sends one message; <paramref name="outboxId"/> (the <see cref="SmsMessage.Id"/>) travels with it where the
    /// provider allows, so a message whose answer was lost can still report itself.</summary>
    Task<SmsSendResult> SendAsync(long outboxId, string to, string body, CancellationToken ct);

    /// <summary>Messages the provider created for <paramref name="to"/> since <paramref name="sinceUtc"/>, those still
    /// queued (not yet sent) included.</summary>
    Task<IReadOnlyList<SentSms>> ListSentAsync(string to, DateTime sinceUtc, CancellationToken ct);
}

public enum SmsSendOutcome
{
    /// <summary>The provider took the message (<see cref="SmsSendResult.ProviderId"/> is set).</summary>
    Accepted,
    /// <summary>Not sent; try again later (rate limited, provider unavailable).</summary>
    Transient,
    /// <summary>Never going to be sent as it is (invalid number, unsubscribed, bad credentials).</summary>
    Permanent,
    /// <summary>The request may or may not have created a message (timeout, unreadable success); reconcile before retrying.</summary>
    Unknown,
}

public sealed record SmsSendResult(
    SmsSendOutcome Outcome,
    string? ProviderId = null,
    SmsStatus Status = SmsStatus.Sent,
    int? Segments = null,
    string? ErrorCode = null,
    string? ErrorMessage = null,
    TimeSpan? RetryAfter = null,
    bool RecipientOptedOut = false)
{
    public static SmsSendResult Accepted(string providerId, SmsStatus status, int? segments, string? errorCode = null, string? errorMessage = null) =>
        new(SmsSendOutcome.Accepted, providerId, status, segments, errorCode, errorMessage);

    public static SmsSendResult Transient(string? code, string message, TimeSpan? retryAfter = null) =>
        new(SmsSendOutcome.Transient, ErrorCode: code, ErrorMessage: message, RetryAfter: retryAfter);

    public static SmsSendResult Permanent(string? code, string message, bool recipientOptedOut = false) =>
        new(SmsSendOutcome.Permanent, Status: SmsStatus.Failed, ErrorCode: code, ErrorMessage: message, RecipientOptedOut: recipientOptedOut);

    public static SmsSendResult Unknown(string message) => new(SmsSendOutcome.Unknown, ErrorCode: "unknown-outcome", ErrorMessage: message);
}

/// <summary>A message the provider reports as sent to a number.</summary>
public sealed record SentSms(string ProviderId, string To, string Body, SmsStatus Status, int? Segments, DateTime? CreatedAt);
