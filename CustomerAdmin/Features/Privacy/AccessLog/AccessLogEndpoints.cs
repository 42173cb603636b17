using System.Globalization;
using System.Text;
using CustomerAdmin.Common;
using CustomerAdmin.Data;
using CustomerAdmin.Features.Customers.Export;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace CustomerAdmin.Features.Privacy.AccessLog;

public static class AccessLogEndpoints
{
    public const string CsvPath = "/settings/access-log.csv";

    private static readonly string[] Header = ["When", "User", "What", "Customer", "Detail", "Rows"];

    /// <summary>
    /// <c>GET /settings/access-log.csv?&lt;the page's query string&gt;</c>: the rows the page shows, all of them, streamed.
    /// The export is itself an access to personal data, so it is logged with its filter and row count. The caller's
    /// policy is set where this is mapped.
    /// </summary>
    public static RouteHandlerBuilder MapAccessLogExport(this IEndpointRouteBuilder app) =>
        app.MapGet(CsvPath, async (HttpContext http, IDbContextFactory<AppDbContext> factory, AccessLogRecorder log,
            IOptions<VenueOptions> venue, TimeProvider time, CancellationToken ct) =>
        {
            var query = http.Request.QueryString.Value;
            var filter = AccessLogFilter.Parse(query, venue.Value);
            http.Response.ContentType = "text/csv; charset=utf-8";
            http.Response.Headers.ContentDisposition =
                $"attachment; filename=\"access-log-{venue.Value.Today(time).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}.csv\"";
            http.Response.Headers.XContentTypeOptions = "nosniff";
            http.Response.Headers.CacheControl = "no-store";

            await using var db = await factory.CreateDbContextAsync(ct);
            await using var writer = new StreamWriter(http.Response.Body, CsvText.Encoding, bufferSize: 64 * 1024, leaveOpen: true);
            var line = new StringBuilder(256);
            await CsvText.WriteRecordAsync(writer, line, Header.Select(CsvText.Field).ToArray(), ct);
            var count = 0;
            var fields = new string[Header.Length];
            await foreach (var e in db.AccessLog.AsNoTracking().Filtered(filter).AsAsyncEnumerable().WithCancellation(ct))
            {
                fields[0] = venue.Value.ToVenue(e.At).ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);
                fields[1] = CsvText.Field(e.UserName);
                fields[2] = CsvText.Field(AccessLogQuery.Label(e.Kind));
                fields[3] = e.CustomerId?.ToString(CultureInfo.InvariantCulture) ?? "";
                fields[4] = CsvText.Field(e.Detail);
                fields[5] = e.RowCount?.ToString(CultureInfo.InvariantCulture) ?? "";
                await CsvText.WriteRecordAsync(writer, line, fields, ct);
                count++;
            }
            await writer.FlushAsync(ct);
            log.Record(http.User.Identity?.Name, AccessKind.AccessLogExported, detail: string.IsNullOrEmpty(query) ? "all" : query, rowCount: count);
        });
}
