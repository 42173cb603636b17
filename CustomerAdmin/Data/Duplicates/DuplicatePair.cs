using System.ComponentModel.DataAnnotations;

namespace CustomerAdmin.Data;

/// <summary>
/// Two customers the duplicate detector thinks may be one person: written by the full scan and by the check that runs
/// after every create, edit and import, read by the review queue (<c>/duplicates</c>), the customer page and the
/// <c>duplicates scan</c> command. One row per pair, the lower customer id first (unique index), so a pair is never
/// listed twice.
/// </summary>
public class DuplicatePair
{
    public const int ReasonsMax = 1000;
    public const int SignatureMax = 64;

    public long Id { get; set; }
    /// <summary>The lower of the two customer ids.</summary>
    public int CustomerAId { get; set; }
    public Customer? CustomerA { get; set; }
    /// <summary>The higher of the two customer ids.</summary>
    public int CustomerBId { get; set; }
    public Customer? CustomerB { get; set; }

    /// <summary>The match score (log-likelihood ratio: higher is surer); the queue sorts by it.</summary>
    public double Score { get; set; }
    public DuplicateLevel Level { get; set; }
    /// <summary>Human-readable reasons, "; " between them: "same phone; names sound alike".</summary>
    [MaxLength(ReasonsMax)] public string Reasons { get; set; } = "";

    public DuplicatePairState State { get; set; } = DuplicatePairState.Open;
    /// <summary>
    /// A hash of both customers' matching fields when the pair was scored. A decision (<see cref="DuplicatePairState.NotSame"/>)
    /// holds while it agrees; a change to a matching field of either customer gives a new signature and reopens the pair.
    /// </summary>
    [MaxLength(SignatureMax)] public string Signature { get; set; } = "";

    public DateTime FoundAt { get; set; }
    public DateTime UpdatedAt { get; set; }
    public DateTime? DecidedAt { get; set; }
    [MaxLength(100)] public string? DecidedBy { get; set; }
    /// <summary>Two reviewers deciding one pair at once: the second gets a clear message, not a silent overwrite.</summary>
    public int Version { get; set; }

    public static (int A, int B) Ordered(int x, int y) => x < y ? (x, y) : (y, x);
}
