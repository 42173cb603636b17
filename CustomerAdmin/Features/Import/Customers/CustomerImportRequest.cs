using System.ComponentModel.DataAnnotations;
using CustomerAdmin.Data;
using CustomerAdmin.Features.Import.Files;

namespace CustomerAdmin.Features.Import.Customers;

/// <summary>
/// One customer import as the page or the command asks for it: the uploaded file (<paramref name="FilePath"/> on disk,
/// <paramref name="FileName"/> as the user named it), how to read it, the mapping, what a match does, the source system
/// its external references belong to, and whether it only reports (<paramref name="DryRun"/>).
/// </summary>
public sealed record CustomerImportRequest(string FilePath, string FileName, TabularReadOptions Read, CustomerImportMapping Mapping,
    ImportMatchMode OnMatch = ImportMatchMode.Fill, string Source = CustomerImportRequest.DefaultSource, bool DryRun = false,
    string Actor = "system")
{
    public const string DefaultSource = "import";
}

/// <summary>Progress of a run: rows done out of the file's rows (counted before the run starts).</summary>
public sealed record CustomerImportProgress(int RunId, int Rows, int? RowsTotal)
{
    public double Percent => RowsTotal is null or 0 ? 0 : Math.Min(100, 100.0 * Rows / RowsTotal.Value);
}

/// <summary>A run's counts and outcome, read from its <see cref="ImportRun"/> row (so a reloaded page finds the same).</summary>
public sealed record CustomerImportSummary(int RunId, bool DryRun, ImportRunStatus Status, int? RowsTotal, int RowsRead, int Created,
    int Updated, int Unchanged, int Skipped, int NeedsReview, string? Error, DateTime StartedAt, DateTime? FinishedAt)
{
    public bool Succeeded => Status is ImportRunStatus.Completed or ImportRunStatus.Undone && Error is null;

    public double Percent => RowsTotal is null or 0 ? (Status == ImportRunStatus.Running ? 0 : 100) : Math.Min(100, 100.0 * RowsRead / RowsTotal.Value);

    public static CustomerImportSummary From(ImportRun run) => new(run.Id, run.DryRun, run.Status, run.RowsTotal, run.RowsRead,
        run.CustomersCreated, run.CustomersUpdated, run.CustomersUnchanged, run.RowsSkipped, run.RowsNeedingReview, run.Error,
        run.StartedAt, run.FinishedAt);

    public string Text => (DryRun ? "Dry run (no customer changed): " : $"Import #{RunId}: ")
        + $"{RowsRead:N0} rows read; {Created:N0} {(DryRun ? "to create" : "created")} ({NeedsReview:N0} of them sent to duplicate review), "
        + $"{Updated:N0} {(DryRun ? "to update" : "updated")}, {Unchanged:N0} unchanged, {Skipped:N0} skipped.";
}

/// <summary>What an undo did: customers deleted and kept (with why), updated customers restored, fields left as changed since.</summary>
public sealed record CustomerImportUndoResult(bool Done, string Message, int CustomersDeleted = 0, int CustomersKept = 0,
    int CustomersRestored = 0, int FieldsKept = 0, IReadOnlyList<string>? Notes = null);

/// <summary>The "CustomerImport" section.</summary>
public sealed class CustomerImportOptions
{
    public const string Section = "CustomerImport";

    /// <summary>Rows per transaction at most; fewer when the last batch's pace would take longer than <see cref="BatchTime"/>.</summary>
    [Range(1, 100_000)] public int BatchSize { get; set; } = 10_000;

    /// <summary>
    /// How long a batch should take: the next batch takes as many rows as the last one's pace writes in this time, and
    /// a batch is cut when reading it takes this long. The run's progress is stored with each batch.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:01:00")] public TimeSpan BatchTime { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How long one transaction may gather batches before it commits (zero: every batch commits). A commit writes every
    /// page its batches dirtied, and a batch of new customers dirties about a dozen random index pages per row, so the
    /// batches of one transaction that touch a page again share its write. Each batch's progress is shown at once by
    /// the instance running the import (<see cref="CustomerImporter.FindAsync"/>); the run's row, which other instances
    /// read, moves at each commit. On SQLite the import holds the write lock for this long, so a save by staff meanwhile
    /// waits up to this long (within the busy timeout) instead of about a batch.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:01:00")] public TimeSpan CommitTime { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>A run silent for this long died with its process: it is shown as interrupted and can be undone.</summary>
    [Range(typeof(TimeSpan), "00:00:10", "1.00:00:00")] public TimeSpan InterruptedAfter { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>The largest file the import page accepts.</summary>
    [Range(1, long.MaxValue)] public long MaxUploadBytes { get; set; } = 200L * 1024 * 1024;
}
