using System.Text.Json;
using System.Text.Json.Serialization;
using CustomerAdmin.Data;
using Microsoft.EntityFrameworkCore;

namespace CustomerAdmin.Features.Webhooks;

/// <summary>
/// Writes an event's deliveries into the caller's context, so they commit with the change that raised the event (the
/// caller saves). One delivery per enabled endpoint subscribed to the type; with none, nothing is written and the data
/// is never built; whether anyone subscribes is remembered for a few seconds (<see cref="WebhookSubscriptions"/>), so
/// writes cost no query at all when nobody does.
/// </summary>
public static class WebhookOutbox
{
    /// <summary>The body's JSON: camelCase names and enums as names, as the REST API writes them.</summary>
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    /// <summary>Adds the event for every subscribed endpoint to <paramref name="db"/>; returns how many deliveries it added.</summary>
    /// <param name="data">The body's <c>data</c>: the record's id and its API representation; called only when someone subscribes.</param>
    public static Task<int> AddAsync(AppDbContext db, string type, Func<object> data, CancellationToken ct = default) =>
        AddEachAsync(db, type, [data], ct);

    /// <summary>One event per item (a bulk change), with one look-up of the subscribers for all of them.</summary>
    public static async Task<int> AddEachAsync(AppDbContext db, string type, IReadOnlyCollection<Func<object>> events, CancellationToken ct = default)
    {
        if (events.Count == 0 || !await WebhookSubscriptions.AnyAsync(db, type, ct)) return 0;
        var marker = WebhookEvents.Marker(type);
        var endpoints = await db.WebhookEndpoints.AsNoTracking().Where(e => e.Enabled && e.Events.Contains(marker)).Select(e => e.Id).ToListAsync(ct);
        if (endpoints.Count == 0) return 0;
        var now = db.Time.GetUtcNow().UtcDateTime;
        foreach (var data in events)
        {
            var (eventId, payload) = Event(type, now, data());
            foreach (var endpoint in endpoints)
                db.WebhookDeliveries.Add(NewDelivery(endpoint, eventId, type, payload, now, db.Actor));
        }
        return endpoints.Count * events.Count;
    }

    /// <summary>As <see cref="AddAsync"/>, for data that needs a query: <paramref name="data"/> runs only when someone subscribes.</summary>
    public static async Task<int> AddLoadedAsync(AppDbContext db, string type, Func<Task<object>> data, CancellationToken ct = default)
    {
        if (!await SubscribedAsync(db, type, ct)) return 0;
        var loaded = await data();
        return await AddAsync(db, type, () => loaded, ct);
    }

    /// <summary>Whether an enabled endpoint subscribes to <paramref name="type"/>: writers that need more than one statement to build an event ask first.</summary>
    public static Task<bool> SubscribedAsync(AppDbContext db, string type, CancellationToken ct) => WebhookSubscriptions.AnyAsync(db, type, ct);

    /// <summary>A new event id and the body that carries it.</summary>
    public static (string EventId, string Payload) Event(string type, DateTime occurredAt, object data)
    {
        var eventId = "evt_" + Guid.CreateVersion7().ToString("N");
        return (eventId, JsonSerializer.Serialize(new { id = eventId, type, occurredAt, data }, Json));
    }

    /// <summary>A delivery due now; the dispatcher retries it for <see cref="WebhookOptions.RetryWindow"/> after <paramref name="now"/>.</summary>
    public static WebhookDelivery NewDelivery(int endpointId, string eventId, string type, string payload, DateTime now, string? actor) => new()
    {
        EndpointId = endpointId, EventId = eventId, EventType = type, Payload = payload, OccurredAt = now,
        Status = WebhookDeliveryStatus.Pending, NextAttemptAt = now, CreatedAt = now, UpdatedAt = now,
        CreatedBy = actor,
    };
}
