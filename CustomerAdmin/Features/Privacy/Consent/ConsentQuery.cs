using CustomerAdmin.Data;
using Microsoft.EntityFrameworkCore;

namespace CustomerAdmin.Features.Privacy.Consent;

public static class ConsentQuery
{
    /// <summary>Each purpose with its current state for the customer (its newest row, or none).</summary>
    public static async Task<IReadOnlyList<ConsentState>> ConsentStatesAsync(this AppDbContext db, IReadOnlyList<ConsentPurpose> purposes,
        int customerId, CancellationToken ct = default)
    {
        var rows = await db.ConsentRecords.AsNoTracking().Where(r => r.CustomerId == customerId).ToListAsync(ct);
        return purposes.Select(p => new ConsentState(p,
            rows.Where(r => r.Purpose == p.Key).OrderByDescending(r => r.At).ThenByDescending(r => r.Id).FirstOrDefault())).ToList();
    }
}
