using System.Threading.Channels;
using CustomerAdmin.Data;

namespace CustomerAdmin.Features.Privacy.AccessLog;

/// <summary>
/// Records who looked at or took out personal data. Recording only queues the row in memory (no database round trip
/// on the page's path); <see cref="AccessLogWriter"/> inserts the queue in batches and drains it when the app stops.
/// </summary>
public sealed class AccessLogRecorder(TimeProvider time, ILogger<AccessLogRecorder> logger)
{
    /// <summary>Rows waiting for the writer; only a database that is down for a long while fills it.</summary>
    public const int Capacity = 50_000;

    private readonly Channel<AccessLogEntry> _queue = Channel.CreateBounded<AccessLogEntry>(
        new BoundedChannelOptions(Capacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });

    internal ChannelReader<AccessLogEntry> Reader => _queue.Reader;

    /// <summary>
    /// Queues one row without waiting, for pages and downloads. A full queue (the database unreachable for tens of
    /// thousands of views) loses the row with an error in the log rather than holding up the page.
    /// </summary>
    public void Record(string? user, AccessKind kind, int? customerId = null, string? detail = null, int? rowCount = null)
    {
        if (!_queue.Writer.TryWrite(Entry(user, kind, customerId, detail, rowCount)))
            logger.LogError("Access log queue full: lost {Kind} by {User} of customer {CustomerId}", kind, user, customerId);
    }

    /// <summary>
    /// Queues one row, waiting for room if the queue is full: for rare, weighty accesses (a subject access export, an
    /// erasure) whose row must not be lost.
    /// </summary>
    public ValueTask RecordAsync(string? user, AccessKind kind, int? customerId = null, string? detail = null, int? rowCount = null,
        CancellationToken ct = default) =>
        _queue.Writer.WriteAsync(Entry(user, kind, customerId, detail, rowCount), ct);

    private AccessLogEntry Entry(string? user, AccessKind kind, int? customerId, string? detail, int? rowCount) => new()
    {
        At = time.GetUtcNow().UtcDateTime,
        UserName = Truncate(string.IsNullOrWhiteSpace(user) ? "system" : user, AccessLogEntry.UserMax),
        Kind = kind,
        CustomerId = customerId,
        Detail = detail is null ? null : Truncate(detail, AccessLogEntry.DetailMax),
        RowCount = rowCount,
    };

    private static string Truncate(string value, int max) => value.Length <= max ? value : value[..max];
}
