using System.Diagnostics;
using CustomerAdmin.Data;
using CustomerAdmin.Features.Privacy.AccessLog;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;

namespace CustomerAdmin.Tests.Features.Privacy.AccessLog;

/// <summary>
/// Recording on a page's path costs a queue write, far under the 1 ms p95 the issue allows, while the writer inserts the
/// rows in batches; stopping the app writes what is still queued, so nothing recorded is lost.
/// </summary>
public sealed class AccessLogRecorderTests(ITestOutputHelper output)
{
    [Theory, InlineData(DatabaseProvider.Sqlite), InlineData(DatabaseProvider.Postgres)]
    public async Task RecordingStaysFarUnderAMillisecondAtP95AndEveryRowIsWritten(DatabaseProvider provider)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var database = await TestDatabase.CreateAsync(provider, ct: ct);
        var recorder = new AccessLogRecorder(TimeProvider.System, NullLogger<AccessLogRecorder>.Instance);
        var writer = new AccessLogWriter(recorder, database.Factory, TimeProvider.System, NullLogger<AccessLogWriter>.Instance);
        await writer.StartAsync(ct);

        const int views = 20_000;
        var ticks = new long[views];
        for (var i = 0; i < views; i++)
        {
            var start = Stopwatch.GetTimestamp();
            recorder.Record($"user{i % 7}@test.local", AccessKind.CustomerViewed, i % 500 + 1);
            ticks[i] = Stopwatch.GetTimestamp() - start;
        }
        await writer.StopAsync(ct);

        Array.Sort(ticks);
        var p95 = TimeSpan.FromTicks(ticks[(int)(views * 0.95)] * TimeSpan.TicksPerSecond / Stopwatch.Frequency);
        var p99 = TimeSpan.FromTicks(ticks[(int)(views * 0.99)] * TimeSpan.TicksPerSecond / Stopwatch.Frequency);
        output.WriteLine($"{provider}: Record p95 {p95.TotalMicroseconds:F1} µs, p99 {p99.TotalMicroseconds:F1} µs over {views} views");
        Assert.True(p95 < TimeSpan.FromMilliseconds(1), $"p95 {p95.TotalMicroseconds} µs");

        await using var db = database.CreateDbContext();
        Assert.Equal(views, await db.AccessLog.CountAsync(ct));
        Assert.Equal(views / 7 + (views % 7 > 3 ? 1 : 0), await db.AccessLog.CountAsync(e => e.UserName == "user3@test.local", ct));
    }
}
