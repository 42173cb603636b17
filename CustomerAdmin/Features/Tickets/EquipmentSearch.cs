using CustomerAdmin.Features.Customers;
using CustomerAdmin.Features.Customers.History;
using CustomerAdmin.Features.Customers.Search;
using CustomerAdmin.Data;
using CustomerAdmin.Data.Sql;
using Microsoft.EntityFrameworkCore;

namespace CustomerAdmin.Features.Tickets;

/// <summary>Finds equipment and its owner by (the start of) a serial number, however it was typed.</summary>
public static class EquipmentSearch
{
    public sealed record Found(int Id, string Label, string? SerialNumber, int CustomerId, string OwnerName);

    public static Task<List<Found>> FindEquipmentAsync(this AppDbContext db, string? serial, CancellationToken ct = default, int limit = 50)
    {
        var q = db.Equipment.AsNoTracking();
        if (Equipment.KeyOf(serial) is { } key)
        {
            var hi = PrefixRange.UpperBound(key);
            q = q.Where(e => string.Compare(e.SerialKey, key) >= 0 && string.Compare(e.SerialKey, hi) < 0);
        }
        return q.OrderBy(e => e.SerialKey).ThenBy(e => e.Id).Take(limit)
            .Select(e => new Found(e.Id,
                e.Type + (e.Make != null ? " " + e.Make : "") + (e.Model != null ? " " + e.Model : ""), e.SerialNumber, e.CustomerId,
                e.Customer!.DisplayName ?? (e.Customer.Type == CustomerType.Individual ? e.Customer.FirstName + " " + e.Customer.LastName : e.Customer.Name) ?? ""))
            .ToListAsync(ct);
    }
}
