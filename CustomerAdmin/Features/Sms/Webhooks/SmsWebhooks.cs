using System.Globalization;
using CustomerAdmin.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using CustomerAdmin.Features.Sms.Reminders;
using CustomerAdmin.Features.Sms.Sending;
using CustomerAdmin.Common;

namespace CustomerAdmin.Features.Sms.Webhooks;

/// <summary>
/// Twilio's callbacks: delivery updates and inbound replies. Open to anonymous callers (Twilio signs in no user) but
/// every request must carry a valid <c>X-Twilio-Signature</c>; both are idempotent because Twilio retries.
/// </summary>
public static class SmsWebhooks
{
    public const string StatusPath = "/sms/twilio/status";
    public const string InboundPath = "/sms/twilio/inbound";
    /// <summary>The outbox row a status callback is about, in the callback URL the sender gives Twilio.</summary>
    public const string OutboxIdParameter = "outboxId";

    private static readonly HashSet<string> OptOutWords =
        new(["STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "REVOKE", "OPTOUT"], StringComparer.OrdinalIgnoreCase);
    private static readonly HashSet<string> OptInWords = new(["START", "YES", "UNSTOP"], StringComparer.OrdinalIgnoreCase);

    private const string EmptyTwiml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response/>";

    public static IEndpointRouteBuilder MapSmsWebhooks(this IEndpointRouteBuilder app)
    {
        // Twilio posts forms without an antiforgery token; the signature is what proves the sender.
        var group = app.MapGroup("").AllowAnonymous().DisableAntiforgery();
        group.MapPost(StatusPath, StatusAsync);
        group.MapPost(InboundPath, InboundAsync);
        return app;
    }

    /// <summary>Both webhooks as the authorization tests see them: anonymous on purpose, refused without a signature.</summary>
    public static IReadOnlyList<string> Paths { get; } = [StatusPath, InboundPath];

    private static async Task<IResult> StatusAsync(HttpContext context, IDbContextFactory<AppDbContext> dbFactory,
        IOptions<SmsOptions> options, TimeProvider time, ILoggerFactory loggers, CancellationToken ct)
    {
        var logger = loggers.CreateLogger(typeof(SmsWebhooks));
        if (await VerifiedFormAsync(context, options.Value, logger, ct) is not { } form) return Results.StatusCode(StatusCodes.Status403Forbidden);

        var sid = form["MessageSid"].ToString();
        var status = TwilioSmsSender.ToSmsStatus(form["MessageStatus"].ToString());
        var errorCode = form["ErrorCode"].ToString() is { Length: > 0 } code ? code : null;
        var now = time.GetUtcNow().UtcDateTime;
        var lower = Enum.GetValues<SmsStatus>().Where(s => s != SmsStatus.Skipped && SmsMessage.Rank(s) < SmsMessage.Rank(status)).ToList();

        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        // One conditional statement: concurrent or late callbacks can only move a message forward.
        var updated = await SmsStatusChanges.UpdateAsync(db, db.SmsMessages.Where(m => m.ProviderId == sid && lower.Contains(m.Status)), s => s
            .SetProperty(m => m.Status, status)
            .SetProperty(m => m.DeliveredAt, m => status == SmsStatus.Delivered ? now : m.DeliveredAt)
            .SetProperty(m => m.ErrorCode, m => errorCode ?? m.ErrorCode)
            .SetProperty(m => m.UpdatedAt, now), ct);
        await tx.CommitAsync(ct);
        if (updated == 0)
        {
            if (string.IsNullOrEmpty(sid) || !await db.SmsMessages.AnyAsync(m => m.ProviderId == sid, ct))
            {
                if (await AttachToOutboxAsync(context.Request, db, form, sid, status, errorCode, now, logger, ct)) return Results.Ok();
                logger.LogInformation("Twilio status {MessageStatus} for unknown message {MessageSid} ignored", form["MessageStatus"].ToString(), sid);
            }
        }
        else
            logger.LogInformation("SMS {ProviderId} is now {Status}", sid, status);
        return Results.Ok();
    }

    /// <summary>
    /// A callback for a message whose SID the outbox does not know: the send's answer was lost (a timeout, a crash) but
    /// Twilio created the message. The callback URL names the outbox row, so the SID is attached to it; that moves the row
    /// out of Sending, and the dispatcher, which reconciles and resends only rows in Sending, never sends it again.
    /// </summary>
    private static async Task<bool> AttachToOutboxAsync(HttpRequest request, AppDbContext db, IFormCollection form, string sid,
        SmsStatus status, string? errorCode, DateTime now, ILogger logger, CancellationToken ct)
    {
        if (string.IsNullOrEmpty(sid)
            || !long.TryParse(request.Query[OutboxIdParameter].ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out var outboxId))
            return false;
        var row = db.SmsMessages.Where(m => m.Id == outboxId && m.ProviderId == null);
        // A callback about another number is not about this row, whatever its URL says.
        if (form["To"].ToString() is { Length: > 0 } to) row = row.Where(m => m.To == to);
        var attached = await SmsStatusChanges.UpdateAsync(db, row, s => s
            .SetProperty(m => m.ProviderId, sid)
            .SetProperty(m => m.Status, status)
            .SetProperty(m => m.SentAt, m => m.SentAt ?? now)
            .SetProperty(m => m.DeliveredAt, m => status == SmsStatus.Delivered ? now : m.DeliveredAt)
            .SetProperty(m => m.ErrorCode, errorCode)
            .SetProperty(m => m.ErrorMessage, (string?)null)
            .SetProperty(m => m.LeaseOwner, (string?)null)
            .SetProperty(m => m.LeaseUntil, (DateTime?)null)
            .SetProperty(m => m.UpdatedAt, now), ct);
        if (attached > 0)
        {
            logger.LogInformation("SMS {SmsId} reported itself as {ProviderId} ({Status}) after its send's answer was lost; recorded, not sent again",
                outboxId, sid, status);
            return true;
        }
        if (await db.SmsMessages.AsNoTracking().Where(m => m.Id == outboxId).Select(m => m.ProviderId).FirstOrDefaultAsync(ct) is { } other)
        {
            logger.LogWarning("SMS {SmsId} was sent as {ProviderId} and Twilio reports another message, {MessageSid}, made for it: it went twice",
                outboxId, other, sid);
            return true;
        }
        return false;
    }

    private static async Task<IResult> InboundAsync(HttpContext context, IDbContextFactory<AppDbContext> dbFactory,
        IOptions<SmsOptions> options, TimeProvider time, ILoggerFactory loggers, CancellationToken ct)
    {
        var logger = loggers.CreateLogger(typeof(SmsWebhooks));
        if (await VerifiedFormAsync(context, options.Value, logger, ct) is not { } form) return Results.StatusCode(StatusCodes.Status403Forbidden);

        var from = form["From"].ToString();
        var text = form["Body"].ToString();
        var sid = form["MessageSid"].ToString();
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        db.Actor = "sms";
        // Opt-outs count for any customer on record, not just active ones: a blocked customer may still say STOP.
        var customerId = await db.Customers.AsNoTracking()
            .Where(c => c.PrimaryPhone == from).Live()
            .Select(c => (int?)c.Id).FirstOrDefaultAsync(ct);
        if (customerId is not { } id)
        {
            logger.LogInformation("SMS reply {MessageSid} from a number no customer has; not stored", sid);
            return Twiml();
        }
        // Twilio retries a webhook it thinks failed: the message sid on the timeline entry makes a replay a no-op.
        var dedupeKey = string.IsNullOrEmpty(sid) ? null : $"sms:{sid}";
        if (dedupeKey is not null && await db.Activities.AnyAsync(a => a.CustomerId == id && a.CreatedBy == dedupeKey, ct))
            return Twiml();

        var now = time.GetUtcNow().UtcDateTime;
        var keyword = text.Trim().ToUpperInvariant();
        if (OptOutWords.Contains(keyword))
        {
            await SmsConsent.OptOutAsync(db, id, $"sms:{keyword}", now, dedupeKey, ct);
            logger.LogInformation("Customer {CustomerId} opted out of SMS by replying {Keyword}", id, keyword);
        }
        else if (OptInWords.Contains(keyword))
        {
            await SmsConsent.OptInAsync(db, id, $"sms:{keyword}", now, dedupeKey, ct);
            logger.LogInformation("Customer {CustomerId} opted in to SMS by replying {Keyword}", id, keyword);
        }
        else
        {
            db.Activities.Add(new Activity
            {
                CustomerId = id, Kind = ActivityKind.SmsReply, Subject = "SMS reply", Body = TextInput.Truncate(text, Activity.BodyMax),
                OccurredAt = now, CreatedAt = now, CreatedBy = dedupeKey ?? "sms",
            });
            await db.SaveChangesAsync(ct);
            logger.LogInformation("SMS reply {MessageSid} from customer {CustomerId} added to the timeline", sid, id);
        }
        return Twiml();
    }

    /// <summary>The posted form when its signature is valid; null (answer 403) otherwise, also when no auth token is configured.</summary>
    private static async Task<IFormCollection?> VerifiedFormAsync(HttpContext context, SmsOptions options, ILogger logger, CancellationToken ct)
    {
        var token = options.Twilio.AuthToken;
        // Refusals answer anonymous callers, so their warnings are throttled (LogThrottle): a flood of them cannot
        // flood the log.
        var throttle = context.RequestServices.GetRequiredService<CustomerAdmin.Security.LogThrottle>();
        if (string.IsNullOrEmpty(token))
        {
            if (throttle.ShouldLog("twilio-webhook-no-token", out var skipped))
                logger.LogWarning("Twilio webhook {Path} refused: Sms:Twilio:AuthToken is not set, so no signature can be checked ({Suppressed} similar refusals not logged)",
                    context.Request.Path, skipped);
            return null;
        }
        var form = context.Request.HasFormContentType ? await context.Request.ReadFormAsync(ct) : FormCollection.Empty;
        var parameters = form.SelectMany(f => f.Value.Select(v => new KeyValuePair<string, string>(f.Key, v ?? "")));
        var url = TwilioSignature.PublicUrl(context.Request, options.PublicBaseUrl);
        if (TwilioSignature.IsValid(token, url, parameters, context.Request.Headers[TwilioSignature.Header].ToString()))
            return form;
        if (throttle.ShouldLog("twilio-webhook-bad-signature", out var suppressed))
            logger.LogWarning("Twilio webhook {Path} refused: missing or invalid signature for {Url} ({Suppressed} similar refusals not logged)",
                context.Request.Path, url, suppressed);
        return null;
    }

    private static IResult Twiml() => Results.Content(EmptyTwiml, "text/xml");
}
