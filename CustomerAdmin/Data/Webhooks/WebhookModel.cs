using Microsoft.EntityFrameworkCore;

namespace CustomerAdmin.Data;

/// <summary>Outbound webhooks: endpoints, their deliveries (outbox and log) and each delivery's attempts.</summary>
internal static class WebhookModel
{
    internal static void Configure(ModelBuilder b)
    {
        b.Entity<WebhookEndpoint>(e => e.HasIndex(w => w.Enabled));
        b.Entity<WebhookDelivery>(e =>
        {
            e.Property(d => d.Status).HasConversion<string>().HasMaxLength(20);
            // The dispatcher's claim: due pending rows, oldest first.
            e.HasIndex(d => new { d.Status, d.NextAttemptAt });
            // The delivery log: newest first, per endpoint and per event.
            e.HasIndex(d => new { d.EndpointId, d.Id });
            e.HasIndex(d => d.EventId);
            e.HasOne(d => d.Endpoint).WithMany().HasForeignKey(d => d.EndpointId).OnDelete(DeleteBehavior.Cascade);
            e.HasMany(d => d.AttemptLog).WithOne().HasForeignKey(a => a.DeliveryId).OnDelete(DeleteBehavior.Cascade);
        });
        b.Entity<WebhookAttempt>(e => e.HasIndex(a => new { a.DeliveryId, a.AttemptedAt }));
    }
}
