using CustomerAdmin.Data;
using Microsoft.EntityFrameworkCore;

namespace CustomerAdmin.Features.Duplicates.Review;

/// <summary>The queue's filter, read from and written to the page's query string (the URL is the queue's state).</summary>
public sealed record QueueFilter(DuplicateLevel? Level = null, string? Reason = null, DuplicatePairState State = DuplicatePairState.Open,
    int? CustomerId = null);

/// <summary>One pair as the queue lists it.</summary>
public sealed record QueueRow(long Id, QueueCustomer A, QueueCustomer B, double Score, DuplicateLevel Level, string Reasons,
    DuplicatePairState State, int Version)
{
    public IReadOnlyList<string> ReasonList => DuplicateQueueQuery.SplitReasons(Reasons);
}

public sealed record QueueCustomer(int Id, string Name, string Phone, string? Email, string? City);

/// <summary>
/// The review queue: pairs of a state (open by default), surest first, narrowed by level, reason or customer, paged
/// in SQL so thousands of pairs list as fast as ten. Pairs with a deleted or merged customer are left out.
/// </summary>
public static class DuplicateQueueQuery
{
    public const string ReasonSeparator = "; ";

    public static IReadOnlyList<string> SplitReasons(string reasons) =>
        reasons.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    public static IQueryable<DuplicatePair> Filtered(this AppDbContext db, QueueFilter f)
    {
        var q = db.DuplicatePairs.AsNoTracking().Where(p => p.State == f.State);
        if (f.State != DuplicatePairState.Merged)
        {
            q = q.Where(p => p.CustomerA!.Status != CustomerStatus.Deleted && p.CustomerA.Status != CustomerStatus.Merged
                && p.CustomerB!.Status != CustomerStatus.Deleted && p.CustomerB.Status != CustomerStatus.Merged);
        }
        if (f.Level is { } level) q = q.Where(p => p.Level == level);
        if (!string.IsNullOrWhiteSpace(f.Reason))
        {
            var reason = f.Reason.Trim();
            q = q.Where(p => p.Reasons.Contains(reason));
        }
        if (f.CustomerId is { } id) q = q.Where(p => p.CustomerAId == id || p.CustomerBId == id);
        return q;
    }

    public static async Task<(int Total, List<QueueRow> Rows)> PageAsync(this AppDbContext db, QueueFilter filter, int page, int pageSize,
        CancellationToken ct = default)
    {
        var q = db.Filtered(filter);
        var total = await q.CountAsync(ct);
        var rows = await q.OrderByDescending(p => p.Score).ThenBy(p => p.Id).Skip((Math.Max(1, page) - 1) * pageSize).Take(pageSize)
            .Select(p => new
            {
                p.Id, p.Score, p.Level, p.Reasons, p.State, p.Version,
                A = new { p.CustomerA!.Id, p.CustomerA.Type, p.CustomerA.FirstName, p.CustomerA.LastName, p.CustomerA.Name, p.CustomerA.DisplayName, p.CustomerA.PrimaryPhone, p.CustomerA.Email, p.CustomerA.City },
                B = new { p.CustomerB!.Id, p.CustomerB.Type, p.CustomerB.FirstName, p.CustomerB.LastName, p.CustomerB.Name, p.CustomerB.DisplayName, p.CustomerB.PrimaryPhone, p.CustomerB.Email, p.CustomerB.City },
            })
            .ToListAsync(ct);
        return (total, rows.Select(r => new QueueRow(r.Id,
            new QueueCustomer(r.A.Id, Name(r.A.Type, r.A.FirstName, r.A.LastName, r.A.Name, r.A.DisplayName), r.A.PrimaryPhone, r.A.Email, r.A.City),
            new QueueCustomer(r.B.Id, Name(r.B.Type, r.B.FirstName, r.B.LastName, r.B.Name, r.B.DisplayName), r.B.PrimaryPhone, r.B.Email, r.B.City),
            r.Score, r.Level, r.Reasons, r.State, r.Version)).ToList());
    }

    /// <summary>The reasons of the surest open pairs, most frequent first: the choices of the reason filter.</summary>
    public static async Task<List<string>> CommonReasonsAsync(this AppDbContext db, CancellationToken ct = default)
    {
        var sample = await db.DuplicatePairs.AsNoTracking().Where(p => p.State == DuplicatePairState.Open)
            .OrderByDescending(p => p.Score).Take(2000).Select(p => p.Reasons).ToListAsync(ct);
        return sample.SelectMany(SplitReasons).GroupBy(r => r, StringComparer.Ordinal).OrderByDescending(g => g.Count()).ThenBy(g => g.Key)
            .Select(g => g.Key).Take(30).ToList();
    }

    /// <summary>Open pairs of this customer with another live customer: the customer page's "Possible duplicates (n)".</summary>
    public static Task<int> OpenPairCountAsync(this AppDbContext db, int customerId, CancellationToken ct = default) =>
        db.Filtered(new QueueFilter(CustomerId: customerId)).CountAsync(ct);

    private static string Name(CustomerType type, string? first, string? last, string? name, string? display) =>
        !string.IsNullOrWhiteSpace(display) ? display : type == CustomerType.Individual ? $"{first} {last}".Trim() : name ?? "";
}
