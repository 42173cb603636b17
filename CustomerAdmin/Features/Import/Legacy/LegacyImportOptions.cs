using System.ComponentModel.DataAnnotations;
using CustomerAdmin.Features.Tickets;
using CustomerAdmin.Features.Customers;

namespace CustomerAdmin.Features.Import.Legacy;

/// <summary>The "LegacyImport" section: which CSV header holds which legacy field, and the import's limits.</summary>
public sealed class LegacyImportOptions
{
    public const string Section = "LegacyImport";

    [Required] public LegacyImportColumns Columns { get; set; } = new();

    /// <summary>One character; "\t" for tab-separated files.</summary>
    [Required, StringLength(2, MinimumLength = 1)] public string Delimiter { get; set; } = ",";

    /// <summary>
    /// Rows written per transaction; memory stays flat however long the file is. Large, because each transaction
    /// rewrites the index pages it touches (on SQLite twice: to the write-ahead log, then to the file), and 5,000 rows
    /// already touch most of them; the progress bar moves once per batch.
    /// </summary>
    [Range(1, 200_000)] public int BatchSize { get; set; } = 100_000;

    /// <summary>A record (one row, quoted newlines included) longer than this is reported and skipped, never buffered.</summary>
    [Range(1_000, 10_000_000)] public int MaxRecordLength { get; set; } = 100_000;

    /// <summary>The largest file the Admin page accepts.</summary>
    [Range(1, long.MaxValue)] public long MaxUploadBytes { get; set; } = 200L * 1024 * 1024;

    /// <summary>
    /// A run that has given no sign of life for this long is taken as interrupted (its process died) and can be
    /// undone. A live run refreshes its heartbeat several times within this period, between rows and batches.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:10", "1.00:00:00")] public TimeSpan InterruptedAfter { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>How many row problems a report keeps for display; the command prints every one as it goes.</summary>
    [Range(1, 1_000_000)] public int MaxListedIssues { get; set; } = 1000;
}

/// <summary>CSV header names (matched ignoring case and surrounding spaces). Optional ones may be absent from the file.</summary>
public sealed class LegacyImportColumns
{
    [Required] public string LegacyCustomerId { get; set; } = "customer_id";
    [Required] public string Name { get; set; } = "customer_name";
    [Required] public string Phone { get; set; } = "phone";
    /// <summary>Optional.</summary>
    public string WhatsApp { get; set; } = "whatsapp";
    /// <summary>Optional.</summary>
    public string Email { get; set; } = "email";
    [Required] public string CreatedAt { get; set; } = "created_at";
    [Required] public string Item { get; set; } = "item";
    [Required] public string Problem { get; set; } = "problem";
    [Required] public string Status { get; set; } = "status";
    [Required] public string Amount { get; set; } = "amount";
    /// <summary>Optional: when present, it identifies a legacy ticket instead of a hash of its contents.</summary>
    public string LegacyTicketId { get; set; } = "ticket_id";
}
