using CustomerAdmin.Data;
using Microsoft.EntityFrameworkCore;

namespace CustomerAdmin.Features.Duplicates.Merging;

/// <summary>Where a merged customer's record lives on: its survivor, following chains (A into B, then B into C).</summary>
public static class MergeChain
{
    private const int MaxHops = 100;

    /// <returns>The record that stands for <paramref name="customerId"/> now (itself when it is not merged).</returns>
    public static async Task<int> SurvivorOfAsync(this AppDbContext db, int customerId, CancellationToken ct = default)
    {
        var id = customerId;
        for (var hops = 0; hops < MaxHops; hops++)
        {
            var next = await db.Customers.AsNoTracking().Where(c => c.Id == id && c.Status == CustomerStatus.Merged)
                .Select(c => c.MergedIntoId).FirstOrDefaultAsync(ct);
            if (next is not { } into || into == customerId) return id;
            id = into;
        }
        return id;
    }
}
