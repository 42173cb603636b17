using System.ComponentModel.DataAnnotations;

namespace CustomerAdmin.Data;

/// <summary>
/// One full duplicate scan: its progress (so a reloaded page, and every app instance, shows it), its outcome, and the
/// match model it estimated, which the checks after each create, edit and import score with until the next scan. At
/// most one runs at a time across instances: a scan starts only when no run is <see cref="DuplicateScanStatus.Running"/>
/// with a recent <see cref="HeartbeatAt"/>.
/// </summary>
public class DuplicateScanRun
{
    public const int StageMax = 100;
    public const int OversizedBlocksMax = 2000;
    public const int ErrorMax = 2000;

    public int Id { get; set; }
    public DuplicateScanStatus Status { get; set; } = DuplicateScanStatus.Running;
    /// <summary>What the scan is doing now ("loading customers", "comparing", "writing pairs"…), for the progress bar.</summary>
    [MaxLength(StageMax)] public string Stage { get; set; } = "";
    /// <summary>Progress through <see cref="Stage"/>: <see cref="Done"/> of <see cref="Total"/> (0 of 0 when unknown).</summary>
    public long Done { get; set; }
    public long Total { get; set; }

    /// <summary>Active customers read (neither deleted nor merged).</summary>
    public int Customers { get; set; }
    public long ComparedPairs { get; set; }
    public int LikelyPairs { get; set; }
    public int PossiblePairs { get; set; }
    /// <summary>Open pairs the scan added, reopened and removed (decided pairs are kept as they are).</summary>
    public int PairsAdded { get; set; }
    public int PairsReopened { get; set; }
    public int PairsRemoved { get; set; }
    /// <summary>Blocking keys with more customers than the cap (not compared within them), "key (size)" joined by "; ".</summary>
    [MaxLength(OversizedBlocksMax)] public string? OversizedBlocks { get; set; }
    public int OversizedBlockCount { get; set; }

    public DateTime StartedAt { get; set; }
    [MaxLength(100)] public string? StartedBy { get; set; }
    public DateTime HeartbeatAt { get; set; }
    public DateTime? FinishedAt { get; set; }
    [MaxLength(ErrorMax)] public string? Error { get; set; }

    /// <summary>The estimated <c>MatchModel</c> (its JSON) that later checks score with; null until the scan completes.</summary>
    public string? ModelJson { get; set; }
}
