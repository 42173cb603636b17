using System.ComponentModel.DataAnnotations;

namespace CustomerAdmin.Features.Duplicates.Scanning;

/// <summary>The "Duplicates" section: the full scan's limits and the background check of imported customers.</summary>
public sealed class DuplicatesOptions
{
    public const string Section = "Duplicates";

    /// <summary>
    /// A scan that has given no sign of life for this long is taken as interrupted (its process stopped), so another
    /// may start. A live scan refreshes its heartbeat several times within this period.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:10", "1.00:00:00")] public TimeSpan InterruptedAfter { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>
    /// Whether this instance reads the customers' distinct first and last names in the background at start, so that
    /// the check after an edit finds their normal forms and sounds worked out (<see cref="DuplicateNameWarmup"/>).
    /// </summary>
    public bool WarmNamesOnStart { get; set; } = true;

    /// <summary>Whether this instance checks the customers bulk paths queued (every <see cref="CheckQueueInterval"/>).</summary>
    public bool RunCheckQueue { get; set; } = true;

    [Range(typeof(TimeSpan), "00:00:00.100", "01:00:00")] public TimeSpan CheckQueueInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Queued customers checked per transaction.</summary>
    [Range(1, 10_000)] public int CheckBatchSize { get; set; } = 200;

    /// <summary>
    /// With more customers than this queued (a large import), a full scan runs instead of checking them one by one: it
    /// is faster per customer and re-estimates the model on the new data.
    /// </summary>
    [Range(1, int.MaxValue)] public int FullScanAfterQueued { get; set; } = 20_000;
}
