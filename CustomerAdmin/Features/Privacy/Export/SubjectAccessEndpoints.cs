using CustomerAdmin.Data;
using CustomerAdmin.Features.Privacy.AccessLog;

namespace CustomerAdmin.Features.Privacy.Export;

public static class SubjectAccessEndpoints
{
    public const string Template = "/customers/{id:int}/personal-data.zip";

    public static string PathOf(int customerId) => $"/customers/{customerId}/personal-data.zip";

    /// <summary>
    /// <c>GET /customers/{id}/personal-data.zip</c>: the subject access export of the customer (or of the record a merged
    /// one lives on in), streamed as it is written. The caller's policy is set where this is mapped.
    /// </summary>
    public static RouteHandlerBuilder MapSubjectAccessExport(this IEndpointRouteBuilder app) =>
        app.MapGet(Template, async (int id, HttpContext http, SubjectAccessExport export, AccessLogRecorder accessLog, ILoggerFactory loggers,
            CancellationToken ct) =>
        {
            if (await export.SubjectOfAsync(id, ct) is not { } subject)
            {
                http.Response.StatusCode = StatusCodes.Status404NotFound;
                return;
            }
            await accessLog.RecordAsync(http.User.Identity?.Name, AccessKind.SubjectAccessExport, subject, ct: ct);
            http.Response.ContentType = "application/zip";
            http.Response.Headers.ContentDisposition = $"attachment; filename=\"{export.FileName(subject)}\"";
            http.Response.Headers.XContentTypeOptions = "nosniff";
            // Personal data must not stay in a shared browser's or a proxy's cache.
            http.Response.Headers.CacheControl = "no-store";
            try
            {
                await export.WriteAsync(subject, http.Response.Body, ct);
            }
            catch (Exception ex)
            {
                if (!http.Response.HasStarted) throw;
                if (ex is not OperationCanceledException)
                    loggers.CreateLogger(typeof(SubjectAccessEndpoints)).LogError(ex, "Subject access export of customer {CustomerId} failed after it started", subject);
                // The headers are gone: cut the response short, so the ZIP is visibly broken rather than quietly incomplete.
                http.Abort();
            }
        });
}
