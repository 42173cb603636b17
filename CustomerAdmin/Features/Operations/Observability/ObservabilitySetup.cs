using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Components.Server.Circuits;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Npgsql;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace CustomerAdmin.Features.Operations.Observability;

/// <summary>
/// Metrics (Prometheus at <see cref="MetricsPath"/>, OTLP by configuration), traces (OTLP only) and the health
/// endpoints: <see cref="LivePath"/> (the process answers) and <see cref="ReadyPath"/> (every check: database,
/// migrations, SMS dispatcher, document storage).
/// </summary>
public static class ObservabilitySetup
{
    public const string MetricsPath = "/metrics";
    public const string LivePath = "/health/live";
    public const string ReadyPath = "/health/ready";

    public static IHostApplicationBuilder AddObservability(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<MonitoringOptions>().BindConfiguration(MonitoringOptions.Section)
            .ValidateDataAnnotations().ValidateOnStart();
        var options = builder.Configuration.GetSection(MonitoringOptions.Section).Get<MonitoringOptions>() ?? new();
        builder.Services.AddScoped<CircuitHandler, CircuitMetrics>();
        builder.Services.AddHealthChecks()
            .AddCheck<MigrationsHealthCheck>("migrations")
            .AddCheck<SmsDispatcherHealthCheck>("sms-dispatcher")
            .AddCheck<DocumentStorageHealthCheck>("document-storage");

        var telemetry = builder.Services.AddOpenTelemetry().ConfigureResource(r => r.AddService(options.ServiceName));
        telemetry.WithMetrics(metrics =>
        {
            metrics.AddMeter(AppMetrics.MeterName, "Microsoft.EntityFrameworkCore", "System.Runtime")
                .AddNpgsqlInstrumentation()
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation();
            if (options.Prometheus) metrics.AddPrometheusExporter();
            if (options.OtlpEndpoint is not null) metrics.AddOtlpExporter(o => Otlp(o, options, "metrics"));
        });
        // Traces only go somewhere through OTLP: without a collector nothing would read them.
        if (options.OtlpEndpoint is not null)
            telemetry.WithTracing(tracing => tracing
                .AddAspNetCoreInstrumentation(o => o.Filter = c =>
                    !c.Request.Path.StartsWithSegments(MetricsPath) && !c.Request.Path.StartsWithSegments("/health"))
                .AddHttpClientInstrumentation()
                .AddEntityFrameworkCoreInstrumentation()
                .AddNpgsql()
                .AddOtlpExporter(o => Otlp(o, options, "traces")));
        return builder;
    }

    public static WebApplication MapObservability(this WebApplication app)
    {
        app.MapHealthChecks(LivePath, new HealthCheckOptions { Predicate = _ => false }).AllowAnonymous();
        app.MapHealthChecks(ReadyPath, new HealthCheckOptions { ResponseWriter = WriteReportAsync }).AllowAnonymous();
        if (app.Services.GetRequiredService<IOptions<MonitoringOptions>>().Value.Prometheus)
            app.MapPrometheusScrapingEndpoint(MetricsPath, meterProvider: null,
                    configureBranchedPipeline: pipeline => pipeline.Use(GuardScrapeAsync), optionsName: null)
                // Prometheus signs in no user: the token (or the local address) is checked instead.
                .AllowAnonymous();
        return app;
    }

    /// <summary>Why a scrape is refused (the status and what to say), or null when it may go on.</summary>
    public static (int Status, string Message)? ScrapeRefusal(string? token, string? authorization, IPAddress? remote)
    {
        if (string.IsNullOrEmpty(token))
            return remote is not null && IPAddress.IsLoopback(remote)
                ? null
                : (StatusCodes.Status403Forbidden, "Metrics are served to this machine only; set Monitoring:MetricsToken to scrape them from elsewhere.");
        const string scheme = "Bearer ";
        var given = authorization is not null && authorization.StartsWith(scheme, StringComparison.OrdinalIgnoreCase)
            ? authorization[scheme.Length..].Trim() : "";
        // Compared as hashes in constant time: neither the length nor a prefix of the token leaks through timing.
        return CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(given)), SHA256.HashData(Encoding.UTF8.GetBytes(token)))
            ? null
            : (StatusCodes.Status401Unauthorized, "Metrics need the token: Authorization: Bearer <Monitoring:MetricsToken>.");
    }

    private static async Task GuardScrapeAsync(HttpContext context, RequestDelegate next)
    {
        var token = context.RequestServices.GetRequiredService<IOptions<MonitoringOptions>>().Value.MetricsToken;
        if (ScrapeRefusal(token, context.Request.Headers.Authorization, context.Connection.RemoteIpAddress) is not { } refusal)
        {
            await next(context);
            return;
        }
        context.Response.StatusCode = refusal.Status;
        if (refusal.Status == StatusCodes.Status401Unauthorized) context.Response.Headers.WWWAuthenticate = "Bearer";
        context.Response.ContentType = "text/plain; charset=utf-8";
        await context.Response.WriteAsync(refusal.Message, context.RequestAborted);
    }

    /// <summary>gRPC takes the collector's address; OTLP over HTTP one URL per signal (<c>/v1/metrics</c>, <c>/v1/traces</c>).</summary>
    private static void Otlp(OtlpExporterOptions o, MonitoringOptions options, string signal)
    {
        var endpoint = options.OtlpEndpoint!.TrimEnd('/');
        if (options.OtlpProtocol == OtlpProtocol.HttpProtobuf)
        {
            o.Protocol = OtlpExportProtocol.HttpProtobuf;
            o.Endpoint = new Uri($"{endpoint}/v1/{signal}");
        }
        else
        {
            o.Protocol = OtlpExportProtocol.Grpc;
            o.Endpoint = new Uri(endpoint);
        }
    }

    /// <summary>Each check's status and what it found, so whoever probes sees which one failed.</summary>
    private static Task WriteReportAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json; charset=utf-8";
        var body = new
        {
            status = report.Status.ToString(),
            checks = report.Entries.ToDictionary(e => e.Key, e => new { status = e.Value.Status.ToString(), description = e.Value.Description }),
        };
        return context.Response.WriteAsync(JsonSerializer.Serialize(body), context.RequestAborted);
    }
}
