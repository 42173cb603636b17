using System.ComponentModel.DataAnnotations;

namespace CustomerAdmin.Data;

/// <summary>
/// One row of a customer import's report: what became of line <see cref="Line"/> of the file. Kept with the run (a dry
/// run writes only these), downloadable as CSV, and read by the undo: <see cref="Before"/> and <see cref="After"/> hold
/// the changed fields' values (JSON, field name to text as the history writes it), so an undo restores exactly those
/// that nobody has changed since. No foreign key to the customer: the report outlives an undo that deletes it.
/// </summary>
public class ImportReportRow
{
    public const int ReasonMax = 1000;

    public long Id { get; set; }
    public int ImportRunId { get; set; }
    public long Line { get; set; }
    [MaxLength(LegacyCustomerLink.LegacyIdMax)] public string? ExternalReference { get; set; }
    public ImportRowAction Action { get; set; }
    /// <summary>Created as a new customer because the match was uncertain; its pairs went to the duplicate review queue.</summary>
    public bool NeedsReview { get; set; }
    public int? CustomerId { get; set; }
    [MaxLength(ReasonMax)] public string? Reason { get; set; }
    /// <summary>The changed fields' names, comma-separated.</summary>
    [MaxLength(ReasonMax)] public string? ChangedFields { get; set; }
    public string? Before { get; set; }
    public string? After { get; set; }
}
