using System.ComponentModel.DataAnnotations;

namespace CustomerAdmin.Data;

/// <summary>
/// One run of an import (<see cref="Kind"/>: the legacy ticket CSV or a customer spreadsheet). It owns what it created:
/// tickets and customers carry its id, as do the external-reference links it wrote, so "undo this import" removes
/// exactly those and nothing that existed before. A customer import's dry run is a run too, writing only its report.
/// </summary>
public class ImportRun
{
    public const int FileNameMax = 260;

    public int Id { get; set; }
    public ImportRunKind Kind { get; set; } = ImportRunKind.LegacyTickets;
    /// <summary>A customer import that only reported what it would do (its report rows are all it wrote).</summary>
    public bool DryRun { get; set; }
    /// <summary>The source system named for a customer import's external references.</summary>
    [MaxLength(LegacyCustomerLink.SourceMax)] public string? Source { get; set; }
    /// <summary>What a customer import did with matched customers.</summary>
    public ImportMatchMode? OnMatch { get; set; }
    [MaxLength(FileNameMax)] public string FileName { get; set; } = "";
    /// <summary>SHA-256 of the file, hex: tells an admin the same file was imported before.</summary>
    [MaxLength(64)] public string FileHash { get; set; } = "";
    public ImportRunStatus Status { get; set; } = ImportRunStatus.Running;
    public DateTime StartedAt { get; set; }
    public DateTime? FinishedAt { get; set; }
    [MaxLength(100)] public string? StartedBy { get; set; }
    /// <summary>
    /// Refreshed while the run is alive, by whichever process runs it (the web app or the command): a "Running" run
    /// that has been silent for longer than LegacyImport:InterruptedAfter died with its process and can be undone.
    /// </summary>
    public DateTime? HeartbeatAt { get; set; }

    public int RowsRead { get; set; }
    public int TicketsImported { get; set; }
    public int TicketsAlreadyImported { get; set; }
    public int CustomersCreated { get; set; }
    public int CustomersMatched { get; set; }
    public int RowsRejected { get; set; }
    public int Conflicts { get; set; }
    /// <summary>The file's data rows, when counted before the run (the progress bar's whole).</summary>
    public int? RowsTotal { get; set; }
    public int CustomersUpdated { get; set; }
    public int CustomersUnchanged { get; set; }
    public int RowsSkipped { get; set; }
    /// <summary>Rows created as new customers whose possible duplicates went to the review queue.</summary>
    public int RowsNeedingReview { get; set; }
    [MaxLength(2000)] public string? Error { get; set; }

    public DateTime? UndoneAt { get; set; }
    [MaxLength(100)] public string? UndoneBy { get; set; }
    /// <summary>What the undo did and what it left, and why (customers with work attached since, fields changed since).</summary>
    [MaxLength(4000)] public string? UndoSummary { get; set; }
}
