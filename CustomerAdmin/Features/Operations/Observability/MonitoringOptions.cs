using System.ComponentModel.DataAnnotations;

namespace CustomerAdmin.Features.Operations.Observability;

public enum OtlpProtocol { Grpc, HttpProtobuf }

/// <summary>Metrics, traces and readiness (<c>Monitoring:</c>).</summary>
public sealed class MonitoringOptions
{
    public const string Section = "Monitoring";

    /// <summary>Serve Prometheus' scrape endpoint at <c>/metrics</c>.</summary>
    public bool Prometheus { get; set; } = true;

    /// <summary>
    /// The bearer token a scraper must send (<c>Authorization: Bearer …</c>). Without one, <c>/metrics</c> answers only
    /// requests from this machine (a Prometheus or agent on localhost).
    /// </summary>
    public string? MetricsToken { get; set; }

    /// <summary>An OTLP collector (<c>http://collector:4317</c>): metrics and traces are exported to it. None by default.</summary>
    [Url] public string? OtlpEndpoint { get; set; }

    public OtlpProtocol OtlpProtocol { get; set; } = OtlpProtocol.Grpc;

    /// <summary>The <c>service.name</c> the telemetry carries.</summary>
    [Required] public string ServiceName { get; set; } = "customeradmin";

    /// <summary>
    /// <c>/health/ready</c> fails when the SMS dispatcher of this instance has not finished a pass for this long (at
    /// least twice <c>Sms:DispatchInterval</c>).
    /// </summary>
    public TimeSpan DispatcherStaleAfter { get; set; } = TimeSpan.FromMinutes(5);
}
