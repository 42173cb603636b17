using System.Text.Json;
using System.Text.Json.Nodes;
using CustomerAdmin.Common;
using CustomerAdmin.Data;
using CustomerAdmin.Features.Api;
using CustomerAdmin.Features.Customers.Search;
using CustomerAdmin.Features.Customers.Timeline;
using CustomerAdmin.Security;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace CustomerAdmin.Features.Customers.Api;

/// <summary>
/// <c>/api/v1/customers</c>: the list (the page's filters and sorts, keyset-paged), one customer with statistics,
/// suggestions, create, PATCH with If-Match, soft delete and restore, history and timeline. Writes go through
/// <see cref="CustomerOperations"/>, the same rules as the customer form.
/// </summary>
public static class CustomerApiEndpoints
{
    public const int DefaultLimit = 50;

    public static void MapCustomerApi(this IEndpointRouteBuilder api)
    {
        var customers = api.MapGroup("/customers").WithTags("Customers");
        customers.MapGet("", ListAsync).WithName("listCustomers").RequireScope(Permissions.CustomersRead);
        customers.MapGet("/suggestions", SuggestAsync).WithName("suggestCustomers").RequireScope(Permissions.CustomersRead);
        customers.MapGet("/{id:int}", GetAsync).WithName("getCustomer").RequireScope(Permissions.CustomersRead)
            .ReadsBesideTokenCheck(ReadOneAsync).ProducesProblem(StatusCodes.Status404NotFound);
        customers.MapPost("", CreateAsync).WithName("createCustomer").RequireScope(Permissions.CustomersWrite)
            .Accepts<CustomerRequest>("application/json")
            .WithIdempotency<Customer>("customers", static async (db, id, ct) => await db.FindCustomerAsync(id, ct) is { } c
                ? (CustomerResponse.From(c), c.Version) : (null, null))
            .Produces<CustomerResponse>(StatusCodes.Status201Created).ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        customers.MapPatch("/{id:int}", UpdateAsync).WithName("updateCustomer").RequireScope(Permissions.CustomersWrite)
            .Accepts<CustomerRequest>("application/json", "application/merge-patch+json")
            .Produces<CustomerResponse>().ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status412PreconditionFailed)
            .ProducesProblem(StatusCodes.Status428PreconditionRequired);
        customers.MapDelete("/{id:int}", DeleteAsync).WithName("deleteCustomer").RequireScope(Permissions.CustomersDelete)
            .Produces(StatusCodes.Status204NoContent).ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status412PreconditionFailed);
        customers.MapPost("/{id:int}/restore", RestoreAsync).WithName("restoreCustomer").RequireScope(Permissions.CustomersRestore)
            .Produces<CustomerResponse>().ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        customers.MapGet("/{id:int}/history", HistoryAsync).WithName("customerHistory").RequireScope(Permissions.CustomersRead)
            .ProducesProblem(StatusCodes.Status404NotFound);
        customers.MapGet("/{id:int}/timeline", TimelineAsync).WithName("customerTimeline").RequireScope(Permissions.CustomersRead)
            .ProducesProblem(StatusCodes.Status404NotFound);
    }

    private static async Task<Results<Ok<CustomerKeysetPage>, ValidationProblem>> ListAsync(HttpContext context,
        IDbContextFactory<AppDbContext> dbFactory, PhoneNormalizer phones, IOptions<VenueOptions> venue, string? cursor, int? limit,
        CancellationToken ct)
    {
        if (limit is < 1 or > CustomerListKeyset.MaxLimit)
            return Invalid("limit", $"Ask for 1 to {CustomerListKeyset.MaxLimit} rows.");
        var filter = CustomerListQueryString.Parse(context.Request.Query.ToDictionary(q => q.Key, q => q.Value), venue.Value);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        try
        {
            return TypedResults.Ok(await db.KeysetPageAsync(db.Filtered(filter, phones), filter.Sort, filter.Descending, cursor,
                limit ?? DefaultLimit, ct));
        }
        catch (FormatException e)
        {
            return Invalid("cursor", e.Message);
        }
    }

    private static async Task<Results<Ok<List<CustomerSuggestion>>, ValidationProblem>> SuggestAsync(
        IDbContextFactory<AppDbContext> dbFactory, PhoneNormalizer phones, string? q, int? limit, CancellationToken ct)
    {
        if (limit is < 1 or > CustomerSearch.SuggestionLimit)
            return Invalid("limit", $"Ask for 1 to {CustomerSearch.SuggestionLimit} suggestions.");
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return TypedResults.Ok(await db.SuggestAsync(SearchQuery.Parse(q, phones), ct, limit ?? CustomerSearch.SuggestionLimit));
    }

    private static async Task<Results<Ok<CustomerResponse>, ProblemHttpResult>> GetAsync(int id, HttpContext context,
        IDbContextFactory<AppDbContext> dbFactory, CancellationToken ct)
    {
        if (await ReadBesideTokenCheck.ReadAsync(context, dbFactory, ReadOneAsync, ct) is not { } found) return ApiRequests.NotFound("customer");
        var (customer, stats) = found;
        context.Response.Headers.ETag = ApiRequests.ETag(customer.Version);
        return TypedResults.Ok(CustomerResponse.From(customer, stats));
    }

    /// <summary>The get's one statement, sent with the token check (<see cref="ReadBesideTokenCheck"/>); the id from the route.</summary>
    private static Task<(Customer Customer, CustomerStats Stats)?> ReadOneAsync(HttpContext context, AppDbContext db, CancellationToken ct) =>
        int.TryParse(context.Request.RouteValues["id"] as string, System.Globalization.NumberStyles.Integer,
            System.Globalization.CultureInfo.InvariantCulture, out var id)
            ? db.FindWithStatsAsync(id, ct)
            : Task.FromResult<(Customer, CustomerStats)?>(null);

    private static async Task<IResult> CreateAsync(HttpContext context, CustomerOperations operations,
        IDbContextFactory<AppDbContext> dbFactory, IOptions<CustomersOptions> options, CancellationToken ct)
    {
        var (body, refusal) = await ApiRequests.ReadObjectAsync(context);
        if (refusal is not null) return refusal;
        // The new-customer form's starting values; the body overrides what it sends.
        var form = new Customer { Type = CustomerType.Individual, Country = options.Value.DefaultCountry.ToUpperInvariant() };
        var errors = Apply(body!, form, out var consent);
        form.SmsOptedIn = consent?.OptedIn == true;
        var (candidate, ruleErrors) = operations.Check(form);
        foreach (var (field, message) in ruleErrors) errors.TryAdd(field, message);
        if (errors.Count > 0) return ApiRequests.Invalid(errors);
        await using (var db = await dbFactory.CreateDbContextAsync(ct))
            if ((await CustomerRules.FindDuplicatesAsync(db, candidate, ct)).FirstOrDefault(d => d.SamePhone) is { } same)
                return SamePhone(same.Id);
        try
        {
            var created = await operations.CreateAsync(form, ct: ct);
            context.Response.Headers.ETag = ApiRequests.ETag(created.Version);
            return TypedResults.Created($"{ApiSetup.BasePath}/customers/{created.Id}", CustomerResponse.From(created));
        }
        catch (RuleViolationException e)
        {
            return ApiRequests.Refused(e);
        }
        catch (DbUpdateException e) when (CustomerRules.IsDuplicatePhone(e))
        {
            return SamePhone(null);
        }
    }

    private static async Task<IResult> UpdateAsync(int id, HttpContext context, CustomerOperations operations,
        IDbContextFactory<AppDbContext> dbFactory, CancellationToken ct)
    {
        Customer? stored;
        await using (var db = await dbFactory.CreateDbContextAsync(ct))
            stored = await db.FindCustomerAsync(id, ct);
        if (stored is null) return ApiRequests.NotFound("customer");
        var (version, stale) = ApiRequests.Precondition(context, stored.Version);
        if (stale is not null) return stale;
        var (body, refusal) = await ApiRequests.ReadObjectAsync(context);
        if (refusal is not null) return refusal;
        var form = stored.Copy();
        var errors = Apply(body!, form, out var consent);
        foreach (var (field, message) in operations.Check(form).Errors) errors.TryAdd(field, message);
        if (errors.Count > 0) return ApiRequests.Invalid(errors);
        try
        {
            await operations.UpdateAsync(id, version, form, consent, ct: ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            return ApiRequests.Stale();
        }
        catch (RuleViolationException e)
        {
            return ApiRequests.Refused(e);
        }
        catch (DbUpdateException e) when (CustomerRules.IsDuplicatePhone(e))
        {
            return SamePhone(null);
        }
        await using (var db = await dbFactory.CreateDbContextAsync(ct))
            stored = await db.FindCustomerAsync(id, ct);
        context.Response.Headers.ETag = ApiRequests.ETag(stored!.Version);
        return TypedResults.Ok(CustomerResponse.From(stored));
    }

    private static async Task<IResult> DeleteAsync(int id, HttpContext context, CustomerOperations operations,
        IDbContextFactory<AppDbContext> dbFactory, CancellationToken ct)
    {
        Customer? stored;
        await using (var db = await dbFactory.CreateDbContextAsync(ct))
            stored = await db.FindCustomerAsync(id, ct);
        if (stored is null || stored.Status == CustomerStatus.Deleted) return ApiRequests.NotFound("customer");
        // If-Match is optional here: a delete changes no field, but a client that sends one is told of a change it missed.
        if (!string.IsNullOrEmpty(context.Request.Headers.IfMatch) && ApiRequests.Precondition(context, stored.Version).Refusal is { } stale)
            return stale;
        try
        {
            return await operations.DeleteAsync(id, ct: ct) is null ? ApiRequests.NotFound("customer") : TypedResults.NoContent();
        }
        catch (RuleViolationException e)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "The customer cannot be deleted.", detail: e.Message);
        }
    }

    private static async Task<IResult> RestoreAsync(int id, CustomerOperations operations, IDbContextFactory<AppDbContext> dbFactory,
        CancellationToken ct)
    {
        Customer? stored;
        await using (var db = await dbFactory.CreateDbContextAsync(ct))
            stored = await db.FindCustomerAsync(id, ct);
        if (stored is null) return ApiRequests.NotFound("customer");
        if (stored.Status != CustomerStatus.Deleted)
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Only a deleted customer can be restored.",
                detail: $"This customer is {stored.Status.ToString().ToLowerInvariant()}.");
        try
        {
            var restored = await operations.RestoreAsync(id, ct: ct);
            return TypedResults.Ok(CustomerResponse.From(restored!));
        }
        catch (RuleViolationException e)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "The customer cannot be restored.", detail: e.Message);
        }
    }

    private static async Task<Results<Ok<CustomerHistoryResponse>, ProblemHttpResult, ValidationProblem>> HistoryAsync(int id,
        IDbContextFactory<AppDbContext> dbFactory, long? before, int? limit, CancellationToken ct)
    {
        if (limit is < 1 or > CustomerListKeyset.MaxLimit)
            return Invalid("limit", $"Ask for 1 to {CustomerListKeyset.MaxLimit} rows.");
        var take = limit ?? DefaultLimit;
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        if (!await db.Customers.AnyAsync(c => c.Id == id, ct)) return ApiRequests.NotFound("customer");
        // Newest recorded first, paged by id: a change recorded meanwhile never shifts a page.
        var q = db.CustomerChanges.AsNoTracking().Where(c => c.CustomerId == id);
        if (before is { } b) q = q.Where(c => c.Id < b);
        var rows = await q.OrderByDescending(c => c.Id).Take(take + 1)
            .Select(c => new CustomerChangeResponse(c.Id, c.Field, c.OldValue, c.NewValue, c.ChangedAt, c.ChangedBy, c.Reason))
            .ToListAsync(ct);
        var more = rows.Count > take;
        if (more) rows.RemoveAt(take);
        return TypedResults.Ok(new CustomerHistoryResponse(rows, more ? rows[^1].Id.ToString(System.Globalization.CultureInfo.InvariantCulture) : null));
    }

    private static async Task<Results<Ok<TimelinePage>, ProblemHttpResult>> TimelineAsync(int id, IDbContextFactory<AppDbContext> dbFactory,
        TimelineFilter? filter, int? page, int? pageSize, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        if (!await db.Customers.AnyAsync(c => c.Id == id, ct)) return ApiRequests.NotFound("customer");
        return TypedResults.Ok(await db.TimelinePageAsync(id, filter ?? TimelineFilter.All, page ?? 1,
            pageSize ?? CustomerTimelineQuery.DefaultPageSize, ct));
    }

    /// <summary>
    /// Copies the fields a body sends onto <paramref name="target"/>. Only the form's fields and the consent may be
    /// sent: anything else (an id, the statistics, the status) is refused by name, never silently written or dropped.
    /// </summary>
    private static Dictionary<string, string> Apply(JsonObject body, Customer target, out ConsentChoice? consent)
    {
        var errors = new Dictionary<string, string>();
        consent = null;
        foreach (var (name, node) in body)
        {
            if (name.Equals(nameof(Customer.SmsOptedIn), StringComparison.OrdinalIgnoreCase))
            {
                if (node is JsonValue v && v.TryGetValue<bool>(out var optedIn)) consent = new ConsentChoice(optedIn);
                else errors[nameof(Customer.SmsOptedIn)] = "Send true or false.";
                continue;
            }
            var field = CustomerOperations.FormFields.FirstOrDefault(f => f.Equals(name, StringComparison.OrdinalIgnoreCase));
            if (field is null)
            {
                errors[name] = "There is no such field, or it cannot be set here.";
                continue;
            }
            var property = typeof(Customer).GetProperty(field)!;
            try
            {
                var value = node?.Deserialize(property.PropertyType, ApiRequests.Json);
                if (value is null && property.PropertyType == typeof(string) && field == nameof(Customer.PrimaryPhone)) value = "";
                if (value is null && property.PropertyType.IsValueType && Nullable.GetUnderlyingType(property.PropertyType) is null)
                    errors[field] = "This field cannot be empty.";
                else
                    property.SetValue(target, value);
            }
            catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)
            {
                var type = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
                errors[field] = type.IsEnum ? $"Use one of: {string.Join(", ", Enum.GetNames(type))}." : $"Expected a {JsonKind(type)}.";
            }
        }
        return errors;
    }

    private static string JsonKind(Type type) =>
        type == typeof(string) ? "text" : type == typeof(bool) ? "true or false" : "number";

    private static ValidationProblem Invalid(string field, string message) => ApiRequests.Invalid([KeyValuePair.Create(field, message)]);

    private static ProblemHttpResult SamePhone(int? existing)
    {
        var problem = TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Another customer already has this phone number.",
            detail: existing is { } id ? $"Customer {id} has it: update that customer instead, or change the number." : null,
            extensions: existing is { } other ? new Dictionary<string, object?> { ["existingCustomerId"] = other } : null);
        return problem;
    }
}
