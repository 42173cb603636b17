using System.Diagnostics.Metrics;

namespace CustomerAdmin.Features.Operations.Observability;

/// <summary>
/// The app's own metrics, on the meter <see cref="MeterName"/>: what the framework's instrumentation cannot see. The
/// Prometheus names (README, Monitoring) are these with dots as underscores, the unit and <c>_total</c> for counters.
/// </summary>
/// <remarks>
/// Static, as <see cref="System.Diagnostics.ActivitySource"/>s are: the code that records (a static search, a worker)
/// needs no extra constructor parameter, and each app host's meter provider listens to the same meter.
/// </remarks>
public static class AppMetrics
{
    public const string MeterName = "CustomerAdmin";

    private static readonly Meter Meter = new(MeterName);

    private static readonly double[] FastSeconds = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];
    private static readonly double[] SlowSeconds = [0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600];

    /// <summary>Messages written to the outbox (tag <c>kind</c>), counted when they are added to the change that writes them.</summary>
    public static readonly Counter<long> SmsQueued = Meter.CreateCounter<long>("customeradmin.sms.queued", "{message}",
        "SMS messages written to the outbox");

    /// <summary>Messages the provider accepted (tag <c>kind</c>).</summary>
    public static readonly Counter<long> SmsSent = Meter.CreateCounter<long>("customeradmin.sms.sent", "{message}",
        "SMS messages the provider accepted");

    /// <summary>Messages given up on (tag <c>kind</c>, <c>error</c>: the provider's code).</summary>
    public static readonly Counter<long> SmsFailed = Meter.CreateCounter<long>("customeradmin.sms.failed", "{message}",
        "SMS messages that failed for good");

    /// <summary>Webhook deliveries a receiver acknowledged with a 2xx (tag <c>event</c>: the event type).</summary>
    public static readonly Counter<long> WebhooksDelivered = Meter.CreateCounter<long>("customeradmin.webhooks.delivered", "{delivery}",
        "Webhook deliveries a receiver acknowledged");

    /// <summary>Webhook deliveries given up on after the retry window (tag <c>event</c>).</summary>
    public static readonly Counter<long> WebhooksFailed = Meter.CreateCounter<long>("customeradmin.webhooks.failed", "{delivery}",
        "Webhook deliveries that failed for good");

    /// <summary>From when a message was due to when a dispatcher claimed it.</summary>
    public static readonly Histogram<double> DispatchLag = Meter.CreateHistogram<double>("customeradmin.sms.dispatch.lag", "s",
        "Time from an SMS falling due to the dispatcher claiming it", advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = SlowSeconds });

    /// <summary>One pass of the reminder scan.</summary>
    public static readonly Histogram<double> ReminderScanDuration = Meter.CreateHistogram<double>("customeradmin.sms.reminder_scan.duration", "s",
        "Time one reminder scan took", advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = SlowSeconds });

    /// <summary>Rows written by imports (tag <c>import</c>: customers, legacy-tickets); its rate is rows per second.</summary>
    public static readonly Counter<long> ImportRows = Meter.CreateCounter<long>("customeradmin.import.rows", "{row}",
        "Rows imports have written");

    /// <summary>Interactive circuits (open Blazor pages) on this instance.</summary>
    public static readonly UpDownCounter<long> ActiveCircuits = Meter.CreateUpDownCounter<long>("customeradmin.circuits.active", "{circuit}",
        "Interactive circuits open on this instance");

    /// <summary>One search-as-you-type lookup (every statement of it).</summary>
    public static readonly Histogram<double> SearchDuration = Meter.CreateHistogram<double>("customeradmin.search.duration", "s",
        "Time one customer search took", advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = FastSeconds });

    public static KeyValuePair<string, object?> Tag(string name, object? value) => new(name, value);
}
