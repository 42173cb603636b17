using CustomerAdmin.Data;
using Microsoft.EntityFrameworkCore;

namespace CustomerAdmin.Features.Privacy.Retention;

/// <summary>What the next run would do: the page's dry run, and the figures the run's report is compared with.</summary>
/// <param name="Refused">Inactive customers the erasure would refuse (open tickets, bookings on events to come).</param>
public sealed record RetentionPreview(int? Anonymise, int? Refused, int? SmsBodies, int? Documents)
{
    public bool Nothing => (Anonymise ?? 0) + (SmsBodies ?? 0) + (Documents ?? 0) == 0;
}

/// <summary>
/// Which rows each retention policy applies to. The dry run counts these queries and the run walks the same ones in
/// batches, so the page's figures are what the run does.
/// </summary>
/// <remarks>
/// A customer's last activity is the newest of: the record's <see cref="Customer.UpdatedAt"/> (any edit) and
/// <see cref="Customer.LastVisitAt"/> (the derived last visit), a ticket opened or closed, a sale, a booking made or
/// changed, an SMS queued, a timeline entry (staff notes and calls, replies, system entries) and a document uploaded.
/// </remarks>
public static class RetentionQuery
{
    /// <summary>Customers with no activity since <paramref name="cutoff"/>, not merged (a merged record goes with its survivor) and not erased already.</summary>
    public static IQueryable<Customer> InactiveSince(this AppDbContext db, DateTime cutoff) =>
        db.Customers.Where(c => c.Status != CustomerStatus.Merged
            && c.UpdatedAt < cutoff && (c.LastVisitAt == null || c.LastVisitAt < cutoff)
            && !db.Set<CustomerErasure>().Any(e => e.CustomerId == c.Id)
            && !db.Tickets.Any(t => t.CustomerId == c.Id && (t.OpenedAt >= cutoff || t.ClosedAt >= cutoff))
            && !db.Sales.Any(s => s.CustomerId == c.Id && s.SoldAt >= cutoff)
            && !db.Bookings.Any(b => b.CustomerId == c.Id && b.UpdatedAt >= cutoff)
            && !db.SmsMessages.Any(m => m.CustomerId == c.Id && m.CreatedAt >= cutoff)
            && !db.Activities.Any(a => a.CustomerId == c.Id && a.OccurredAt >= cutoff)
            && !db.Documents.Any(d => d.CustomerId == c.Id && d.UploadedAt >= cutoff));

    /// <summary>Of <paramref name="customers"/>, those the erasure refuses at <paramref name="now"/> (open tickets, bookings on scheduled events to come).</summary>
    public static IQueryable<Customer> RefusedByErasure(this AppDbContext db, IQueryable<Customer> customers, DateTime now) =>
        customers.Where(c => db.Tickets.Any(t => t.CustomerId == c.Id && t.Status != TicketStatus.Closed && t.Status != TicketStatus.Cancelled)
            || db.Bookings.Any(b => b.CustomerId == c.Id && b.Event!.Status == EventStatus.Scheduled && b.Event.StartsAt > now));

    /// <summary>Sent or failed messages queued before <paramref name="cutoff"/> that still hold their text (one waiting to go keeps it).</summary>
    public static IQueryable<SmsMessage> SmsBodiesBefore(this AppDbContext db, DateTime cutoff) =>
        db.SmsMessages.Where(m => m.CreatedAt < cutoff && m.Body != "" && m.Status != SmsStatus.Pending && m.Status != SmsStatus.Sending);

    /// <summary>Replies received before <paramref name="cutoff"/> (timeline entries) that still hold their text.</summary>
    public static IQueryable<Activity> SmsRepliesBefore(this AppDbContext db, DateTime cutoff) =>
        db.Activities.Where(a => a.Kind == ActivityKind.SmsReply && a.OccurredAt < cutoff && a.Body != null);

    /// <summary>Documents of erased customers (and of records merged into one), and of customers with no activity since <paramref name="cutoff"/>.</summary>
    public static IQueryable<CustomerDocument> DocumentsToDelete(this AppDbContext db, DateTime cutoff)
    {
        var inactive = db.InactiveSince(cutoff).Select(c => c.Id);
        return db.Documents.Where(d => inactive.Contains(d.CustomerId)
            || db.Set<CustomerErasure>().Any(e => e.CustomerId == d.CustomerId)
            || db.Customers.Any(c => c.Id == d.CustomerId && c.Status == CustomerStatus.Merged
                && db.Set<CustomerErasure>().Any(e => e.CustomerId == c.MergedIntoId)));
    }

    /// <summary>The dry run: what a run started at <paramref name="now"/> with <paramref name="policy"/> would do (null for a policy that is off).</summary>
    public static async Task<RetentionPreview> PreviewAsync(this AppDbContext db, RetentionPolicy policy, DateTime now, CancellationToken ct)
    {
        int? anonymise = null, refused = null, sms = null, documents = null;
        if (policy.ClearSmsBodies)
        {
            var cutoff = now.AddDays(-policy.SmsBodyDays);
            sms = await db.SmsBodiesBefore(cutoff).CountAsync(ct) + await db.SmsRepliesBefore(cutoff).CountAsync(ct);
        }
        // The run deletes documents before it anonymises: the documents an erasure removes are its own (in the erasure log).
        if (policy.DeleteDocuments)
            documents = await db.DocumentsToDelete(now.AddMonths(-policy.DocumentMonths)).CountAsync(ct);
        if (policy.AnonymiseInactive)
        {
            var inactive = db.InactiveSince(now.AddMonths(-policy.InactiveMonths));
            refused = await db.RefusedByErasure(inactive, now).CountAsync(ct);
            anonymise = await inactive.CountAsync(ct) - refused;
        }
        return new RetentionPreview(anonymise, refused, sms, documents);
    }

    /// <summary>The stored policies, or the defaults (every policy off) before an admin saved any.</summary>
    public static async Task<RetentionPolicy> RetentionPolicyAsync(this AppDbContext db, CancellationToken ct) =>
        await db.RetentionPolicies.AsNoTracking().FirstOrDefaultAsync(p => p.Id == RetentionPolicy.SingletonId, ct) ?? new RetentionPolicy();

    /// <summary>The policies in words, for the run's report.</summary>
    public static string Describe(RetentionPolicy p)
    {
        var parts = new List<string>();
        if (p.AnonymiseInactive) parts.Add($"anonymise after {p.InactiveMonths} months inactive");
        if (p.ClearSmsBodies) parts.Add($"SMS text after {p.SmsBodyDays} days");
        if (p.DeleteDocuments) parts.Add($"documents after {p.DocumentMonths} months inactive or erased");
        return parts.Count == 0 ? "all policies off" : string.Join("; ", parts);
    }
}
