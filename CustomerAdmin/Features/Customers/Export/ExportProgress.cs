using System.Collections.Concurrent;
using CustomerAdmin.Features.Customers;

namespace CustomerAdmin.Features.Customers.Export;

/// <summary>Where one download is: the list page shows it while the browser receives the file.</summary>
public sealed record ExportState(int Rows, bool Finished, bool Failed, DateTime UpdatedAt);

/// <summary>
/// Progress of running exports by a token the list page puts in the download link. The download is a plain HTTP
/// request (so the browser streams it to disk), and this is how the page's circuit learns that it started, how far
/// it is and whether it finished, without JavaScript.
/// </summary>
public sealed class ExportProgress(TimeProvider time)
{
    private static readonly TimeSpan Keep = TimeSpan.FromHours(1);
    private readonly ConcurrentDictionary<string, ExportState> _exports = new();

    /// <summary>A token is a GUID in "N" format; anything else is ignored, so a caller cannot fill the table with junk.</summary>
    public static bool IsToken(string? token) => Guid.TryParseExact(token, "N", out _);

    public void Report(string? token, int rows, bool finished = false, bool failed = false)
    {
        if (!IsToken(token)) return;
        var now = time.GetUtcNow().UtcDateTime;
        _exports[token!] = new ExportState(rows, finished, failed, now);
        // Entries of pages that were closed before reading them would otherwise stay for the life of the process.
        foreach (var (key, state) in _exports)
            if (now - state.UpdatedAt > Keep) _exports.TryRemove(key, out _);
    }

    public ExportState? Get(string token) => _exports.TryGetValue(token, out var state) ? state : null;

    public void Forget(string token) => _exports.TryRemove(token, out _);
}
