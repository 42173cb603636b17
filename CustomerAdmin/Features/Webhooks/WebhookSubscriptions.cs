using System.Collections.Concurrent;
using System.Diagnostics;
using CustomerAdmin.Data;
using Microsoft.EntityFrameworkCore;

namespace CustomerAdmin.Features.Webhooks;

/// <summary>
/// Which event types an enabled endpoint subscribes to, remembered per database for at most <see cref="MaxAge"/>, so
/// a write that raises an event nobody wants costs no query. This instance's own registrations, enables, disables and
/// deletes forget it at once (<see cref="Forget"/>, after their commit); another instance's count here within
/// <see cref="MaxAge"/>. Only "nobody wants it" is taken from here: when someone does, the writer reads the endpoints
/// themselves, so a delivery is never written for an endpoint deleted meanwhile.
/// </summary>
public static class WebhookSubscriptions
{
    public static readonly TimeSpan MaxAge = TimeSpan.FromSeconds(5);

    // Keyed by the connection string: every context of one database shares the answer, whichever factory made it
    // (tests run several apps on several databases in one process).
    private static readonly ConcurrentDictionary<string, Entry> Known = new();

    private sealed record Entry(IReadOnlySet<string>? Types, long ReadAt, int Generation);

    public static async Task<bool> AnyAsync(AppDbContext db, string type, CancellationToken ct)
    {
        var key = Key(db);
        var known = Known.GetOrAdd(key, _ => new Entry(null, 0, 0));
        if (known.Types is { } types && Stopwatch.GetElapsedTime(known.ReadAt) < MaxAge) return types.Contains(type);

        var readAt = Stopwatch.GetTimestamp();
        var stored = await db.WebhookEndpoints.AsNoTracking().Where(e => e.Enabled).Select(e => e.Events).ToListAsync(ct);
        var read = stored.SelectMany(WebhookEvents.Read).ToHashSet(StringComparer.Ordinal);
        // Not kept if a change was made here while reading: the answer read may be from before it.
        Known.TryUpdate(key, new Entry(read, readAt, known.Generation), known);
        return read.Contains(type);
    }

    /// <summary>Called by this instance's changes to endpoints once they are committed.</summary>
    public static void Forget(AppDbContext db) =>
        Known.AddOrUpdate(Key(db), _ => new Entry(null, 0, 1), (_, e) => new Entry(null, 0, e.Generation + 1));

    // Not the connection's DataSource: SQLite's changes from the path given to the full path once the connection opens.
    private static string Key(AppDbContext db) => db.Database.GetConnectionString() ?? "";
}
