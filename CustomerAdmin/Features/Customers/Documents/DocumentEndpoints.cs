using CustomerAdmin.Data;
using CustomerAdmin.Features.Privacy.AccessLog;
using Microsoft.EntityFrameworkCore;

namespace CustomerAdmin.Features.Customers.Documents;

public static class DocumentEndpoints
{
    /// <summary>
    /// Downloads go through the app, never a static path: the caller must be allowed to read customers, the name
    /// comes from the database, and the browser is told to save the file rather than render it. The content is
    /// streamed from wherever it is stored (database chunks or the shared folder), never loaded whole.
    /// </summary>
    public static RouteHandlerBuilder MapDocumentDownloads(this IEndpointRouteBuilder app) =>
        app.MapGet("/documents/{id:int}", async (int id, IDbContextFactory<AppDbContext> factory, DocumentStore store,
            AccessLogRecorder access, HttpContext http, CancellationToken ct) =>
        {
            await using var db = await factory.CreateDbContextAsync(ct);
            var document = await db.Documents.AsNoTracking().FirstOrDefaultAsync(d => d.Id == id, ct);
            if (document is null || !await store.ExistsAsync(document, ct)) return Results.NotFound();
            http.Response.Headers.XContentTypeOptions = "nosniff";
            // A customer's contract must not stay in a shared browser's or a proxy's cache after the user signs out.
            http.Response.Headers.CacheControl = "no-store";
            access.Record(http.User.Identity?.Name, AccessKind.DocumentDownloaded, document.CustomerId, $"#{document.Id} {document.FileName}");
            if (document.Storage == DocumentStorage.Folder)
                return Results.File(store.PathOf(document.StoredName), document.ContentType, fileDownloadName: document.FileName, enableRangeProcessing: false);
            http.Response.ContentLength = document.Size;
            return Results.Stream(body => store.CopyToAsync(document, body, ct), document.ContentType, document.FileName);
        });
}
