// Whole at ~470 lines: one worker's send cycle (claim under a lease, rules, send, record, reconcile), every step guarded by the same lease check.
using CustomerAdmin.Common;
using CustomerAdmin.Features.Sms;
using CustomerAdmin.Features.Sms.Reminders;
using CustomerAdmin.Features.Sms.Templates;
using CustomerAdmin.Features.Sms.Webhooks;
using CustomerAdmin.Data;
using CustomerAdmin.Data.Sql;
using CustomerAdmin.Features.Operations.Observability;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace CustomerAdmin.Features.Sms.Sending;

/// <summary>
/// Sends what the outbox holds, exactly once, from any number of app instances on one database.
/// </summary>
/// <remarks>
/// A pass claims due rows with a lease (Status = Sending, LeaseOwner = a token of this instance and pass,
/// LeaseUntil) through the database's dialect, so concurrent claimers take disjoint rows (<c>FOR UPDATE SKIP LOCKED</c>
/// on PostgreSQL; SQLite has one writer). Every later write is conditional on still holding the lease. A row found in
/// Sending with an expired lease is one whose send may or may not have happened (the instance died, or the provider did not answer):
/// it is reconciled against the provider's list of messages to that number before it is ever sent again.
/// </remarks>
public sealed class SmsDispatcher(
    IDbContextFactory<AppDbContext> dbFactory,
    ISmsSender sender,
    IOptions<SmsOptions> smsOptions,
    IOptions<VenueOptions> venueOptions,
    TimeProvider time,
    ILogger<SmsDispatcher> logger,
    DispatcherHeartbeat? heartbeat = null) : BackgroundService
{
    /// <summary>Provider clocks and ours disagree a little; reconciliation looks this far before the last attempt.</summary>
    public static readonly TimeSpan ClockSkew = TimeSpan.FromMinutes(1);

    /// <summary>How long results that met a busy database wait before they are written again.</summary>
    private static readonly TimeSpan RecordRetryWait = TimeSpan.FromSeconds(1);

    private readonly string _instance = Guid.NewGuid().ToString("N");
    private long _claims;

    private SmsOptions Options => smsOptions.Value;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!Options.RunDispatcher) return;
        logger.LogInformation("SMS dispatcher {Instance} started", _instance);
        // A full batch means more are probably due: go again at once.
        await BackgroundLoops.DispatchAsync(Options.DispatchInterval, time, logger, "SMS dispatch pass", async ct =>
        {
            var claimed = await DispatchDueAsync(ct);
            heartbeat?.Beat();
            return claimed >= Options.BatchSize;
        }, stoppingToken);
    }

    /// <summary>One pass: claims up to <see cref="SmsOptions.BatchSize"/> due messages and sends them. Returns how many it claimed.</summary>
    public async Task<int> DispatchDueAsync(CancellationToken ct)
    {
        var now = Now();
        var recovered = await ClaimAsync(expiredLeases: true, Options.BatchSize, now, ct);
        var fresh = await ClaimAsync(expiredLeases: false, Options.BatchSize - recovered.Count, now, ct);
        if (recovered.Count + fresh.Count == 0) return 0;
        foreach (var message in fresh)
            AppMetrics.DispatchLag.Record(Math.Max(0, (now - message.NextAttemptAt).TotalSeconds));

        var candidates = new List<SmsMessage>(fresh.Count + recovered.Count);
        foreach (var message in recovered)
        {
            // One at a time: two identical messages to one number must not both match the same provider message.
            if (await ReconcileAsync(message, now, ct)) continue;
            if (message.Attempts > Options.MaxAttempts)
                await RecordAsync(message, SmsSendResult.Permanent("attempts-exhausted",
                    $"Not sent after {Options.MaxAttempts} attempts; the provider has no record of it."), ct);
            else
                candidates.Add(message);
        }
        candidates.AddRange(fresh);

        var toSend = await FillEventDayAsync(await ApplyRulesAsync(candidates, now, ct), ct);
        var recoveredIds = recovered.Select(m => m.Id).ToHashSet();
        var results = new System.Collections.Concurrent.ConcurrentQueue<(SmsMessage, SmsSendResult)>();
        await Parallel.ForEachAsync(toSend, new ParallelOptions { MaxDegreeOfParallelism = Options.Concurrency, CancellationToken = ct },
            async (message, token) =>
            {
                if (await SendOneAsync(message, recoveredIds.Contains(message.Id), token) is { } result)
                    results.Enqueue((message, result));
            });
        await RecordAllAsync(results.ToList(), ct);
        return recovered.Count + fresh.Count;
    }

    private async Task<List<SmsMessage>> ClaimAsync(bool expiredLeases, int limit, DateTime now, CancellationToken ct)
    {
        if (limit <= 0) return [];
        // A token per pass, so a pass reads back exactly the rows it claimed and not ones it still holds from before.
        var token = $"{_instance}:{Interlocked.Increment(ref _claims)}";
        var until = now + Options.LeaseDuration;
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        // Concurrent claimers (other instances) take disjoint rows: see SqlDialect.ClaimAsync.
        if (expiredLeases)
            await db.Sql().ClaimAsync(db,
                db.SmsMessages.Where(m => m.Status == SmsStatus.Sending && (m.LeaseUntil == null || m.LeaseUntil < now)).OrderBy(m => m.LeaseUntil),
                limit,
                s => s.SetProperty(m => m.LeaseOwner, token).SetProperty(m => m.LeaseUntil, until)
                    .SetProperty(m => m.Attempts, m => m.Attempts + 1).SetProperty(m => m.UpdatedAt, now), ct);
        else
            await db.Sql().ClaimAsync(db,
                db.SmsMessages.Where(m => m.Status == SmsStatus.Pending && m.NextAttemptAt <= now).OrderBy(m => m.NextAttemptAt).ThenBy(m => m.Id),
                limit,
                s => s.SetProperty(m => m.Status, SmsStatus.Sending)
                    .SetProperty(m => m.LeaseOwner, token).SetProperty(m => m.LeaseUntil, until)
                    .SetProperty(m => m.Attempts, m => m.Attempts + 1).SetProperty(m => m.LastAttemptAt, now)
                    .SetProperty(m => m.UpdatedAt, now), ct);
        return await db.SmsMessages.AsNoTracking().Include(m => m.Customer)
            .Where(m => m.LeaseOwner == token && m.Status == SmsStatus.Sending)
            .OrderBy(m => m.NextAttemptAt).ThenBy(m => m.Id).ToListAsync(ct);
    }

    /// <summary>True when the provider already has this message (then it is recorded as sent, not sent again).</summary>
    private async Task<bool> ReconcileAsync(SmsMessage message, DateTime now, CancellationToken ct)
    {
        var since = (message.LastAttemptAt ?? message.CreatedAt) - ClockSkew;
        IReadOnlyList<SentSms> listed;
        try
        {
            listed = await sender.ListSentAsync(message.To, since, ct);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            // Without the provider's list a resend could be a duplicate: keep it unresolved and ask again later.
            logger.LogWarning(ex, "Could not reconcile SMS {SmsId} with the provider; will try again", message.Id);
            await using var hold = await dbFactory.CreateDbContextAsync(ct);
            await HoldUnresolvedAsync(hold, message, now, $"Reconciliation failed: {ex.Message}", ct);
            return true;
        }

        // A trial account prefixes the body, so a listed body that ends with ours is ours.
        var matches = listed.Where(s => s.Body == message.Body || s.Body.EndsWith(message.Body, StringComparison.Ordinal)).ToList();
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        SentSms? found = null;
        if (matches.Count > 0)
        {
            var sids = matches.Select(s => s.ProviderId).ToList();
            var taken = await db.SmsMessages.AsNoTracking().Where(m => m.ProviderId != null && sids.Contains(m.ProviderId))
                .Select(m => m.ProviderId!).ToListAsync(ct);
            found = matches.Where(s => !taken.Contains(s.ProviderId)).OrderBy(s => s.CreatedAt).FirstOrDefault();
        }
        if (found is null)
        {
            // Twilio can create a message long after the request that asked for it timed out; one look is not proof
            // that it never will. Until the window has passed, look again later rather than send again.
            var windowEnd = (message.LastAttemptAt ?? message.CreatedAt) + Options.UnknownOutcomeWindow;
            if (now < windowEnd)
            {
                var next = RecheckAt(message, now, windowEnd);
                logger.LogInformation("SMS {SmsId} is not at the provider yet; checking again at {NextCheckAt}, sent again only after {WindowEnd}",
                    message.Id, next, windowEnd);
                await HoldForRecheckAsync(db, message, now, next, windowEnd, ct);
                return true;
            }
            logger.LogInformation("SMS {SmsId} was not sent before its last attempt broke off; sending it again", message.Id);
            return false;
        }
        logger.LogInformation("SMS {SmsId} had been sent as {ProviderId} before its last attempt broke off; recorded, not sent again",
            message.Id, found.ProviderId);
        await RecordAsync(message, SmsSendResult.Accepted(found.ProviderId, found.Status, found.Segments), ct, found.CreatedAt);
        return true;
    }

    /// <summary>
    /// The next look at the provider: as long again as the message has been waiting (so a ten-minute window costs a
    /// handful of list requests, not one every few seconds), within the retry bounds, and never past the window's end.
    /// </summary>
    private DateTime RecheckAt(SmsMessage message, DateTime now, DateTime windowEnd)
    {
        var waited = now - (message.LastAttemptAt ?? message.CreatedAt);
        var delay = waited < Options.RetryBaseDelay ? Options.RetryBaseDelay
            : waited > Options.MaxRetryDelay ? Options.MaxRetryDelay
            : waited;
        var next = now + delay;
        return next < windowEnd ? next : windowEnd;
    }

    /// <summary>Stays in Sending, leased until the next look; the look is not a send, so it does not count as an attempt.</summary>
    private static Task<int> HoldForRecheckAsync(AppDbContext db, SmsMessage message, DateTime now, DateTime next, DateTime windowEnd,
        CancellationToken ct) =>
        Owned(db, message).ExecuteUpdateAsync(s => s
            .SetProperty(m => m.LeaseUntil, next).SetProperty(m => m.Attempts, m => m.Attempts - 1)
            .SetProperty(m => m.ErrorCode, "unknown-outcome")
            .SetProperty(m => m.ErrorMessage, Clip($"Not found at the provider yet; checked again until {windowEnd:yyyy-MM-dd HH:mm:ss} UTC before it is sent again."))
            .SetProperty(m => m.UpdatedAt, now), ct);

    /// <summary>Opt-outs, quiet hours and the per-recipient limits; returns the messages that may go now.</summary>
    private async Task<List<SmsMessage>> ApplyRulesAsync(List<SmsMessage> messages, DateTime now, CancellationToken ct)
    {
        if (messages.Count == 0) return [];
        var quiet = new QuietHours(Options, venueOptions.Value);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var numbers = messages.Select(m => m.To).Distinct().ToList();
        var dayAgo = now.AddDays(-1);
        var sent = (await db.SmsMessages.AsNoTracking()
                .Where(m => numbers.Contains(m.To) && m.SentAt > dayAgo)
                .Select(m => new { m.To, m.SentAt }).ToListAsync(ct))
            .GroupBy(m => m.To).ToDictionary(g => g.Key, g => g.Select(m => m.SentAt!.Value).ToList());

        var go = new List<SmsMessage>(messages.Count);
        foreach (var message in messages)
        {
            if (message.Customer is { } customer && SmsOutbox.SkipReason(customer) is { } skip)
            {
                logger.LogInformation("SMS {SmsId} skipped: {Reason}", message.Id, skip.Code);
                await FinishAsync(db, message, s => s
                    .SetProperty(m => m.Status, SmsStatus.Skipped).SetProperty(m => m.ErrorCode, skip.Code)
                    .SetProperty(m => m.ErrorMessage, skip.Message), now, ct);
                continue;
            }
            if (quiet.NextAllowed(now, message.Kind) is var allowed && allowed > now)
            {
                logger.LogInformation("SMS {SmsId} waits for the end of quiet hours at {NextAttemptAt}", message.Id, allowed);
                await ReleaseAsync(db, message, allowed, now, ct);
                continue;
            }
            var times = sent.TryGetValue(message.To, out var list) ? list : sent[message.To] = [];
            if (SmsRateLimit.NextSlot(times, now, Options.MaxPerHour, Options.MaxPerDay) is { } slot)
            {
                logger.LogInformation("SMS {SmsId} waits for the recipient's rate limit until {NextAttemptAt}", message.Id, slot);
                await ReleaseAsync(db, message, slot, now, ct);
                continue;
            }
            times.Add(now);
            go.Add(message);
        }
        return go;
    }

    /// <summary>
    /// Fills in <c>{{event_day}}</c> ("today", "tomorrow") by the venue's calendar at the moment of sending, not of
    /// writing: quiet hours can hold a reminder written in the evening until the event's own morning. The text is stored
    /// before the send, so a send whose outcome is later in doubt is reconciled against exactly what went out, and a
    /// message whose lease was lost meanwhile is left to its new owner.
    /// </summary>
    private async Task<List<SmsMessage>> FillEventDayAsync(List<SmsMessage> messages, CancellationToken ct)
    {
        var waiting = messages.Where(m => m.EventId is not null && SmsText.NeedsEventDay(m.Body)).ToList();
        if (waiting.Count == 0) return messages;
        var now = Now();
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var eventIds = waiting.Select(m => m.EventId!.Value).Distinct().ToList();
        var starts = await db.Events.AsNoTracking().Where(e => eventIds.Contains(e.Id)).ToDictionaryAsync(e => e.Id, e => e.StartsAt, ct);
        var lost = new HashSet<long>();
        await using (var transaction = await db.Database.BeginTransactionAsync(ct))
        {
            foreach (var message in waiting)
            {
                if (!starts.TryGetValue(message.EventId!.Value, out var start)) continue;
                var body = TextInput.Truncate(SmsText.RenderEventDay(message.Body, message.EventStartsAt ?? start, now, venueOptions.Value), SmsMessage.BodyMax);
                if (await Owned(db, message).ExecuteUpdateAsync(s => s.SetProperty(m => m.Body, body).SetProperty(m => m.UpdatedAt, now), ct) == 0)
                    lost.Add(message.Id);
                else
                    message.Body = body;
            }
            await transaction.CommitAsync(ct);
        }
        return lost.Count == 0 ? messages : messages.Where(m => !lost.Contains(m.Id)).ToList();
    }

    /// <summary>Back to Pending for later, without counting the claim as an attempt (nothing was tried).</summary>
    private static Task ReleaseAsync(AppDbContext db, SmsMessage message, DateTime at, DateTime now, CancellationToken ct) =>
        FinishAsync(db, message, s => s
            .SetProperty(m => m.Status, SmsStatus.Pending).SetProperty(m => m.NextAttemptAt, at)
            .SetProperty(m => m.Attempts, m => m.Attempts - 1), now, ct);

    private static Task<int> FinishAsync(AppDbContext db, SmsMessage message,
        Action<Microsoft.EntityFrameworkCore.Query.UpdateSettersBuilder<SmsMessage>> set, DateTime now, CancellationToken ct) =>
        SmsStatusChanges.UpdateAsync(db, Owned(db, message), s =>
        {
            set(s);
            s.SetProperty(m => m.LeaseOwner, (string?)null).SetProperty(m => m.LeaseUntil, (DateTime?)null).SetProperty(m => m.UpdatedAt, now);
        }, ct);

    private static IQueryable<SmsMessage> Owned(AppDbContext db, SmsMessage message) =>
        db.SmsMessages.Where(m => m.Id == message.Id && m.LeaseOwner == message.LeaseOwner && m.Status == SmsStatus.Sending);

    /// <summary>The provider's answer, or null when nothing was sent (lease lost) or the outcome is left to reconciliation.</summary>
    private async Task<SmsSendResult?> SendOneAsync(SmsMessage message, bool recovered, CancellationToken ct)
    {
        try
        {
            if (recovered)
            {
                // The next reconciliation must look from this attempt on; written before the send so a crash cannot lose it.
                var now = Now();
                await using var db = await dbFactory.CreateDbContextAsync(ct);
                if (await Owned(db, message).ExecuteUpdateAsync(s => s.SetProperty(m => m.LastAttemptAt, now), ct) == 0) return null;
            }
            return await sender.SendAsync(message.Id, message.To, message.Body, ct);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            // Left in Sending: when the lease runs out the next pass reconciles it with the provider.
            logger.LogError(ex, "Sending SMS {SmsId} failed with an unexpected error", message.Id);
            return null;
        }
    }

    /// <summary>
    /// A batch's results in one transaction: one commit instead of one per message (SQLite has a single writer and
    /// syncs on every commit). Until it commits the rows stay leased in Sending, so a crash here means reconciliation,
    /// never a second send. While the database is busy (another writer: an import, another instance) the batch is
    /// tried again until its leases run out; if it cannot be written, each result is tried on its own.
    /// </summary>
    private async Task RecordAllAsync(List<(SmsMessage Message, SmsSendResult Result)> results, CancellationToken ct)
    {
        if (results.Count == 0) return;
        try
        {
            var leasesEnd = DateTime.SpecifyKind(results.Min(r => r.Message.LeaseUntil) ?? Now(), DateTimeKind.Utc);
            await BackgroundLoops.WriteWhileBusyAsync(logger, $"Recording {results.Count} SMS results", leasesEnd, RecordRetryWait, time,
                async t =>
                {
                    await using var db = await dbFactory.CreateDbContextAsync(t);
                    await db.Sql().WriteAsync(db, async w =>
                    {
                        foreach (var (message, result) in results)
                            await WriteResultAsync(db, message, result, null, w);
                    }, t);
                    await OptOutRefusedRecipientsAsync(db, results, t);
                }, ct);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            logger.LogWarning(ex, "Recording {Count} SMS results together failed; recording them one by one", results.Count);
            foreach (var (message, result) in results)
            {
                try
                {
                    await RecordAsync(message, result, ct);
                }
                catch (Exception one) when (one is not OperationCanceledException || !ct.IsCancellationRequested)
                {
                    if (SqlDialects.IsBusy(one))
                        logger.LogWarning("Recording the result of SMS {SmsId} failed: the database stayed busy; it will be reconciled", message.Id);
                    else
                        logger.LogError(one, "Recording the result of SMS {SmsId} failed; it will be reconciled", message.Id);
                }
            }
        }
    }

    private async Task RecordAsync(SmsMessage message, SmsSendResult result, CancellationToken ct, DateTime? sentAt = null)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await WriteResultAsync(db, message, result, sentAt, ct);
        await OptOutRefusedRecipientsAsync(db, [(message, result)], ct);
    }

    private async Task OptOutRefusedRecipientsAsync(AppDbContext db, IEnumerable<(SmsMessage Message, SmsSendResult Result)> results, CancellationToken ct)
    {
        foreach (var (message, result) in results.Where(r => r.Result.RecipientOptedOut))
        {
            db.Actor = "sms-dispatcher";
            await SmsConsent.OptOutAsync(db, message.CustomerId, $"twilio:{result.ErrorCode}", Now(), null, ct);
            logger.LogInformation("Customer {CustomerId} opted out: the provider reports the number unsubscribed", message.CustomerId);
        }
    }

    private async Task WriteResultAsync(AppDbContext db, SmsMessage message, SmsSendResult result, DateTime? sentAt, CancellationToken ct)
    {
        var now = Now();
        int updated;
        switch (result.Outcome)
        {
            case SmsSendOutcome.Accepted:
                updated = await FinishAsync(db, message, s => s
                    .SetProperty(m => m.Status, result.Status).SetProperty(m => m.ProviderId, result.ProviderId)
                    .SetProperty(m => m.Segments, result.Segments ?? message.Segments).SetProperty(m => m.SentAt, sentAt ?? now)
                    .SetProperty(m => m.DeliveredAt, result.Status == SmsStatus.Delivered ? now : (DateTime?)null)
                    .SetProperty(m => m.ErrorCode, result.ErrorCode).SetProperty(m => m.ErrorMessage, Clip(result.ErrorMessage)), now, ct);
                if (updated > 0) AppMetrics.SmsSent.Add(1, AppMetrics.Tag("kind", message.Kind.ToString()));
                logger.LogInformation("SMS {SmsId} sent as {ProviderId} ({Status})", message.Id, result.ProviderId, result.Status);
                break;

            case SmsSendOutcome.Permanent:
                updated = await FailAsync(db, message, result.ErrorCode, result.ErrorMessage, now, ct);
                CountFailed(updated, message, result);
                logger.LogWarning("SMS {SmsId} failed for good: {ErrorCode} {ErrorMessage}", message.Id, result.ErrorCode, result.ErrorMessage);
                break;

            case SmsSendOutcome.Transient when message.Attempts >= Options.MaxAttempts:
                updated = await FailAsync(db, message, result.ErrorCode,
                    $"Gave up after {message.Attempts} attempts: {result.ErrorMessage}", now, ct);
                CountFailed(updated, message, result);
                logger.LogWarning("SMS {SmsId} failed after {Attempts} attempts: {ErrorCode} {ErrorMessage}",
                    message.Id, message.Attempts, result.ErrorCode, result.ErrorMessage);
                break;

            case SmsSendOutcome.Transient:
                var next = now + RetryDelay(Options, message.Attempts, result.RetryAfter);
                updated = await FinishAsync(db, message, s => s
                    .SetProperty(m => m.Status, SmsStatus.Pending).SetProperty(m => m.NextAttemptAt, next)
                    .SetProperty(m => m.ErrorCode, result.ErrorCode).SetProperty(m => m.ErrorMessage, Clip(result.ErrorMessage)), now, ct);
                logger.LogInformation("SMS {SmsId} will be retried at {NextAttemptAt}: {ErrorCode} {ErrorMessage}",
                    message.Id, next, result.ErrorCode, result.ErrorMessage);
                break;

            default:
                updated = await HoldUnresolvedAsync(db, message, now, result.ErrorMessage, ct);
                logger.LogWarning("SMS {SmsId}: outcome unknown ({ErrorMessage}); it will be reconciled before any retry",
                    message.Id, result.ErrorMessage);
                break;
        }
        if (updated == 0)
            logger.LogWarning("SMS {SmsId}: lease lost before the result was recorded; the next owner reconciles it", message.Id);
    }

    private static void CountFailed(int updated, SmsMessage message, SmsSendResult result)
    {
        if (updated > 0)
            AppMetrics.SmsFailed.Add(1, AppMetrics.Tag("kind", message.Kind.ToString()), AppMetrics.Tag("error", result.ErrorCode ?? "unknown"));
    }

    /// <summary>
    /// Stays in Sending with the lease running until the retry time, so whoever claims it next (any instance)
    /// reconciles with the provider first.
    /// </summary>
    private Task<int> HoldUnresolvedAsync(AppDbContext db, SmsMessage message, DateTime now, string? reason, CancellationToken ct)
    {
        var until = now + RetryDelay(Options, message.Attempts, null);
        return Owned(db, message).ExecuteUpdateAsync(s => s
            .SetProperty(m => m.LeaseUntil, until).SetProperty(m => m.ErrorCode, "unknown-outcome")
            .SetProperty(m => m.ErrorMessage, Clip(reason)).SetProperty(m => m.UpdatedAt, now), ct);
    }

    private static Task<int> FailAsync(AppDbContext db, SmsMessage message, string? code, string? error, DateTime now, CancellationToken ct) =>
        FinishAsync(db, message, s => s
            .SetProperty(m => m.Status, SmsStatus.Failed).SetProperty(m => m.ErrorCode, Clip(code, 50))
            .SetProperty(m => m.ErrorMessage, Clip(error)), now, ct);

    /// <summary>
    /// Exponential backoff with ±20 % jitter (so many messages failing together do not retry together), capped at
    /// <see cref="SmsOptions.MaxRetryDelay"/>; the provider's Retry-After wins when it says longer.
    /// </summary>
    public static TimeSpan RetryDelay(SmsOptions options, int attempt, TimeSpan? retryAfter)
    {
        var exponential = options.RetryBaseDelay.TotalMilliseconds * Math.Pow(2, Math.Clamp(attempt - 1, 0, 30));
        var capped = Math.Min(exponential, options.MaxRetryDelay.TotalMilliseconds);
        var jittered = TimeSpan.FromMilliseconds(capped * (0.8 + 0.4 * Random.Shared.NextDouble()));
        return retryAfter is { } after && after > jittered ? after : jittered;
    }

    private static string? Clip(string? text, int max = SmsMessage.ErrorMax) => text is null ? null : TextInput.Truncate(text, max);

    private DateTime Now() => time.GetUtcNow().UtcDateTime;
}
