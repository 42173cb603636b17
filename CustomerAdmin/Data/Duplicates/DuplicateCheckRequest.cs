namespace CustomerAdmin.Data;

/// <summary>
/// A customer written by a bulk path (the legacy import) whose duplicate check has not run yet: the import queues the
/// ids in its own transaction and the background worker checks them, so the import does not wait for matching.
/// </summary>
public class DuplicateCheckRequest
{
    public int CustomerId { get; set; }
    public DateTime QueuedAt { get; set; }
}
