using CustomerAdmin.Data;

namespace CustomerAdmin.Features.Duplicates.Merging;

/// <summary>
/// What the merge dialog sends: which record survives, the versions of both the user looked at (a change since is a
/// conflict, not a silent overwrite), whose value to keep per field (missing fields take the default), and the seats of
/// each event both records are booked on.
/// </summary>
public sealed record MergeRequest(int SurvivorId, int MergedId, int SurvivorVersion, int MergedVersion)
{
    /// <summary>The review-queue pair the merge comes from, and its version when the user opened it.</summary>
    public long? PairId { get; init; }
    public int? PairVersion { get; init; }
    /// <summary>Field name to the id of the customer whose value is kept.</summary>
    public IReadOnlyDictionary<string, int> FieldSources { get; init; } = new Dictionary<string, int>();
    /// <summary>Event id to the seats of the one booking left where both records had one.</summary>
    public IReadOnlyDictionary<int, int> BookingSeats { get; init; } = new Dictionary<int, int>();
}

/// <summary>What a merge did, as the user is told and the tests read it.</summary>
public sealed record MergeResult(int MergeId, int SurvivorId, int MergedId, IReadOnlyDictionary<string, int> MovedRows);

/// <summary>A booking of the merged record that was folded into the survivor's booking of the same event (kept for undo).</summary>
public sealed record BookingMerge(int EventId, int KeptBookingId, int KeptSeatsBefore, string? KeptNotesBefore, int KeptSeatsAfter,
    int KeptVersionAfter, RemovedBooking Removed, List<long> UnlinkedSms, List<long> SkippedSms);

/// <summary>The merged record's booking as it was before the merge removed it.</summary>
public sealed record RemovedBooking(int Id, int EventId, int Seats, string? Notes, DateTime CreatedAt, string? CreatedBy,
    DateTime UpdatedAt, string? UpdatedBy, int Version);

/// <summary>One of the merged record's other review-queue pairs as it was: re-pointed to the survivor, or removed (a pair with the survivor existed).</summary>
public sealed record PairBefore(long Id, int CustomerAId, int CustomerBId, bool Removed, double Score, DuplicateLevel Level, string Reasons,
    DuplicatePairState State, string Signature, DateTime FoundAt, DateTime UpdatedAt, DateTime? DecidedAt, string? DecidedBy);
