using CustomerAdmin.Data;
using Microsoft.EntityFrameworkCore;

namespace CustomerAdmin.Features.Customers;

/// <summary>Row locks on customers for the rest of the caller's transaction.</summary>
public static class CustomerLocks
{
    /// <summary>
    /// On PostgreSQL locks these customers' rows (in id order, so two writers cannot wait for each other), for a change
    /// that reads what it is about to recount: a statement run after the lock sees what the previous holder committed.
    /// SQLite has one writer at a time, so nothing to lock there.
    /// </summary>
    public static async Task LockAsync(AppDbContext db, int[] customerIds, CancellationToken ct = default)
    {
        if (customerIds.Length > 0 && db.Database.IsNpgsql())
            await db.Database.ExecuteSqlAsync($"""SELECT 1 FROM "Customers" WHERE "Id" = ANY({customerIds}) ORDER BY "Id" FOR UPDATE""", ct);
    }
}
