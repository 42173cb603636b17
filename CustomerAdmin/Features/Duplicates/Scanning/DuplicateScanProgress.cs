using CustomerAdmin.Features.Duplicates.Matching;

namespace CustomerAdmin.Features.Duplicates.Scanning;

/// <summary>
/// The running scan's latest progress, written by whichever thread is working (the matcher reports from both cores)
/// and read by the heartbeat that copies it to the run's row; reports are applied at once, never queued. An observer
/// (the command's console line) sees every report.
/// </summary>
public sealed class DuplicateScanProgress(IProgress<PairFinderProgress>? observer = null) : IProgress<PairFinderProgress>
{
    private readonly Lock _lock = new();
    private PairFinderProgress _current = new("starting", 0, 0);

    public PairFinderProgress Current
    {
        get { lock (_lock) return _current; }
    }

    public void Report(PairFinderProgress value)
    {
        lock (_lock) _current = value;
        observer?.Report(value);
    }

    public void Report(string stage, long done, long total) => Report(new PairFinderProgress(stage, done, total));
}
