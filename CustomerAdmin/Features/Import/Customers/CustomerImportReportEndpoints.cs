using System.Text;
using CustomerAdmin.Data;
using Microsoft.EntityFrameworkCore;

namespace CustomerAdmin.Features.Import.Customers;

public static class CustomerImportReportEndpoints
{
    /// <summary>
    /// <c>GET /customers/import/{runId}/report.csv</c>: a customer import's (or dry run's) report, one line per row of its
    /// file, streamed from its report rows (UTF-8 with BOM, so spreadsheets read accents). The caller's policy is set where
    /// this is mapped.
    /// </summary>
    public static RouteHandlerBuilder MapCustomerImportReport(this IEndpointRouteBuilder app) =>
        app.MapGet("/customers/import/{runId:int}/report.csv", async (int runId, HttpContext http, IDbContextFactory<AppDbContext> factory,
            CancellationToken ct) =>
        {
            await using var db = await factory.CreateDbContextAsync(ct);
            if (!await db.ImportRuns.AnyAsync(r => r.Id == runId && r.Kind == ImportRunKind.Customers, ct)) return Results.NotFound();
            http.Response.ContentType = "text/csv; charset=utf-8";
            http.Response.Headers.ContentDisposition = $"attachment; filename=\"customer-import-{runId}-report.csv\"";
            http.Response.Headers.XContentTypeOptions = "nosniff";
            http.Response.Headers.CacheControl = "no-store";
            await using var writer = new StreamWriter(http.Response.Body, new UTF8Encoding(encoderShouldEmitUTF8Identifier: true), 1 << 16);
            await CustomerImportReportCsv.WriteAsync(db, runId, writer, ct);
            return Results.Empty;
        });
}
