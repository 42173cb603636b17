using CustomerAdmin.Common;
using CustomerAdmin.Data;
using CustomerAdmin.Features.Privacy.AccessLog;
using Microsoft.Extensions.Options;

namespace CustomerAdmin.Features.Customers.Export;

public static class CustomerExportEndpoints
{
    public const string Path = "/customers/export.csv";
    public const string TokenKey = "export_token";

    /// <summary>
    /// <c>GET /customers/export.csv?&lt;the list's query string&gt;</c>: the rows the list shows with the same filters and
    /// sort, streamed as they are read. The caller's policy is set where this is mapped.
    /// </summary>
    public static RouteHandlerBuilder MapCustomerExport(this IEndpointRouteBuilder app) =>
        app.MapGet(Path, async (HttpContext http, CustomerCsvExport export, ExportProgress progress, IOptions<VenueOptions> venue,
            AccessLogRecorder access, TimeProvider time, ILoggerFactory loggers, CancellationToken ct) =>
        {
            var filter = CustomerListQueryString.Parse(http.Request.QueryString.Value, venue.Value);
            string? token = http.Request.Query[TokenKey];
            var day = venue.Value.Today(time);
            http.Response.ContentType = "text/csv; charset=utf-8";
            http.Response.Headers.ContentDisposition = $"attachment; filename=\"customers-{CustomerListQueryString.Day(day)}.csv\"";
            http.Response.Headers.XContentTypeOptions = "nosniff";
            http.Response.Headers.CacheControl = "no-store";
            progress.Report(token, 0);
            try
            {
                var rows = await export.WriteAsync(http.Response.Body, filter, venue.Value, n => progress.Report(token, n), ct);
                progress.Report(token, rows, finished: true);
                access.Record(http.User.Identity?.Name, AccessKind.CustomerListExported, detail: FilterText(http.Request.QueryString.Value), rowCount: rows);
            }
            catch (Exception ex)
            {
                progress.Report(token, progress.Get(token ?? "")?.Rows ?? 0, finished: true, failed: true);
                // Before the first byte the app's error handling can still answer with a proper error page.
                if (!http.Response.HasStarted) throw;
                if (ex is not OperationCanceledException)
                    loggers.CreateLogger(typeof(CustomerExportEndpoints)).LogError(ex, "Customer export failed after it started");
                // The headers are gone already: all that is left is to cut the response short, so the file is visibly broken.
                http.Abort();
            }
        });

    /// <summary>The list's query string as the access log keeps it: the filter and sort, without the progress token.</summary>
    private static string FilterText(string? query)
    {
        var parts = Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(query).Where(p => p.Key != TokenKey)
            .Select(p => $"{p.Key}={p.Value}").ToList();
        return parts.Count == 0 ? "all customers" : string.Join("&", parts);
    }
}
