using CustomerAdmin.Data;
using Microsoft.EntityFrameworkCore;

namespace CustomerAdmin.Features.Webhooks;

/// <summary>An endpoint as the settings page lists it (never the secret).</summary>
public sealed record WebhookEndpointSummary(int Id, string Url, string? Description, IReadOnlyList<string> Events, bool Enabled,
    DateTime CreatedAt, string? CreatedBy);

/// <summary>The delivery log's filters, as its query string carries them.</summary>
public sealed record WebhookDeliveryFilter(int? EndpointId, WebhookDeliveryStatus? Status, string? EventType, long? Before);

public sealed record WebhookAttemptRow(DateTime AttemptedAt, int? StatusCode, string? Error, int DurationMs);

public sealed record WebhookDeliveryRow(long Id, int EndpointId, string EndpointUrl, string EventId, string EventType, DateTime OccurredAt,
    DateTime CreatedAt, WebhookDeliveryStatus Status, int Attempts, DateTime NextAttemptAt, int? LastStatusCode, string? LastError,
    DateTime? DeliveredAt, IReadOnlyList<WebhookAttemptRow> AttemptLog);

public static class WebhookQueries
{
    public const int PageSize = 50;

    public static async Task<List<WebhookEndpointSummary>> WebhookEndpointsAsync(this AppDbContext db, CancellationToken ct = default)
    {
        var rows = await db.WebhookEndpoints.AsNoTracking().OrderBy(e => e.Id)
            .Select(e => new { e.Id, e.Url, e.Description, e.Events, e.Enabled, e.CreatedAt, e.CreatedBy }).ToListAsync(ct);
        return rows.Select(e => new WebhookEndpointSummary(e.Id, e.Url, e.Description, WebhookEvents.Read(e.Events), e.Enabled, e.CreatedAt, e.CreatedBy)).ToList();
    }

    /// <summary>A page of deliveries, newest first, older than <see cref="WebhookDeliveryFilter.Before"/> when given, with their attempts.</summary>
    public static Task<List<WebhookDeliveryRow>> WebhookDeliveriesAsync(this AppDbContext db, WebhookDeliveryFilter filter, CancellationToken ct = default)
    {
        var query = db.WebhookDeliveries.AsNoTracking();
        if (filter.EndpointId is { } endpoint) query = query.Where(d => d.EndpointId == endpoint);
        if (filter.Status is { } status) query = query.Where(d => d.Status == status);
        if (!string.IsNullOrEmpty(filter.EventType)) query = query.Where(d => d.EventType == filter.EventType);
        if (filter.Before is { } before) query = query.Where(d => d.Id < before);
        return query.OrderByDescending(d => d.Id).Take(PageSize)
            .Select(d => new WebhookDeliveryRow(d.Id, d.EndpointId, d.Endpoint!.Url, d.EventId, d.EventType, d.OccurredAt, d.CreatedAt, d.Status,
                d.Attempts, d.NextAttemptAt, d.LastStatusCode, d.LastError, d.DeliveredAt,
                d.AttemptLog.OrderBy(a => a.AttemptedAt).Select(a => new WebhookAttemptRow(a.AttemptedAt, a.StatusCode, a.Error, a.DurationMs)).ToList()))
            .ToListAsync(ct);
    }
}
