using CustomerAdmin.Features.Sms;

namespace CustomerAdmin.Features.Customers.Bulk;

/// <summary>
/// One bulk action running in the background: counts as it goes, read by whichever page is looking (the one that started
/// it may be gone), and the refusals with their reasons (the first <see cref="MaxListed"/>).
/// </summary>
public sealed class CustomerBulkJob(BulkAction action, int total, string startedBy, DateTime startedAt)
{
    public const int MaxListed = 200;

    private readonly Lock _lock = new();
    private readonly List<BulkRefusal> _refused = [];
    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _changed, _unchanged, _refusedCount;

    public Guid Id { get; } = Guid.NewGuid();
    public BulkAction Action => action;
    /// <summary>Customers selected when the job started (a filter's set can move while it runs).</summary>
    public int Total => total;
    public string StartedBy => startedBy;
    public DateTime StartedAt => startedAt;
    public int Changed => Volatile.Read(ref _changed);
    public int Unchanged => Volatile.Read(ref _unchanged);
    public int RefusedCount => Volatile.Read(ref _refusedCount);
    public int Done => Changed + Unchanged + RefusedCount;
    public BulkJobState State { get; private set; } = BulkJobState.Running;
    public string? Error { get; private set; }
    public double Percent => Total == 0 ? 100 : Math.Min(100, 100.0 * Done / Total);
    /// <summary>Completes when the job ends, whichever way (the state says which).</summary>
    public Task Completion => _completion.Task;

    public IReadOnlyList<BulkRefusal> Refused
    {
        get
        {
            lock (_lock) return _refused.ToList();
        }
    }

    /// <summary>Raised on the worker's thread after each batch and at the end.</summary>
    public event Action? Progressed;

    internal void Add(BatchOutcome batch)
    {
        Interlocked.Add(ref _changed, batch.Changed);
        Interlocked.Add(ref _unchanged, batch.Unchanged);
        Interlocked.Add(ref _refusedCount, batch.Refused.Count);
        lock (_lock) _refused.AddRange(batch.Refused.Take(MaxListed - _refused.Count));
        Progressed?.Invoke();
    }

    internal void Finish(BulkJobState state, string? error = null)
    {
        State = state;
        Error = error;
        _completion.TrySetResult();
        Progressed?.Invoke();
    }
}

/// <summary>What one batch did (or, in a preview, would do).</summary>
internal sealed record BatchOutcome(int Changed, int Unchanged, List<BulkRefusal> Refused);
