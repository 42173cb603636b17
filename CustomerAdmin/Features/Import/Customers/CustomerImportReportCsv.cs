using System.Globalization;
using System.Text;
using CustomerAdmin.Data;
using CustomerAdmin.Features.Customers.Export;
using Microsoft.EntityFrameworkCore;

namespace CustomerAdmin.Features.Import.Customers;

/// <summary>
/// A customer import's report as CSV, one record per input row in file order: line number, the row's external
/// reference, action (created, "created (needs review)" when its possible duplicates went to the review queue,
/// updated, unchanged, skipped), customer id, reason and the changed fields. Streamed from the database.
/// </summary>
public static class CustomerImportReportCsv
{
    public static readonly string[] Header = ["line", "external_reference", "action", "customer_id", "reason", "changed_fields"];

    /// <returns>How many rows were written.</returns>
    public static async Task<int> WriteAsync(AppDbContext db, int runId, TextWriter writer, CancellationToken ct = default)
    {
        var line = new StringBuilder();
        await CsvText.WriteRecordAsync(writer, line, Header, ct);
        var rows = db.ImportReportRows.AsNoTracking().Where(r => r.ImportRunId == runId).OrderBy(r => r.Line).ThenBy(r => r.Id)
            .Select(r => new { r.Line, r.ExternalReference, r.Action, r.NeedsReview, r.CustomerId, r.Reason, r.ChangedFields })
            .AsAsyncEnumerable();
        var count = 0;
        await foreach (var r in rows.WithCancellation(ct))
        {
            await CsvText.WriteRecordAsync(writer, line,
            [
                r.Line.ToString(CultureInfo.InvariantCulture), CsvText.Field(r.ExternalReference), ActionText(r.Action, r.NeedsReview),
                r.CustomerId?.ToString(CultureInfo.InvariantCulture) ?? "", CsvText.Field(r.Reason), CsvText.Field(r.ChangedFields),
            ], ct);
            count++;
        }
        await writer.FlushAsync(ct);
        return count;
    }

    public static string ActionText(ImportRowAction action, bool needsReview) =>
        action.ToString().ToLowerInvariant() + (needsReview ? " (needs review)" : "");
}
