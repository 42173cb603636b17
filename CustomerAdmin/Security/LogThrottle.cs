using System.Collections.Concurrent;

namespace CustomerAdmin.Security;

/// <summary>
/// Keeps anonymous callers from flooding the log: a warning about a refused request is written at most
/// <see cref="PerMinute"/> times a minute per kind; the next one written says how many were left out.
/// </summary>
public sealed class LogThrottle(TimeProvider time)
{
    public const int PerMinute = 5;

    private readonly ConcurrentDictionary<string, Window> _windows = new();

    /// <summary>
    /// True when a warning of this <paramref name="kind"/> may be written now; <paramref name="suppressed"/> is how many
    /// were left out since the last one written.
    /// </summary>
    public bool ShouldLog(string kind, out int suppressed)
    {
        var window = _windows.GetOrAdd(kind, _ => new Window());
        lock (window)
        {
            var now = time.GetUtcNow();
            if (now - window.Start >= TimeSpan.FromMinutes(1))
            {
                window.Start = now;
                window.Written = 0;
            }
            if (window.Written < PerMinute)
            {
                window.Written++;
                suppressed = window.Suppressed;
                window.Suppressed = 0;
                return true;
            }
            window.Suppressed++;
            suppressed = 0;
            return false;
        }
    }

    private sealed class Window
    {
        public DateTimeOffset Start { get; set; } = DateTimeOffset.MinValue;
        public int Written { get; set; }
        public int Suppressed { get; set; }
    }
}
