using System.Globalization;
using System.Text;
using CustomerAdmin.Data;
using CustomerAdmin.Features.Customers.Export;
using Microsoft.EntityFrameworkCore;

namespace CustomerAdmin.Features.Duplicates.Scanning;

/// <summary>
/// The pairs waiting for review (open or skipped, likely and possible), surest first, as CSV: both customers' ids and
/// external references (empty until customers carry them), score, level, state and reasons.
/// </summary>
public static class DuplicatePairsCsv
{
    public static readonly string[] Header =
        ["customer_a_id", "customer_b_id", "customer_a_reference", "customer_b_reference", "score", "level", "state", "reasons"];

    /// <returns>How many pairs were written.</returns>
    public static async Task<int> WriteAsync(AppDbContext db, TextWriter writer, CancellationToken ct = default)
    {
        var line = new StringBuilder();
        await CsvText.WriteRecordAsync(writer, line, Header, ct);
        var rows = db.DuplicatePairs.AsNoTracking()
            .Where(p => p.State == DuplicatePairState.Open || p.State == DuplicatePairState.Skipped)
            .OrderByDescending(p => p.Score).ThenBy(p => p.CustomerAId).ThenBy(p => p.CustomerBId)
            .Select(p => new { p.CustomerAId, p.CustomerBId, p.Score, p.Level, p.State, p.Reasons })
            .AsAsyncEnumerable();
        var count = 0;
        await foreach (var p in rows.WithCancellation(ct))
        {
            await CsvText.WriteRecordAsync(writer, line,
            [
                p.CustomerAId.ToString(CultureInfo.InvariantCulture), p.CustomerBId.ToString(CultureInfo.InvariantCulture), "", "",
                p.Score.ToString("0.###", CultureInfo.InvariantCulture), LevelText(p.Level), StateText(p.State), CsvText.Field(p.Reasons),
            ], ct);
            count++;
        }
        await writer.FlushAsync(ct);
        return count;
    }

    public static string LevelText(DuplicateLevel level) => level == DuplicateLevel.Likely ? "likely" : "possible";

    private static string StateText(DuplicatePairState state) => state == DuplicatePairState.Skipped ? "skipped" : "open";
}
