using CustomerAdmin.Data;
using Microsoft.EntityFrameworkCore;

namespace CustomerAdmin.Features.Events;

public sealed record EventRow(int Id, string Name, DateTime StartsAt, EventStatus Status, int Capacity, int Booked, int Reminders, decimal Price)
{
    public int Remaining => Math.Max(0, Capacity - Booked);
}

/// <summary>An event offered in the booking dialog, with what is left of it.</summary>
public sealed record EventOption(int Id, string Name, DateTime StartsAt, int Capacity, int Booked)
{
    public int Remaining => Math.Max(0, Capacity - Booked);
}

public sealed record BookingRow(int Id, int Version, int CustomerId, string CustomerName, int EventId, string EventName,
    DateTime StartsAt, EventStatus EventStatus, int Seats, string? Notes)
{
    public bool IsReminderOnly => Seats == 0;
}

/// <summary>The events feature's queries, each built in SQL (filter, search, sort, paging) and shared by its callers.</summary>
public static class EventQueries
{
    public const int SuggestionLimit = 20;
    /// <summary>More bookings than any room holds; a page never loads an unbounded list.</summary>
    public const int MaxBookingRows = 2000;

    /// <summary>Upcoming (not yet started, soonest first) or past (newest first), optionally narrowed by name.</summary>
    public static IQueryable<Event> Listed(this AppDbContext db, bool past, string? search, DateTime nowUtc)
    {
        var q = db.Events.AsNoTracking();
        q = past ? q.Where(e => e.StartsAt <= nowUtc) : q.Where(e => e.StartsAt > nowUtc);
        if (!string.IsNullOrWhiteSpace(search))
        {
            // Lower() on both sides: SQLite's LIKE ignores ASCII case, PostgreSQL's does not.
            var term = search.Trim().ToLower();
            q = q.Where(e => e.Name.ToLower().Contains(term));
        }
        return past ? q.OrderByDescending(e => e.StartsAt).ThenByDescending(e => e.Id) : q.OrderBy(e => e.StartsAt).ThenBy(e => e.Id);
    }

    public static IQueryable<EventRow> AsRows(this IQueryable<Event> events) =>
        events.Select(e => new EventRow(e.Id, e.Name, e.StartsAt, e.Status, e.Capacity,
            e.Bookings.Sum(b => b.Seats), e.Bookings.Count(b => b.Seats == 0), e.Price));

    /// <summary>Scheduled events that have not started, by name, soonest first: what a booking can be made for.</summary>
    public static Task<List<EventOption>> BookableAsync(this AppDbContext db, string? search, DateTime nowUtc, CancellationToken ct = default) =>
        db.Listed(past: false, search, nowUtc).Where(e => e.Status == EventStatus.Scheduled).Take(SuggestionLimit)
            .Select(e => new EventOption(e.Id, e.Name, e.StartsAt, e.Capacity, e.Bookings.Sum(b => b.Seats)))
            .ToListAsync(ct);

    public static Task<List<BookingRow>> BookingsOfCustomerAsync(this AppDbContext db, int customerId, CancellationToken ct = default) =>
        RowsAsync(db.Bookings.Where(b => b.CustomerId == customerId).OrderByDescending(b => b.Event!.StartsAt).ThenBy(b => b.Id), ct);

    public static Task<List<BookingRow>> BookingsOfEventAsync(this AppDbContext db, int eventId, CancellationToken ct = default) =>
        RowsAsync(db.Bookings.Where(b => b.EventId == eventId).OrderBy(b => b.Customer!.SortName).ThenBy(b => b.Id), ct);

    public static async Task<BookingRow?> BookingAsync(this AppDbContext db, int bookingId, CancellationToken ct = default) =>
        (await RowsAsync(db.Bookings.Where(b => b.Id == bookingId), ct)).FirstOrDefault();

    private static async Task<List<BookingRow>> RowsAsync(IQueryable<Booking> bookings, CancellationToken ct)
    {
        var rows = await bookings.AsNoTracking().Take(MaxBookingRows)
            .Select(b => new { Booking = b, b.Customer, b.Event!.Name, b.Event.StartsAt, b.Event.Status })
            .ToListAsync(ct);
        // The customer's display name is worked out in C# (Customer.FullName), so it reads the same everywhere.
        return rows.Select(r => new BookingRow(r.Booking.Id, r.Booking.Version, r.Booking.CustomerId, r.Customer!.FullName, r.Booking.EventId,
            r.Name, r.StartsAt, r.Status, r.Booking.Seats, r.Booking.Notes)).ToList();
    }
}
