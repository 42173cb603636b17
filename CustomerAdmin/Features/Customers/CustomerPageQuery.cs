using CustomerAdmin.Features.Customers.Documents;
using CustomerAdmin.Features.Customers.Search;
using CustomerAdmin.Features.Customers.Timeline;
using CustomerAdmin.Data;
using Microsoft.EntityFrameworkCore;

namespace CustomerAdmin.Features.Customers;

public sealed record TicketSummary(int Id, string Number, string What, TicketStatus Status, DateTime OpenedAt, decimal? QuotedAmount, decimal? FinalAmount);

public sealed record CustomerPageData(
    Customer Customer, CustomerStats? Stats, IReadOnlyList<TicketSummary> Tickets, IReadOnlyList<Sale> Sales,
    IReadOnlyList<Equipment> Equipment, TimelinePage Timeline, IReadOnlyList<DocumentSummary> Documents,
    IReadOnlyList<ExternalReference>? References = null);

/// <summary>A customer's id in another system (the legacy tickets, an imported spreadsheet's source).</summary>
public sealed record ExternalReference(string Source, string Reference);

/// <summary>
/// Everything the customer page shows, in a fixed number of queries however long the customer's history is:
/// each section is capped or paged in SQL, and nothing is loaded per row.
/// </summary>
public static class CustomerPageQuery
{
    public const int RecentRows = 10;
    public const int MaxEquipment = 50;
    public const int MaxDocuments = 200;
    public const int MaxReferences = 20;

    public static async Task<CustomerPageData?> LoadCustomerPageAsync(this AppDbContext db, int id, CancellationToken ct = default)
    {
        if (await db.FindWithStatsAsync(id, ct) is not { } found) return null;
        var (customer, stats) = found;
        var tickets = await db.Tickets.AsNoTracking().Where(t => t.CustomerId == id).OrderByDescending(t => t.OpenedAt).ThenByDescending(t => t.Id)
            .Take(RecentRows)
            .Select(t => new TicketSummary(t.Id, t.Number, t.Equipment != null ? t.Equipment.Type + " " + (t.Equipment.Make ?? "") + " " + (t.Equipment.Model ?? "") : t.Item ?? "",
                t.Status, t.OpenedAt, t.QuotedAmount, t.FinalAmount))
            .ToListAsync(ct);
        var sales = await db.Sales.AsNoTracking().Where(s => s.CustomerId == id).OrderByDescending(s => s.SoldAt).ThenByDescending(s => s.Id)
            .Take(RecentRows).ToListAsync(ct);
        var equipment = await db.Equipment.AsNoTracking().Where(q => q.CustomerId == id).OrderBy(q => q.Type).ThenBy(q => q.Id)
            .Take(MaxEquipment).ToListAsync(ct);
        var timeline = await db.TimelinePageAsync(id, TimelineFilter.All, 1, ct: ct);
        var documents = await db.Documents.AsNoTracking().Where(d => d.CustomerId == id)
            .OrderByDescending(d => d.UploadedAt).ThenByDescending(d => d.Id).Take(MaxDocuments)
            .Select(d => new DocumentSummary(d.Id, d.Type, d.FileName, d.ContentType, d.Size, d.Sha256, d.UploadedAt, d.UploadedBy))
            .ToListAsync(ct);
        var references = await db.LegacyCustomerLinks.AsNoTracking().Where(l => l.CustomerId == id).OrderBy(l => l.Source).ThenBy(l => l.LegacyId)
            .Take(MaxReferences).Select(l => new ExternalReference(l.Source, l.LegacyId)).ToListAsync(ct);
        return new CustomerPageData(customer, stats, tickets, sales, equipment, timeline, documents, references);
    }
}
