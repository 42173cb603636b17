using System.Net;
using System.Security.Cryptography;
using CustomerAdmin.Common;
using CustomerAdmin.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace CustomerAdmin.Features.Webhooks;

/// <summary>An endpoint as registered: the secret exists in plain form only here, once.</summary>
public sealed record NewWebhookEndpoint(WebhookEndpoint Endpoint, string Secret);

/// <summary>
/// Registering, disabling and deleting webhook endpoints, a test event to one, and resending a delivery. The URL must
/// be <c>https://</c> (plain <c>http://</c> only to this machine, and only with <c>Webhooks:AllowHttp</c>); events are
/// from <see cref="WebhookEvents.All"/>; the secret is generated unless one is given.
/// </summary>
public sealed class WebhookOperations(IDbContextFactory<AppDbContext> dbFactory, WebhookSecrets secrets, IOptions<WebhookOptions> options,
    TimeProvider time)
{
    public const string SecretPrefix = "whsec_";
    public const int SecretMin = 16;
    public const int SecretMax = 200;

    public async Task<NewWebhookEndpoint> CreateAsync(string url, IEnumerable<string> events, string? secret = null, string? description = null,
        string? actor = null, CancellationToken ct = default)
    {
        var checkedUrl = CheckUrl(url, options.Value.AllowHttp);
        var wanted = events.Select(e => e.Trim()).Where(e => e.Length > 0).Distinct(StringComparer.Ordinal).ToList();
        if (wanted.Count == 0) throw new RuleViolationException("Choose at least one event.", nameof(WebhookEndpoint.Events));
        if (wanted.FirstOrDefault(e => !WebhookEvents.All.Contains(e)) is { } unknown)
            throw new RuleViolationException($"'{unknown}' is not an event. Events are: {string.Join(", ", WebhookEvents.All)}.", nameof(WebhookEndpoint.Events));
        secret = string.IsNullOrWhiteSpace(secret) ? SecretPrefix + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24)) : secret.Trim();
        if (secret.Length is < SecretMin or > SecretMax)
            throw new RuleViolationException($"A secret has {SecretMin} to {SecretMax} characters; leave it empty to have one made.", "Secret");
        description = string.IsNullOrWhiteSpace(description) ? null : TextInput.Truncate(description.Trim(), 200);

        var now = time.GetUtcNow().UtcDateTime;
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var endpoint = new WebhookEndpoint
        {
            Url = checkedUrl, Description = description, Events = WebhookEvents.Store(WebhookEvents.All.Where(wanted.Contains)),
            ProtectedSecret = secrets.Protect(secret), Enabled = true, CreatedAt = now, UpdatedAt = now, CreatedBy = actor ?? db.Actor,
        };
        db.WebhookEndpoints.Add(endpoint);
        await db.SaveChangesAsync(ct);
        WebhookSubscriptions.Forget(db);
        return new NewWebhookEndpoint(endpoint, secret);
    }

    /// <summary>The URL as stored, or a <see cref="RuleViolationException"/> at the URL field saying what is wrong with it.</summary>
    public static string CheckUrl(string? url, bool allowHttp)
    {
        url = (url ?? "").Trim();
        if (url.Length == 0) throw new RuleViolationException("Enter the URL events are posted to.", nameof(WebhookEndpoint.Url));
        if (url.Length > WebhookEndpoint.UrlMax) throw new RuleViolationException($"Use at most {WebhookEndpoint.UrlMax} characters.", nameof(WebhookEndpoint.Url));
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || string.IsNullOrEmpty(uri.Host))
            throw new RuleViolationException("Enter a full address, such as https://example.com/hooks.", nameof(WebhookEndpoint.Url));
        if (!string.IsNullOrEmpty(uri.UserInfo))
            throw new RuleViolationException("Leave user names and passwords out of the URL: the signature proves the sender.", nameof(WebhookEndpoint.Url));
        if (uri.Scheme == Uri.UriSchemeHttps) return uri.AbsoluteUri;
        var local = uri.IsLoopback || (IPAddress.TryParse(uri.Host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip));
        if (uri.Scheme == Uri.UriSchemeHttp && local && allowHttp) return uri.AbsoluteUri;
        throw new RuleViolationException(uri.Scheme == Uri.UriSchemeHttp
            ? "Use https://: events carry customer data and must be encrypted on the way."
            : "Use an https:// address.", nameof(WebhookEndpoint.Url));
    }

    /// <returns>False when there is no such endpoint.</returns>
    public async Task<bool> SetEnabledAsync(int endpointId, bool enabled, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var now = time.GetUtcNow().UtcDateTime;
        var changed = await db.WebhookEndpoints.Where(e => e.Id == endpointId)
            .ExecuteUpdateAsync(s => s.SetProperty(e => e.Enabled, enabled).SetProperty(e => e.UpdatedAt, now), ct) > 0;
        WebhookSubscriptions.Forget(db);
        return changed;
    }

    /// <summary>Deletes the endpoint with its deliveries and their attempts.</summary>
    /// <returns>False when there is no such endpoint.</returns>
    public async Task<bool> DeleteAsync(int endpointId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var endpoint = await db.WebhookEndpoints.FirstOrDefaultAsync(e => e.Id == endpointId, ct);
        if (endpoint is null) return false;
        db.WebhookEndpoints.Remove(endpoint);
        await db.SaveChangesAsync(ct);
        WebhookSubscriptions.Forget(db);
        return true;
    }

    /// <summary>A <c>webhook.test</c> event to this endpoint only (whatever it subscribes to), delivered like any other.</summary>
    public async Task<WebhookDelivery> SendTestAsync(int endpointId, string? actor = null, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        if (!await db.WebhookEndpoints.AnyAsync(e => e.Id == endpointId, ct))
            throw new RuleViolationException("Someone deleted this endpoint meanwhile.");
        var now = time.GetUtcNow().UtcDateTime;
        var (eventId, payload) = WebhookOutbox.Event(WebhookEvents.Test, now, new { endpointId, message = "A test event from CustomerAdmin." });
        var delivery = WebhookOutbox.NewDelivery(endpointId, eventId, WebhookEvents.Test, payload, now, actor ?? db.Actor);
        db.WebhookDeliveries.Add(delivery);
        await db.SaveChangesAsync(ct);
        return delivery;
    }

    /// <summary>A fresh delivery of the same event (same id and body) to the same endpoint, due now, with a new retry window.</summary>
    public async Task<WebhookDelivery> ResendAsync(long deliveryId, string? actor = null, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var original = await db.WebhookDeliveries.AsNoTracking().FirstOrDefaultAsync(d => d.Id == deliveryId, ct)
            ?? throw new RuleViolationException("This delivery no longer exists (its endpoint was deleted).");
        var now = time.GetUtcNow().UtcDateTime;
        var delivery = WebhookOutbox.NewDelivery(original.EndpointId, original.EventId, original.EventType, original.Payload, now, actor ?? db.Actor);
        delivery.OccurredAt = original.OccurredAt;
        db.WebhookDeliveries.Add(delivery);
        await db.SaveChangesAsync(ct);
        return delivery;
    }
}
