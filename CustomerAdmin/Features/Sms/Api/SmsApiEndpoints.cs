using CustomerAdmin.Common;
using CustomerAdmin.Data;
using CustomerAdmin.Features.Api;
using CustomerAdmin.Security;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace CustomerAdmin.Features.Sms.Api;

public sealed record SmsLogPage(IReadOnlyList<SmsLogRow> Items, string? NextCursor);

/// <summary>
/// <c>/api/v1/sms</c>: the SMS log, read only, with the log page's filters (<c>customer</c>, <c>status</c>, <c>kind</c>,
/// <c>from</c>/<c>to</c>, <c>outcome</c>), newest first, paged by id.
/// </summary>
public static class SmsApiEndpoints
{
    public static void MapSmsApi(this IEndpointRouteBuilder api) =>
        api.MapGroup("/sms").WithTags("SMS")
            .MapGet("", ListAsync).WithName("listSms").RequireScope(Permissions.CustomersRead);

    private static async Task<Results<Ok<SmsLogPage>, ValidationProblem>> ListAsync(HttpContext context,
        IDbContextFactory<AppDbContext> dbFactory, IOptions<VenueOptions> venue, long? cursor, int? limit, CancellationToken ct)
    {
        if (limit is < 1 or > Customers.CustomerListKeyset.MaxLimit)
            return ApiRequests.Invalid([KeyValuePair.Create("limit", $"Ask for 1 to {Customers.CustomerListKeyset.MaxLimit} rows.")]);
        var take = limit ?? 50;
        var filter = SmsLogFilter.Parse(context.Request.QueryString.Value, venue.Value);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var q = db.SmsMessages.AsNoTracking();
        if (cursor is { } before) q = q.Where(m => m.Id < before);
        // Ordered by id alone, so the cursor (the last id) is exact whatever the filter.
        var rows = await q.Filtered(filter with { CustomerId = null }).Where(m => filter.CustomerId == null || m.CustomerId == filter.CustomerId)
            .OrderByDescending(m => m.Id).AsRows().Take(take + 1).ToListAsync(ct);
        var more = rows.Count > take;
        if (more) rows.RemoveAt(take);
        return TypedResults.Ok(new SmsLogPage(rows, more ? rows[^1].Id.ToString(System.Globalization.CultureInfo.InvariantCulture) : null));
    }
}
