using System.ComponentModel.DataAnnotations;

namespace CustomerAdmin.Data;

/// <summary>
/// One run of the legacy ticket import. It owns what it created: tickets and customers carry its id, as do the
/// legacy-id links it wrote, so "undo this import" removes exactly those and nothing that existed before.
/// </summary>
public class ImportRun
{
    public const int FileNameMax = 260;

    public int Id { get; set; }
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
    [MaxLength(2000)] public string? Error { get; set; }

    public DateTime? UndoneAt { get; set; }
    [MaxLength(100)] public string? UndoneBy { get; set; }
}
