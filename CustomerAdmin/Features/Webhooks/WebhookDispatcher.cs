using System.Diagnostics;
using System.Globalization;
using System.Text;
using CustomerAdmin.Common;
using CustomerAdmin.Data;
using CustomerAdmin.Data.Sql;
using CustomerAdmin.Features.Operations.Observability;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace CustomerAdmin.Features.Webhooks;

/// <summary>
/// Delivers what the webhook outbox holds, from any number of app instances on one database, as the SMS dispatcher
/// sends: a pass claims due rows under a lease through the dialect (<c>FOR UPDATE SKIP LOCKED</c> on PostgreSQL, one
/// writer on SQLite), so concurrent instances take disjoint rows, and every later write is conditional on still holding
/// the lease. A 2xx is delivered; anything else is retried with growing waits until the retry window after the row was
/// written, then failed. A row whose lease ran out (the instance died mid-POST) is sent again: receivers de-duplicate by
/// the event id, which is the same on every attempt.
/// </summary>
public sealed class WebhookDispatcher(
    IDbContextFactory<AppDbContext> dbFactory,
    IHttpClientFactory httpClients,
    WebhookSecrets secrets,
    IOptions<WebhookOptions> options,
    TimeProvider time,
    ILogger<WebhookDispatcher> logger) : BackgroundService
{
    public const string HttpClientName = "webhooks";

    /// <summary>How long a result that met a busy database waits before it is written again.</summary>
    private static readonly TimeSpan RecordRetryWait = TimeSpan.FromSeconds(1);

    private readonly string _instance = Guid.NewGuid().ToString("N");
    private long _claims;

    private WebhookOptions Options => options.Value;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!Options.RunDispatcher) return;
        logger.LogInformation("Webhook dispatcher {Instance} started", _instance);
        await BackgroundLoops.DispatchAsync(Options.DispatchInterval, time, logger, "Webhook dispatch pass",
            async ct => await DispatchDueAsync(ct) >= Options.BatchSize, stoppingToken);
    }

    /// <summary>One pass: claims up to <see cref="WebhookOptions.BatchSize"/> due deliveries and posts them. Returns how many it claimed.</summary>
    public async Task<int> DispatchDueAsync(CancellationToken ct)
    {
        var claimed = await ClaimAsync(Now(), ct);
        if (claimed.Count == 0) return 0;
        await Parallel.ForEachAsync(claimed, new ParallelOptions { MaxDegreeOfParallelism = Options.Concurrency, CancellationToken = ct },
            async (delivery, token) =>
            {
                try
                {
                    var outcome = await PostAsync(delivery, token);
                    // Unrecorded, the delivery is posted again once its lease runs out: so a busy database is waited for.
                    await BackgroundLoops.WriteWhileBusyAsync(logger, $"Recording webhook delivery {delivery.Id}",
                        DateTime.SpecifyKind(delivery.LeaseUntil ?? Now(), DateTimeKind.Utc), RecordRetryWait, time, t => RecordAsync(delivery, outcome, t), token);
                }
                catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
                {
                    // Left in Sending: when the lease runs out a pass claims it again (the receiver sees the event id twice).
                    if (SqlDialects.IsBusy(ex))
                        logger.LogWarning("Webhook delivery {DeliveryId} could not be recorded: the database stayed busy until its lease ran out; it will be posted again", delivery.Id);
                    else
                        logger.LogError(ex, "Webhook delivery {DeliveryId} could not be recorded", delivery.Id);
                }
            });
        return claimed.Count;
    }

    private async Task<List<WebhookDelivery>> ClaimAsync(DateTime now, CancellationToken ct)
    {
        // A token per pass, so a pass reads back exactly the rows it claimed.
        var token = $"{_instance}:{Interlocked.Increment(ref _claims)}";
        var until = now + Options.LeaseDuration;
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await db.Sql().ClaimAsync(db,
            db.WebhookDeliveries
                .Where(d => (d.Status == WebhookDeliveryStatus.Pending && d.NextAttemptAt <= now)
                    || (d.Status == WebhookDeliveryStatus.Sending && d.LeaseUntil < now))
                // A disabled endpoint's deliveries wait (and expire) rather than go out.
                .Where(d => db.WebhookEndpoints.Any(e => e.Id == d.EndpointId && e.Enabled))
                .OrderBy(d => d.NextAttemptAt).ThenBy(d => d.Id),
            Options.BatchSize,
            s => s.SetProperty(d => d.Status, WebhookDeliveryStatus.Sending)
                .SetProperty(d => d.LeaseOwner, token).SetProperty(d => d.LeaseUntil, until)
                .SetProperty(d => d.Attempts, d => d.Attempts + 1).SetProperty(d => d.UpdatedAt, now), ct);
        return await db.WebhookDeliveries.AsNoTracking().Include(d => d.Endpoint)
            .Where(d => d.LeaseOwner == token && d.Status == WebhookDeliveryStatus.Sending)
            .OrderBy(d => d.Id).ToListAsync(ct);
    }

    private sealed record Outcome(DateTime At, int? StatusCode, string? Error, int DurationMs)
    {
        public bool Delivered => StatusCode is >= 200 and < 300;
    }

    private async Task<Outcome> PostAsync(WebhookDelivery delivery, CancellationToken ct)
    {
        var at = Now();
        var watch = Stopwatch.StartNew();
        try
        {
            var timestamp = new DateTimeOffset(at).ToUnixTimeSeconds();
            var secret = secrets.Unprotect(delivery.Endpoint!.ProtectedSecret);
            using var request = new HttpRequestMessage(HttpMethod.Post, delivery.Endpoint.Url)
            {
                Content = new StringContent(delivery.Payload, Encoding.UTF8, "application/json"),
            };
            request.Headers.Add(WebhookSigner.IdHeader, delivery.EventId);
            request.Headers.Add(WebhookSigner.TimestampHeader, timestamp.ToString(CultureInfo.InvariantCulture));
            request.Headers.Add(WebhookSigner.SignatureHeader, WebhookSigner.Sign(secret, timestamp, delivery.Payload));
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(Options.Timeout);
            using var response = await httpClients.CreateClient(HttpClientName).SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            var code = (int)response.StatusCode;
            return new Outcome(at, code, code is >= 200 and < 300 ? null : $"HTTP {code} {response.ReasonPhrase}", Elapsed(watch));
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return new Outcome(at, null, $"No answer within {Options.Timeout.TotalSeconds:0.#} s.", Elapsed(watch));
        }
        catch (Exception ex) when (ex is HttpRequestException or System.Security.Cryptography.CryptographicException)
        {
            return new Outcome(at, null, ex.GetBaseException().Message, Elapsed(watch));
        }
    }

    private async Task RecordAsync(WebhookDelivery delivery, Outcome outcome, CancellationToken ct)
    {
        var now = Now();
        var error = outcome.Error is null ? null : TextInput.Truncate(outcome.Error, WebhookDelivery.ErrorMax);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var owned = db.WebhookDeliveries.Where(d => d.Id == delivery.Id && d.LeaseOwner == delivery.LeaseOwner && d.Status == WebhookDeliveryStatus.Sending);
        WebhookDeliveryStatus status;
        DateTime next = delivery.NextAttemptAt;
        if (outcome.Delivered) status = WebhookDeliveryStatus.Delivered;
        else
        {
            next = now + RetryDelay(Options, delivery.Attempts);
            status = next > delivery.CreatedAt + Options.RetryWindow ? WebhookDeliveryStatus.Failed : WebhookDeliveryStatus.Pending;
        }
        var updated = 0;
        await db.Sql().WriteAsync(db, async t =>
        {
            updated = await owned.ExecuteUpdateAsync(s => s
                .SetProperty(d => d.Status, status).SetProperty(d => d.NextAttemptAt, next)
                .SetProperty(d => d.LastStatusCode, outcome.StatusCode).SetProperty(d => d.LastError, error)
                .SetProperty(d => d.DeliveredAt, outcome.Delivered ? now : null)
                .SetProperty(d => d.LeaseOwner, (string?)null).SetProperty(d => d.LeaseUntil, (DateTime?)null)
                .SetProperty(d => d.UpdatedAt, now), t);
            if (updated == 0) return;
            db.WebhookAttempts.Add(new WebhookAttempt
            {
                DeliveryId = delivery.Id, AttemptedAt = outcome.At, StatusCode = outcome.StatusCode, Error = error, DurationMs = outcome.DurationMs,
            });
            await db.SaveChangesAsync(t);
        }, ct);
        if (updated == 0)
        {
            logger.LogWarning("Webhook delivery {DeliveryId}: lease lost before the result was recorded", delivery.Id);
            return;
        }
        var tag = AppMetrics.Tag("event", delivery.EventType);
        switch (status)
        {
            case WebhookDeliveryStatus.Delivered:
                AppMetrics.WebhooksDelivered.Add(1, tag);
                logger.LogInformation("Webhook {EventId} ({EventType}) delivered to endpoint {EndpointId}", delivery.EventId, delivery.EventType, delivery.EndpointId);
                break;
            case WebhookDeliveryStatus.Failed:
                AppMetrics.WebhooksFailed.Add(1, tag);
                logger.LogWarning("Webhook {EventId} ({EventType}) to endpoint {EndpointId} failed for good after {Attempts} attempts: {Error}",
                    delivery.EventId, delivery.EventType, delivery.EndpointId, delivery.Attempts, error);
                break;
            default:
                logger.LogInformation("Webhook {EventId} to endpoint {EndpointId} will be retried at {NextAttemptAt}: {Error}",
                    delivery.EventId, delivery.EndpointId, next, error);
                break;
        }
    }

    /// <summary>Four times longer after each failure, from <see cref="WebhookOptions.RetryBaseDelay"/>, capped at <see cref="WebhookOptions.MaxRetryDelay"/>.</summary>
    public static TimeSpan RetryDelay(WebhookOptions options, int attempt)
    {
        var delay = options.RetryBaseDelay.TotalMilliseconds * Math.Pow(4, Math.Clamp(attempt - 1, 0, 20));
        return TimeSpan.FromMilliseconds(Math.Min(delay, options.MaxRetryDelay.TotalMilliseconds));
    }

    private static int Elapsed(Stopwatch watch) => (int)Math.Min(int.MaxValue, watch.ElapsedMilliseconds);

    private DateTime Now() => time.GetUtcNow().UtcDateTime;
}
