using System.ComponentModel.DataAnnotations;

namespace CustomerAdmin.Data;

/// <summary>
/// The report of one retention run: when it started and finished, who started it (the daily schedule or an admin), what
/// each policy did, and the customers the erasure refused with its reason. A scheduled run carries its venue day in
/// <see cref="ScheduledDay"/>, unique, so two app instances on one database cannot both run a day's retention.
/// </summary>
public class RetentionRun
{
    public const int RefusalsMax = 20000;

    public int Id { get; set; }
    /// <summary>The venue day a scheduled run is for; null for a run started with "Run now".</summary>
    public DateOnly? ScheduledDay { get; set; }
    public DateTime StartedAt { get; set; }
    public DateTime? FinishedAt { get; set; }
    [MaxLength(100)] public string StartedBy { get; set; } = "";
    /// <summary>The policies as they were when the run started, e.g. "anonymise after 36 months; SMS text after 365 days".</summary>
    [MaxLength(500)] public string Policies { get; set; } = "";
    public int CustomersAnonymised { get; set; }
    public int CustomersRefused { get; set; }
    public int SmsBodiesCleared { get; set; }
    public int DocumentsDeleted { get; set; }
    /// <summary>One line per refused customer: "#id: reason" (cut at <see cref="RefusalsMax"/> characters).</summary>
    [MaxLength(RefusalsMax)] public string? Refusals { get; set; }
    /// <summary>Why the run stopped early, when it did.</summary>
    [MaxLength(1000)] public string? Error { get; set; }
}
