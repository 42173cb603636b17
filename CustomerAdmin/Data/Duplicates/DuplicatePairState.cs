namespace CustomerAdmin.Data;

/// <summary>
/// Where a pair stands in the review queue. <see cref="NotSame"/> is remembered: the pair comes back only when one of
/// the two customers changes a field the matching reads (<see cref="DuplicatePair.Signature"/> no longer agrees).
/// <see cref="Skipped"/> leaves the queue's default view but stays open to a filter; <see cref="Merged"/> is set by the
/// merge and cleared by its undo. Stored by name.
/// </summary>
public enum DuplicatePairState { Open, NotSame, Skipped, Merged }
