using System.Diagnostics;

namespace CustomerAdmin.Features.Import.Legacy;

/// <summary>
/// Where a run's time went: wall clock and process CPU (all threads, the GC's included) between named points.
/// <see cref="Mark"/> charges the time since the previous mark to a stage.
/// </summary>
public sealed class ImportStageTimes
{
    private readonly Dictionary<string, (TimeSpan Wall, TimeSpan Cpu)> _stages = [];
    private readonly System.Diagnostics.Process _process = System.Diagnostics.Process.GetCurrentProcess();
    private readonly Stopwatch _wall = Stopwatch.StartNew();
    private TimeSpan _lastWall, _lastCpu;

    public ImportStageTimes() => _lastCpu = Cpu();

    private TimeSpan Cpu()
    {
        _process.Refresh();
        return _process.TotalProcessorTime;
    }

    /// <summary>Charges the time since the last mark to <paramref name="stage"/>.</summary>
    public void Mark(string stage)
    {
        var wall = _wall.Elapsed;
        var cpu = Cpu();
        var (w, c) = _stages.GetValueOrDefault(stage);
        _stages[stage] = (w + wall - _lastWall, c + cpu - _lastCpu);
        _lastWall = wall;
        _lastCpu = cpu;
    }

    public IReadOnlyDictionary<string, (TimeSpan Wall, TimeSpan Cpu)> Stages => _stages;

    public override string ToString() => string.Join(Environment.NewLine, _stages.OrderByDescending(s => s.Value.Cpu)
        .Select(s => $"  {s.Key,-28} wall {s.Value.Wall.TotalSeconds,7:N1} s  CPU {s.Value.Cpu.TotalSeconds,7:N1} s"));
}
