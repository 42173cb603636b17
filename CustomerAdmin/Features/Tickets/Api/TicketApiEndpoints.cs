using System.Text.Json;
using CustomerAdmin.Common;
using CustomerAdmin.Data;
using CustomerAdmin.Features.Api;
using CustomerAdmin.Features.Sms;
using CustomerAdmin.Security;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace CustomerAdmin.Features.Tickets.Api;

public sealed record TicketResponse(int Id, string Number, int CustomerId, int? EquipmentId, string? Item, string Problem,
    TicketStatus Status, TicketPriority Priority, decimal? QuotedAmount, decimal? FinalAmount, DateTime OpenedAt, DateTime? ClosedAt,
    string? Assignee, string? CreatedBy, DateTime UpdatedAt, int Version, IReadOnlyList<TicketStatus> NextStatuses)
{
    public static TicketResponse From(Ticket t) => new(t.Id, t.Number, t.CustomerId, t.EquipmentId, t.Item, t.Problem, t.Status,
        t.Priority, t.QuotedAmount, t.FinalAmount, t.OpenedAt, t.ClosedAt, t.Assignee, t.CreatedBy, t.UpdatedAt, t.Version,
        TicketWorkflow.NextStatuses(t.Status));
}

/// <summary>A new ticket: what the ticket form collects.</summary>
public sealed record TicketRequest(int? CustomerId, int? EquipmentId, string? Item, string? Problem, TicketPriority? Priority,
    decimal? QuotedAmount, string? Assignee);

/// <summary>A status move; <see cref="TextCustomer"/> on a move to Ready texts "ready for pickup" (needs sms.send too).</summary>
public sealed record TicketStatusRequest(TicketStatus? Status, decimal? FinalAmount, bool TextCustomer);

public sealed record TicketPage(IReadOnlyList<TicketRow> Items, string? NextCursor);

/// <summary>
/// <c>/api/v1/tickets</c>: the list (the ticket list's filters: <c>customer</c>, <c>status</c> (or <c>active</c>),
/// <c>priority</c>, <c>assignee</c>, <c>q</c>, dates), newest first by keyset; one ticket; create; status moves with
/// the workflow's rules (<see cref="TicketOperations"/>, as on the ticket page).
/// </summary>
public static class TicketApiEndpoints
{
    public static void MapTicketApi(this IEndpointRouteBuilder api)
    {
        var tickets = api.MapGroup("/tickets").WithTags("Tickets");
        tickets.MapGet("", ListAsync).WithName("listTickets").RequireScope(Permissions.CustomersRead);
        tickets.MapGet("/{id:int}", GetAsync).WithName("getTicket").RequireScope(Permissions.CustomersRead)
            .ProducesProblem(StatusCodes.Status404NotFound);
        tickets.MapPost("", CreateAsync).WithName("createTicket").RequireScope(Permissions.CustomersWrite)
            .Accepts<TicketRequest>("application/json")
            .WithIdempotency<Ticket>("tickets", static async (db, id, ct) =>
                await db.Tickets.AsNoTracking().FirstOrDefaultAsync(t => t.Id == id, ct) is { } t ? (TicketResponse.From(t), t.Version) : (null, null))
            .Produces<TicketResponse>(StatusCodes.Status201Created).ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        tickets.MapPost("/{id:int}/status", MoveAsync).WithName("moveTicket").RequireScope(Permissions.CustomersWrite)
            .Accepts<TicketStatusRequest>("application/json")
            .Produces<TicketResponse>().ProducesValidationProblem().ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status412PreconditionFailed).ProducesProblem(StatusCodes.Status428PreconditionRequired);
    }

    private static async Task<Results<Ok<TicketPage>, ValidationProblem>> ListAsync(HttpContext context,
        IDbContextFactory<AppDbContext> dbFactory, PhoneNormalizer phones, IOptions<VenueOptions> venue, int? cursor, int? limit,
        CancellationToken ct)
    {
        if (limit is < 1 or > Customers.CustomerListKeyset.MaxLimit)
            return ApiRequests.Invalid([KeyValuePair.Create("limit", $"Ask for 1 to {Customers.CustomerListKeyset.MaxLimit} rows.")]);
        var take = limit ?? 50;
        var filter = TicketListFilter.Parse(context.Request.QueryString.Value, venue.Value);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var q = db.Filtered(filter, phones);
        // Newest first by id: tickets opened while a client pages land before its cursor and never shift a page.
        if (cursor is { } after) q = q.Where(t => t.Id < after);
        var rows = await q.OrderByDescending(t => t.Id).AsRows().Take(take + 1).ToListAsync(ct);
        var more = rows.Count > take;
        if (more) rows.RemoveAt(take);
        return TypedResults.Ok(new TicketPage(rows, more ? rows[^1].Id.ToString(System.Globalization.CultureInfo.InvariantCulture) : null));
    }

    private static async Task<Results<Ok<TicketResponse>, ProblemHttpResult>> GetAsync(int id, HttpContext context,
        IDbContextFactory<AppDbContext> dbFactory, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var ticket = await db.Tickets.AsNoTracking().FirstOrDefaultAsync(t => t.Id == id, ct);
        if (ticket is null) return ApiRequests.NotFound("ticket");
        context.Response.Headers.ETag = ApiRequests.ETag(ticket.Version);
        return TypedResults.Ok(TicketResponse.From(ticket));
    }

    private static async Task<IResult> CreateAsync(HttpContext context, IDbContextFactory<AppDbContext> dbFactory, TimeProvider time,
        CancellationToken ct)
    {
        var (request, refusal) = await ApiRequests.ReadAsync<TicketRequest>(context);
        if (refusal is not null) return refusal;
        var draft = new TicketDraft
        {
            CustomerId = request!.CustomerId, EquipmentId = request.EquipmentId, Item = request.Item, Problem = request.Problem,
            Priority = request.Priority ?? TicketPriority.Normal, QuotedAmount = request.QuotedAmount, Assignee = request.Assignee,
        };
        var errors = TicketOperations.Validate(draft);
        if (errors.Count > 0) return ApiRequests.Invalid(errors);
        await using (var db = await dbFactory.CreateDbContextAsync(ct))
            if (!await db.Customers.AnyAsync(c => c.Id == draft.CustomerId && c.Status != CustomerStatus.Deleted && c.Status != CustomerStatus.Merged, ct))
                return ApiRequests.Invalid([KeyValuePair.Create(nameof(TicketDraft.CustomerId), "There is no such customer.")]);
        try
        {
            var ticket = await TicketOperations.CreateAsync(dbFactory, draft, time, ct: ct);
            context.Response.Headers.ETag = ApiRequests.ETag(ticket.Version);
            return TypedResults.Created($"{ApiSetup.BasePath}/tickets/{ticket.Id}", TicketResponse.From(ticket));
        }
        catch (RuleViolationException e)
        {
            return ApiRequests.Refused(e);
        }
    }

    private static async Task<IResult> MoveAsync(int id, HttpContext context, IDbContextFactory<AppDbContext> dbFactory, TimeProvider time,
        SmsOutbox outbox, CancellationToken ct)
    {
        Ticket? stored;
        await using (var db = await dbFactory.CreateDbContextAsync(ct))
            stored = await db.Tickets.AsNoTracking().FirstOrDefaultAsync(t => t.Id == id, ct);
        if (stored is null) return ApiRequests.NotFound("ticket");
        var (version, stale) = ApiRequests.Precondition(context, stored.Version);
        if (stale is not null) return stale;
        var (request, refusal) = await ApiRequests.ReadAsync<TicketStatusRequest>(context);
        if (refusal is not null) return refusal;
        if (request!.Status is not { } to)
            return ApiRequests.Invalid([KeyValuePair.Create(nameof(TicketStatusRequest.Status), "Say which status the ticket moves to.")]);
        // Texting the customer is a right of its own, as on the ticket page.
        if (request.TextCustomer && !context.User.HasClaim(ApiTokenAuthentication.ScopeClaim, Permissions.SmsSend))
            return TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "The token lacks the scope this operation needs.",
                detail: $"Texting the customer needs the scope '{Permissions.SmsSend}' too; the ticket was not moved.");
        try
        {
            var moved = await TicketOperations.ChangeStatusAsync(dbFactory, id, version, to, request.FinalAmount, time, ct: ct,
                readySms: request.TextCustomer ? outbox : null);
            context.Response.Headers.ETag = ApiRequests.ETag(moved.Version);
            return TypedResults.Ok(TicketResponse.From(moved));
        }
        catch (DbUpdateConcurrencyException)
        {
            return ApiRequests.Stale();
        }
        catch (RuleViolationException e)
        {
            return e.Field is null && e.Message.Contains("amount", StringComparison.OrdinalIgnoreCase)
                ? ApiRequests.Invalid([KeyValuePair.Create(nameof(TicketStatusRequest.FinalAmount), e.Message)])
                : ApiRequests.Refused(e);
        }
    }
}
