using System.ComponentModel.DataAnnotations;
using CustomerAdmin.Features.Sms.Sending;
using CustomerAdmin.Features.Sms.Templates;
using CustomerAdmin.Features.Sms.Webhooks;

namespace CustomerAdmin.Features.Sms;

public enum SmsProvider { Log, Twilio }

/// <summary>The <c>Sms</c> section: which provider sends, and the rules every message obeys.</summary>
public sealed class SmsOptions : IValidatableObject
{
    public const string Section = "Sms";

    /// <summary><see cref="SmsProvider.Log"/> (default) writes messages to the log and marks them sent, so the app runs
    /// without an account; the UI says so.</summary>
    public SmsProvider Provider { get; set; } = SmsProvider.Log;

    /// <summary>The template language used when none exists in the customer's preferred language.</summary>
    [Required, RegularExpression("^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")]
    public string DefaultLanguage { get; set; } = "en";

    /// <summary>Venue-time window in which nothing but a manual message is sent; messages wait, they are not dropped.
    /// Equal start and end switch quiet hours off.</summary>
    public TimeOnly QuietHoursStart { get; set; } = new(21, 0);
    public TimeOnly QuietHoursEnd { get; set; } = new(9, 0);

    /// <summary>Per-recipient limits, so a mistake cannot flood a customer; messages over them wait.</summary>
    [Range(1, 1000)] public int MaxPerHour { get; set; } = 3;
    [Range(1, 10000)] public int MaxPerDay { get; set; } = 8;

    /// <summary>Send attempts before a message that keeps meeting transient errors is marked failed.</summary>
    [Range(1, 50)] public int MaxAttempts { get; set; } = 6;
    /// <summary>First retry delay; doubled per attempt, with jitter, capped at <see cref="MaxRetryDelay"/>.</summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromSeconds(10);
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromMinutes(30);
    /// <summary>How long one request to the provider may take before it counts as a timeout.</summary>
    public TimeSpan SendTimeout { get; set; } = TimeSpan.FromSeconds(30);
    /// <summary>
    /// After a send whose outcome is unknown (a timeout, a crash), how long the message is held and re-checked with the
    /// provider before it is sent again: Twilio may create a message well after the request that asked for it timed out.
    /// </summary>
    public TimeSpan UnknownOutcomeWindow { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>How often the dispatcher looks for due messages when the last look found none.</summary>
    public TimeSpan DispatchInterval { get; set; } = TimeSpan.FromSeconds(5);
    /// <summary>How long a claimed message belongs to one dispatcher; longer than a send with its timeout.</summary>
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromMinutes(2);
    [Range(1, 1000)] public int BatchSize { get; set; } = 50;
    /// <summary>Messages sent at once by one dispatcher.</summary>
    [Range(1, 64)] public int Concurrency { get; set; } = 8;

    /// <summary>How often the reminder scan runs.</summary>
    public TimeSpan ReminderScanInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Switch the hosted services off (tests drive them by hand).</summary>
    public bool RunDispatcher { get; set; } = true;
    public bool RunReminderScan { get; set; } = true;

    /// <summary>The app's public address as the provider sees it (behind a proxy); used to check webhook signatures
    /// and to build the status callback URL. Empty: the request's own scheme and host.</summary>
    public string? PublicBaseUrl { get; set; }

    public TwilioOptions Twilio { get; set; } = new();

    public IEnumerable<ValidationResult> Validate(ValidationContext context)
    {
        // A zero or negative period would make the hosted services' timers throw at start-up or spin.
        foreach (var (name, value) in new[]
                 {
                     (nameof(DispatchInterval), DispatchInterval), (nameof(ReminderScanInterval), ReminderScanInterval),
                     (nameof(LeaseDuration), LeaseDuration), (nameof(SendTimeout), SendTimeout), (nameof(RetryBaseDelay), RetryBaseDelay),
                 })
        {
            if (value <= TimeSpan.Zero)
                yield return new ValidationResult($"Sms:{name} must be a positive time span.", [name]);
        }
        if (LeaseDuration <= SendTimeout)
            yield return new ValidationResult("Sms:LeaseDuration must be longer than Sms:SendTimeout.", [nameof(LeaseDuration)]);
        if (UnknownOutcomeWindow < TimeSpan.Zero)
            yield return new ValidationResult("Sms:UnknownOutcomeWindow must not be negative.", [nameof(UnknownOutcomeWindow)]);
        if (Provider != SmsProvider.Twilio) yield break;
        foreach (var error in Twilio.Errors())
            yield return new ValidationResult($"Sms:Twilio: {error}");
        // Without a status callback Twilio never reports delivery, and a message whose send timed out cannot report itself.
        if (string.IsNullOrWhiteSpace(PublicBaseUrl) && string.IsNullOrWhiteSpace(Twilio.StatusCallbackUrl))
            yield return new ValidationResult(
                "Sms:Provider is Twilio but Twilio has no address to report delivery to: set Sms:PublicBaseUrl (the app's address " +
                "as Twilio reaches it, e.g. https://admin.example.com) or Sms:Twilio:StatusCallbackUrl.",
                [nameof(PublicBaseUrl)]);
        foreach (var (key, value) in new[] { ("Sms:PublicBaseUrl", PublicBaseUrl), ("Sms:Twilio:StatusCallbackUrl", Twilio.StatusCallbackUrl) })
        {
            if (!string.IsNullOrWhiteSpace(value)
                && !(Uri.TryCreate(value, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp)))
                yield return new ValidationResult($"{key} must be an absolute http(s) URL that Twilio can reach; it is '{value}'.");
        }
    }
}

/// <summary>The <c>Sms:Twilio</c> section. Either AuthToken or ApiKeySid + ApiKeySecret; either From or MessagingServiceSid.</summary>
public sealed class TwilioOptions
{
    public string? AccountSid { get; set; }
    /// <summary>Also the key of the webhook signatures.</summary>
    public string? AuthToken { get; set; }
    public string? ApiKeySid { get; set; }
    public string? ApiKeySecret { get; set; }
    public string? From { get; set; }
    public string? MessagingServiceSid { get; set; }
    /// <summary>Where Twilio posts delivery updates; empty: PublicBaseUrl + /sms/twilio/status when that is set.</summary>
    public string? StatusCallbackUrl { get; set; }
    /// <summary>Twilio's API host; tests point it at a local fake.</summary>
    public string BaseUrl { get; set; } = "https://api.twilio.com";

    public IEnumerable<string> Errors()
    {
        if (string.IsNullOrWhiteSpace(AccountSid)) yield return "AccountSid is required.";
        if (string.IsNullOrWhiteSpace(AuthToken) && (string.IsNullOrWhiteSpace(ApiKeySid) || string.IsNullOrWhiteSpace(ApiKeySecret)))
            yield return "set AuthToken, or ApiKeySid and ApiKeySecret.";
        if (string.IsNullOrWhiteSpace(From) && string.IsNullOrWhiteSpace(MessagingServiceSid))
            yield return "set From or MessagingServiceSid.";
        if (!Uri.TryCreate(BaseUrl, UriKind.Absolute, out _)) yield return "BaseUrl must be an absolute URL.";
    }
}
