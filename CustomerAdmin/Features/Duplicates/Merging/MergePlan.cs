using CustomerAdmin.Data;
using CustomerAdmin.Features.Customers;
using Microsoft.EntityFrameworkCore;

namespace CustomerAdmin.Features.Duplicates.Merging;

/// <summary>How many rows of each kind a record has: what a merge would move.</summary>
public sealed record RowCounts(int Tickets, int Sales, int Bookings, int Equipment, int Sms, int Timeline, int Documents)
{
    public override string ToString()
    {
        var parts = new[]
        {
            N(Tickets, "ticket", "tickets"), N(Sales, "sale", "sales"), N(Bookings, "booking", "bookings"), N(Equipment, "device", "devices"),
            N(Sms, "SMS", "SMS"), N(Timeline, "timeline entry", "timeline entries"), N(Documents, "document", "documents"),
        }.Where(p => p is not null).ToList();
        return parts.Count == 0 ? "nothing" : string.Join(", ", parts);

        static string? N(int n, string one, string many) => n == 0 ? null : n == 1 ? $"1 {one}" : $"{n} {many}";
    }
}

/// <summary>An event both records are booked on: the merge keeps one booking with the seats the user chooses.</summary>
public sealed record BookingConflict(int EventId, string EventName, DateTime StartsAt, int Capacity, int SeatsA, int SeatsB, int BookedByOthers)
{
    /// <summary>Seats the event has for this customer: its capacity less everyone else's.</summary>
    public int Available => Math.Max(0, Capacity - BookedByOthers);
    /// <summary>One person booked twice: the larger of the two bookings.</summary>
    public int DefaultSeats => Math.Max(SeatsA, SeatsB);
}

/// <summary>One field of the side-by-side view and the merge dialog.</summary>
public sealed record FieldRow(string Field, string Label, string? A, string? B)
{
    public bool Differs => A != B;
}

/// <summary>
/// Two customers side by side, as the pair view and the merge dialog show them: their values, what each has, the events
/// both are booked on, and when each field last changed (for the default choice). Read in a fixed number of queries.
/// </summary>
public sealed class MergePlan
{
    public required Customer A { get; init; }
    public required Customer B { get; init; }
    public required RowCounts CountsA { get; init; }
    public required RowCounts CountsB { get; init; }
    public required IReadOnlyList<BookingConflict> Bookings { get; init; }
    public required IReadOnlyDictionary<(int Customer, string Field), DateTime> LastChanged { get; init; }
    public required IReadOnlyDictionary<int, string> Organizations { get; init; }

    /// <summary>The fields shown side by side: the chosen ones, then tags and notes.</summary>
    public IReadOnlyList<FieldRow> Rows => MergeValues.Chosen.Concat([nameof(Customer.Tags), nameof(Customer.Notes), nameof(Customer.Status)])
        .Select(f => new FieldRow(f, CustomerLabels.Field(f), MergeValues.Text(A, f), MergeValues.Text(B, f))).ToList();

    public Customer Other(int survivorId) => survivorId == A.Id ? B : A;

    public Customer Survivor(int survivorId) => survivorId == A.Id ? A : B;

    public int DefaultSource(string field, int survivorId) =>
        MergeValues.DefaultSource(field, Survivor(survivorId), Other(survivorId), LastChanged);

    public static async Task<MergePlan?> LoadAsync(AppDbContext db, int aId, int bId, CancellationToken ct = default)
    {
        var customers = await db.Customers.AsNoTracking().Where(c => c.Id == aId || c.Id == bId).ToListAsync(ct);
        if (customers.Count != 2 || aId == bId) return null;
        int[] ids = [aId, bId];
        var last = await LastChangedAsync(db, ids, ct);
        var bookingsA = await db.Bookings.AsNoTracking().Where(b => b.CustomerId == aId).Select(b => new { b.EventId, b.Seats }).ToListAsync(ct);
        var bookingsB = await db.Bookings.AsNoTracking().Where(b => b.CustomerId == bId).Select(b => new { b.EventId, b.Seats }).ToListAsync(ct);
        var both = bookingsA.Select(b => b.EventId).Intersect(bookingsB.Select(b => b.EventId)).ToList();
        var events = await db.Events.AsNoTracking().Where(e => both.Contains(e.Id))
            .Select(e => new { e.Id, e.Name, e.StartsAt, e.Capacity, Others = e.Bookings.Where(b => b.CustomerId != aId && b.CustomerId != bId).Sum(b => b.Seats) })
            .ToListAsync(ct);
        var orgIds = customers.Where(c => c.OrganizationId is not null).Select(c => c.OrganizationId!.Value).ToList();
        var orgs = await db.Organizations.AsNoTracking().Where(o => orgIds.Contains(o.Id)).ToDictionaryAsync(o => o.Id, o => o.Name, ct);
        return new MergePlan
        {
            A = customers.Single(c => c.Id == aId),
            B = customers.Single(c => c.Id == bId),
            CountsA = await CountsAsync(db, aId, ct),
            CountsB = await CountsAsync(db, bId, ct),
            Bookings = events.OrderBy(e => e.StartsAt).Select(e => new BookingConflict(e.Id, e.Name, e.StartsAt, e.Capacity,
                bookingsA.First(b => b.EventId == e.Id).Seats, bookingsB.First(b => b.EventId == e.Id).Seats, e.Others)).ToList(),
            LastChanged = last,
            Organizations = orgs,
        };
    }

    /// <summary>When each field of these customers last changed, from their field history.</summary>
    public static async Task<Dictionary<(int Customer, string Field), DateTime>> LastChangedAsync(AppDbContext db, int[] ids, CancellationToken ct)
    {
        var last = await db.CustomerChanges.AsNoTracking().Where(c => ids.Contains(c.CustomerId))
            .GroupBy(c => new { c.CustomerId, c.Field }).Select(g => new { g.Key.CustomerId, g.Key.Field, At = g.Max(c => c.ChangedAt) })
            .ToListAsync(ct);
        return last.ToDictionary(l => (l.CustomerId, l.Field), l => l.At);
    }

    public static async Task<RowCounts> CountsAsync(AppDbContext db, int id, CancellationToken ct) => new(
        await db.Tickets.CountAsync(t => t.CustomerId == id, ct),
        await db.Sales.CountAsync(s => s.CustomerId == id, ct),
        await db.Bookings.CountAsync(b => b.CustomerId == id, ct),
        await db.Equipment.CountAsync(q => q.CustomerId == id, ct),
        await db.SmsMessages.CountAsync(m => m.CustomerId == id, ct),
        await db.Activities.CountAsync(a => a.CustomerId == id, ct),
        await db.Documents.CountAsync(d => d.CustomerId == id, ct));
}
