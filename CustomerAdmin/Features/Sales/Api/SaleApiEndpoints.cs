using CustomerAdmin.Common;
using CustomerAdmin.Data;
using CustomerAdmin.Features.Api;
using CustomerAdmin.Security;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace CustomerAdmin.Features.Sales.Api;

public sealed record SaleLineResponse(string Description, int Quantity, decimal UnitPrice, decimal LineTotal);

public sealed record SaleResponse(int Id, int CustomerId, DateTime SoldAt, decimal Total, string? CreatedBy, IReadOnlyList<SaleLineResponse> Lines)
{
    public static SaleResponse From(Sale s) => new(s.Id, s.CustomerId, s.SoldAt, s.Total, s.CreatedBy,
        s.Lines.OrderBy(l => l.Id).Select(l => new SaleLineResponse(l.Description, l.Quantity, l.UnitPrice, l.LineTotal)).ToList());
}

public sealed record SaleLineRequest(string? Description, int? Quantity, decimal? UnitPrice);

/// <summary>A sale as the checkout page makes one: a customer and its lines (the total is their sum).</summary>
public sealed record SaleRequest(int? CustomerId, IReadOnlyList<SaleLineRequest>? Lines);

/// <summary><c>/api/v1/sales</c>: create (through <see cref="SaleOperations"/>, the checkout's rules) and read one.</summary>
public static class SaleApiEndpoints
{
    public static void MapSaleApi(this IEndpointRouteBuilder api)
    {
        var sales = api.MapGroup("/sales").WithTags("Sales");
        sales.MapGet("/{id:int}", GetAsync).WithName("getSale").RequireScope(Permissions.CustomersRead)
            .ProducesProblem(StatusCodes.Status404NotFound);
        sales.MapPost("", CreateAsync).WithName("createSale").RequireScope(Permissions.CustomersWrite)
            .Accepts<SaleRequest>("application/json")
            .WithIdempotency<Sale>("sales", static async (db, id, ct) =>
                (await db.Sales.AsNoTracking().Include(s => s.Lines).FirstOrDefaultAsync(s => s.Id == id, ct) is { } s ? SaleResponse.From(s) : null, null))
            .Produces<SaleResponse>(StatusCodes.Status201Created).ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status422UnprocessableEntity);
    }

    private static async Task<Results<Ok<SaleResponse>, ProblemHttpResult>> GetAsync(int id, IDbContextFactory<AppDbContext> dbFactory,
        CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var sale = await db.Sales.AsNoTracking().Include(s => s.Lines).FirstOrDefaultAsync(s => s.Id == id, ct);
        return sale is null ? ApiRequests.NotFound("sale") : TypedResults.Ok(SaleResponse.From(sale));
    }

    private static async Task<IResult> CreateAsync(HttpContext context, IDbContextFactory<AppDbContext> dbFactory, TimeProvider time,
        CancellationToken ct)
    {
        var (request, refusal) = await ApiRequests.ReadAsync<SaleRequest>(context);
        if (refusal is not null) return refusal;
        var lines = (request!.Lines ?? []).Select(l => new SaleLineDraft
        {
            Description = l.Description, Quantity = l.Quantity ?? 1, UnitPrice = l.UnitPrice,
        }).ToList();
        var errors = SaleOperations.Validate(lines)
            .Select(e => KeyValuePair.Create(e.Line < 0 ? "lines" : $"lines[{e.Line}]", e.Message)).ToList();
        if (request.CustomerId is null) errors.Add(KeyValuePair.Create(nameof(Sale.CustomerId), "Choose the customer."));
        if (errors.Count > 0) return ApiRequests.Invalid(errors);
        try
        {
            var sale = await SaleOperations.CreateAsync(dbFactory, request.CustomerId!.Value, lines, time, ct: ct);
            return TypedResults.Created($"{ApiSetup.BasePath}/sales/{sale.Id}", SaleResponse.From(sale));
        }
        catch (RuleViolationException e)
        {
            return ApiRequests.Refused(e);
        }
    }
}
