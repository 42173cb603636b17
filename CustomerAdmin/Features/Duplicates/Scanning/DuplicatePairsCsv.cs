using System.Globalization;
using System.Text;
using CustomerAdmin.Data;
using CustomerAdmin.Features.Customers.Export;
using Microsoft.EntityFrameworkCore;

namespace CustomerAdmin.Features.Duplicates.Scanning;

/// <summary>
/// The pairs waiting for review (open or skipped, likely and possible), surest first, as CSV: both customers' ids and
/// external references ("source:reference", as the imports recorded them), score, level, state and reasons.
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
        // The queue is read whole (a few hundred thousand short rows at most), then its customers' references a page at
        // a time: one reader at a time on the connection, as PostgreSQL needs.
        var pairs = await db.DuplicatePairs.AsNoTracking()
            .Where(p => p.State == DuplicatePairState.Open || p.State == DuplicatePairState.Skipped)
            .OrderByDescending(p => p.Score).ThenBy(p => p.CustomerAId).ThenBy(p => p.CustomerBId)
            .Select(p => new { p.CustomerAId, p.CustomerBId, p.Score, p.Level, p.State, p.Reasons })
            .ToListAsync(ct);
        foreach (var page in pairs.Chunk(ReferencePage))
        {
            var references = await ReferencesAsync(db, page.SelectMany(p => new[] { p.CustomerAId, p.CustomerBId }).Distinct().ToList(), ct);
            foreach (var p in page)
            {
                await CsvText.WriteRecordAsync(writer, line,
                [
                    p.CustomerAId.ToString(CultureInfo.InvariantCulture), p.CustomerBId.ToString(CultureInfo.InvariantCulture),
                    CsvText.Field(references.GetValueOrDefault(p.CustomerAId, "")), CsvText.Field(references.GetValueOrDefault(p.CustomerBId, "")),
                    p.Score.ToString("0.###", CultureInfo.InvariantCulture), LevelText(p.Level), StateText(p.State), CsvText.Field(p.Reasons),
                ], ct);
            }
        }
        await writer.FlushAsync(ct);
        return pairs.Count;
    }

    private const int ReferencePage = 1000;

    /// <summary>Each customer's external references as "source:reference", several joined by a space.</summary>
    private static async Task<Dictionary<int, string>> ReferencesAsync(AppDbContext db, List<int> ids, CancellationToken ct)
    {
        var links = await db.LegacyCustomerLinks.AsNoTracking().Where(l => ids.Contains(l.CustomerId))
            .OrderBy(l => l.CustomerId).ThenBy(l => l.Source).ThenBy(l => l.LegacyId)
            .Select(l => new { l.CustomerId, l.Source, l.LegacyId }).ToListAsync(ct);
        return links.GroupBy(l => l.CustomerId).ToDictionary(g => g.Key, g => string.Join(' ', g.Select(l => $"{l.Source}:{l.LegacyId}")));
    }

    public static string LevelText(DuplicateLevel level) => level == DuplicateLevel.Likely ? "likely" : "possible";

    private static string StateText(DuplicatePairState state) => state == DuplicatePairState.Skipped ? "skipped" : "open";
}
