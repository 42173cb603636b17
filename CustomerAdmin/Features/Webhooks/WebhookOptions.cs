using System.ComponentModel.DataAnnotations;

namespace CustomerAdmin.Features.Webhooks;

/// <summary>The <c>Webhooks</c> section: delivery of events to registered endpoints.</summary>
public sealed class WebhookOptions
{
    public const string Section = "Webhooks";

    /// <summary>Runs the delivery worker on this instance. Several instances may all run it: leases keep deliveries single.</summary>
    public bool RunDispatcher { get; set; } = true;

    /// <summary>Allows <c>http://</c> endpoints on this machine (127.0.0.1, localhost): for tests and local receivers only.</summary>
    public bool AllowHttp { get; set; }

    [Range(typeof(TimeSpan), "00:00:00.010", "01:00:00")]
    public TimeSpan DispatchInterval { get; set; } = TimeSpan.FromSeconds(5);

    [Range(1, 1000)] public int BatchSize { get; set; } = 50;

    [Range(1, 64)] public int Concurrency { get; set; } = 8;

    /// <summary>How long a claimed delivery stays with one instance; longer than <see cref="Timeout"/>.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>How long one POST may take before it counts as failed.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:05:00")]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>The wait after the first failure; each next wait is four times longer (30 s, 2 min, 8 min, 32 min, then <see cref="MaxRetryDelay"/>).</summary>
    [Range(typeof(TimeSpan), "00:00:00", "1.00:00:00")]
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromSeconds(30);

    [Range(typeof(TimeSpan), "00:00:00", "1.00:00:00")]
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromHours(1);

    /// <summary>How long after the event (or a resend) deliveries are retried before they are marked failed.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "30.00:00:00")]
    public TimeSpan RetryWindow { get; set; } = TimeSpan.FromHours(24);
}
