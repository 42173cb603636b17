using CustomerAdmin.Common;
using CustomerAdmin.Data;
using CustomerAdmin.Features.Api;
using CustomerAdmin.Security;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace CustomerAdmin.Features.Events.Api;

/// <summary>A new booking: as the booking dialog makes one (0 seats = reminder only).</summary>
public sealed record BookingRequest(int? CustomerId, int? EventId, int? Seats, string? Notes);

/// <summary>
/// A booking's change (JSON merge patch): a field left out stays as it is; <see cref="Notes"/> sent as null clears the
/// notes; <see cref="Seats"/> cannot be cleared.
/// </summary>
public sealed record BookingChangeRequest(int? Seats, string? Notes);

/// <summary>One page of events and where the next one starts (null on the last page).</summary>
public sealed record EventPage(IReadOnlyList<EventRow> Items, string? NextCursor);

/// <summary>
/// <c>/api/v1/events</c> (list and one event, read only) and <c>/api/v1/bookings</c>: create, change and delete through
/// <see cref="BookingOperations"/>, so the capacity is checked under the event's lock and the confirmation SMS goes
/// through the outbox in the booking's transaction, as in the app.
/// </summary>
public static class EventApiEndpoints
{
    public const int MaxEvents = 200;

    public static void MapEventApi(this IEndpointRouteBuilder api)
    {
        var events = api.MapGroup("/events").WithTags("Events");
        events.MapGet("", ListAsync).WithName("listEvents").RequireScope(Permissions.CustomersRead);
        events.MapGet("/{id:int}", GetAsync).WithName("getEvent").RequireScope(Permissions.CustomersRead)
            .ProducesProblem(StatusCodes.Status404NotFound);

        var bookings = api.MapGroup("/bookings").WithTags("Bookings");
        bookings.MapGet("/{id:int}", GetBookingAsync).WithName("getBooking").RequireScope(Permissions.CustomersRead)
            .ProducesProblem(StatusCodes.Status404NotFound);
        bookings.MapPost("", CreateBookingAsync).WithName("createBooking").RequireScope(Permissions.CustomersWrite)
            .Accepts<BookingRequest>("application/json")
            .WithIdempotency<Booking>("bookings", static async (db, id, ct) => await db.BookingAsync(id, ct) is { } b ? (b, b.Version) : (null, null))
            .Produces<BookingRow>(StatusCodes.Status201Created).ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        bookings.MapPatch("/{id:int}", UpdateBookingAsync).WithName("updateBooking").RequireScope(Permissions.CustomersWrite)
            .Accepts<BookingChangeRequest>("application/json", "application/merge-patch+json")
            .Produces<BookingRow>().ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status412PreconditionFailed)
            .ProducesProblem(StatusCodes.Status428PreconditionRequired);
        bookings.MapDelete("/{id:int}", DeleteBookingAsync).WithName("deleteBooking").RequireScope(Permissions.CustomersWrite)
            .Produces(StatusCodes.Status204NoContent).ProducesProblem(StatusCodes.Status404NotFound);
    }

    /// <summary>
    /// Events by keyset, like the customers: the cursor holds the start and id of the last event given, and the next page
    /// is what sorts after them, so events added or removed meanwhile never shift a page.
    /// </summary>
    /// <param name="past">False (default): events to come, soonest first; true: past events, newest first.</param>
    private static async Task<Results<Ok<EventPage>, ValidationProblem>> ListAsync(IDbContextFactory<AppDbContext> dbFactory,
        TimeProvider time, bool? past, string? q, string? cursor, int? limit, CancellationToken ct)
    {
        if (limit is < 1 or > MaxEvents) return ApiRequests.Invalid([KeyValuePair.Create("limit", $"Ask for 1 to {MaxEvents} events.")]);
        var backwards = past ?? false;
        var take = limit ?? 50;
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var events = db.Listed(backwards, q, time.GetUtcNow().UtcDateTime);
        if (!string.IsNullOrEmpty(cursor))
        {
            if (EventCursor.Decode(cursor, backwards) is not (var at, var id))
                return ApiRequests.Invalid([KeyValuePair.Create("cursor", "The cursor is not one this list made for these events (past or to come): start again without it.")]);
            events = backwards
                ? events.Where(e => e.StartsAt < at || (e.StartsAt == at && e.Id < id))
                : events.Where(e => e.StartsAt > at || (e.StartsAt == at && e.Id > id));
        }
        var rows = await events.AsRows().Take(take + 1).ToListAsync(ct);
        var more = rows.Count > take;
        if (more) rows.RemoveAt(take);
        return TypedResults.Ok(new EventPage(rows, more ? EventCursor.Encode(backwards, rows[^1].StartsAt, rows[^1].Id) : null));
    }

    private static async Task<Results<Ok<EventRow>, ProblemHttpResult>> GetAsync(int id, IDbContextFactory<AppDbContext> dbFactory,
        CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var row = await db.Events.AsNoTracking().Where(e => e.Id == id).AsRows().FirstOrDefaultAsync(ct);
        return row is null ? ApiRequests.NotFound("event") : TypedResults.Ok(row);
    }

    private static async Task<Results<Ok<BookingRow>, ProblemHttpResult>> GetBookingAsync(int id, HttpContext context,
        IDbContextFactory<AppDbContext> dbFactory, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        if (await db.BookingAsync(id, ct) is not { } row) return ApiRequests.NotFound("booking");
        context.Response.Headers.ETag = ApiRequests.ETag(row.Version);
        return TypedResults.Ok(row);
    }

    private static async Task<IResult> CreateBookingAsync(HttpContext context, BookingOperations bookings,
        IDbContextFactory<AppDbContext> dbFactory, CancellationToken ct)
    {
        var (request, refusal) = await ApiRequests.ReadAsync<BookingRequest>(context);
        if (refusal is not null) return refusal;
        var draft = new BookingDraft { CustomerId = request!.CustomerId, EventId = request.EventId, Seats = request.Seats ?? 1, Notes = request.Notes };
        var errors = BookingOperations.Validate(draft);
        if (errors.Count > 0) return ApiRequests.Invalid(errors);
        try
        {
            var result = await bookings.CreateAsync(draft, ct: ct);
            await using var db = await dbFactory.CreateDbContextAsync(ct);
            var row = (await db.BookingAsync(result.Booking.Id, ct))!;
            if (result.AlreadyBooked)
                return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "The customer is already booked on this event.",
                    detail: $"Booking {row.Id} ({BookingOperations.Seats(row.Seats)}): change that booking instead.",
                    extensions: new Dictionary<string, object?> { ["existingBookingId"] = row.Id });
            context.Response.Headers.ETag = ApiRequests.ETag(row.Version);
            return TypedResults.Created($"{ApiSetup.BasePath}/bookings/{row.Id}", row);
        }
        catch (RuleViolationException e)
        {
            return ApiRequests.Refused(e);
        }
    }

    private static async Task<IResult> UpdateBookingAsync(int id, HttpContext context, BookingOperations bookings,
        IDbContextFactory<AppDbContext> dbFactory, CancellationToken ct)
    {
        BookingRow? stored;
        await using (var db = await dbFactory.CreateDbContextAsync(ct))
            stored = await db.BookingAsync(id, ct);
        if (stored is null) return ApiRequests.NotFound("booking");
        var (version, stale) = ApiRequests.Precondition(context, stored.Version);
        if (stale is not null) return stale;
        var (request, sent, refusal) = await ApiRequests.ReadPatchAsync<BookingChangeRequest>(context);
        if (refusal is not null) return refusal;
        if (sent.Contains(nameof(BookingChangeRequest.Seats)) && request!.Seats is null)
            return ApiRequests.Invalid([KeyValuePair.Create(nameof(BookingChangeRequest.Seats), "This field cannot be empty: send a number of seats (0 for a reminder only).")]);
        try
        {
            await bookings.UpdateAsync(id, version, request!.Seats ?? stored.Seats,
                sent.Contains(nameof(BookingChangeRequest.Notes)) ? request.Notes : stored.Notes, ct: ct);
        }
        catch (StaleBookingException)
        {
            return ApiRequests.Stale();
        }
        catch (RuleViolationException e)
        {
            return ApiRequests.Refused(e);
        }
        await using (var db = await dbFactory.CreateDbContextAsync(ct))
            stored = await db.BookingAsync(id, ct);
        context.Response.Headers.ETag = ApiRequests.ETag(stored!.Version);
        return TypedResults.Ok(stored);
    }

    private static async Task<IResult> DeleteBookingAsync(int id, BookingOperations bookings, IDbContextFactory<AppDbContext> dbFactory,
        CancellationToken ct)
    {
        await using (var db = await dbFactory.CreateDbContextAsync(ct))
            if (!await db.Bookings.AnyAsync(b => b.Id == id, ct)) return ApiRequests.NotFound("booking");
        await bookings.DeleteAsync(id, ct: ct);
        return TypedResults.NoContent();
    }
}

/// <summary>An event list's cursor: which list (past or to come), and the start and id of the last event given.</summary>
internal static class EventCursor
{
    public static string Encode(bool past, DateTime startsAt, int id) =>
        Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(FormattableString.Invariant($"{(past ? 'p' : 'u')}.{startsAt.Ticks}.{id}")))
            .TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public static (DateTime StartsAt, int Id)? Decode(string text, bool past)
    {
        try
        {
            var base64 = text.Replace('-', '+').Replace('_', '/');
            var parts = System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(base64 + new string('=', (4 - base64.Length % 4) % 4))).Split('.');
            if (parts.Length != 3 || parts[0] != (past ? "p" : "u")) return null;
            var ticks = long.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture);
            if (ticks < DateTime.MinValue.Ticks || ticks > DateTime.MaxValue.Ticks) return null;
            return (new DateTime(ticks, DateTimeKind.Utc), int.Parse(parts[2], System.Globalization.CultureInfo.InvariantCulture));
        }
        catch (FormatException)
        {
            return null;
        }
        catch (OverflowException)
        {
            return null;
        }
    }
}
