using CustomerAdmin.Data.Sql;

namespace CustomerAdmin.Common;

/// <summary>
/// The two loops the app's background services run, written once: a pass now and then every interval (purges, the
/// retention check, the duplicate-check queue), and a dispatcher that goes again at once while its passes come back full
/// (SMS, webhooks). A failed pass is logged and tried again at the next turn; stopping the host ends the loop quietly.
/// A pass that finds the database busy (another writer held SQLite's write lock past the busy timeout, a PostgreSQL lock
/// timeout or deadlock) is no fault: expected with several writers, it is tried again at the next turn, logged once at
/// Information while the database stays busy (and at Debug after that), not as an error.
/// </summary>
public static class BackgroundLoops
{
    /// <summary>Runs <paramref name="pass"/> at once and then every <paramref name="interval"/>.</summary>
    /// <param name="what">What the pass does, for the log: "Purging the access log".</param>
    public static async Task EveryAsync(TimeSpan interval, TimeProvider time, ILogger logger, string what,
        Func<CancellationToken, Task> pass, CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(interval, time);
        var busy = new BusyStreak();
        do
        {
            if (!await TryAsync(logger, what, interval, pass, busy, stoppingToken)) return;
        }
        while (await WaitAsync(timer, stoppingToken));
    }

    /// <summary>
    /// Runs <paramref name="pass"/> (which returns whether it found a full batch, so more are probably due) again at once
    /// while it does, otherwise after <paramref name="interval"/>.
    /// </summary>
    public static async Task DispatchAsync(TimeSpan interval, TimeProvider time, ILogger logger, string what,
        Func<CancellationToken, Task<bool>> pass, CancellationToken stoppingToken)
    {
        var busy = new BusyStreak();
        while (!stoppingToken.IsCancellationRequested)
        {
            var full = false;
            if (!await TryAsync(logger, what, interval, async ct => full = await pass(ct), busy, stoppingToken)) return;
            if (full) continue;
            try
            {
                await Task.Delay(interval, time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>One pass; false when the host is stopping.</summary>
    private static async Task<bool> TryAsync(ILogger logger, string what, TimeSpan interval, Func<CancellationToken, Task> pass,
        BusyStreak busy, CancellationToken stoppingToken)
    {
        try
        {
            await pass(stoppingToken);
            busy.Succeeded();
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            return false;
        }
        catch (Exception ex)
        {
            busy.Failed(logger, ex, what, $"trying again in {interval}");
        }
        return true;
    }

    private static async Task<bool> WaitAsync(PeriodicTimer timer, CancellationToken ct)
    {
        try { return await timer.WaitForNextTickAsync(ct); }
        catch (OperationCanceledException) { return false; }
    }

    /// <summary>
    /// A write whose loss costs something (a delivery's result: unrecorded, the work is done again when its lease runs
    /// out) tried again every <paramref name="wait"/> while the database is busy, as long as a next try can still end
    /// before <paramref name="until"/>; the first busy try logged at Information. Any other failure, or busy to the end,
    /// is the caller's.
    /// </summary>
    public static async Task WriteWhileBusyAsync(ILogger logger, string what, DateTimeOffset until, TimeSpan wait, TimeProvider time,
        Func<CancellationToken, Task> write, CancellationToken ct)
    {
        for (var tries = 1; ; tries++)
        {
            try
            {
                await write(ct);
                return;
            }
            catch (Exception ex) when (SqlDialects.BusyCause(ex) is { } cause && time.GetUtcNow() + wait < until)
            {
                if (tries == 1) logger.LogInformation("{What} found the database busy ({Cause}); trying again every {Wait} until {Until:u}", what, cause, wait, until);
                await Task.Delay(wait, time, ct);
            }
        }
    }
}

/// <summary>
/// The failures of one write a background service repeats (a loop's pass, a queued batch) in the log: a database found
/// busy (another writer held the lock past the busy timeout) is expected with several writers, so it is logged once at
/// Information while the database stays busy and at Debug after that; any other failure at Error.
/// </summary>
public sealed class BusyStreak
{
    private bool _busy;

    public void Succeeded() => _busy = false;

    /// <param name="what">What failed, for the log: "Webhook dispatch pass".</param>
    /// <param name="next">What happens next: "trying again in 00:00:05".</param>
    public void Failed(ILogger logger, Exception ex, string what, string next)
    {
        if (SqlDialects.BusyCause(ex) is not { } cause)
        {
            _busy = false;
            logger.LogError(ex, "{What} failed; {Next}", what, next);
            return;
        }
        if (!_busy)
            logger.LogInformation("{What} found the database busy ({Cause}); {Next}", what, cause, next);
        else
            logger.LogDebug("{What} found the database busy again ({Cause}); {Next}", what, cause, next);
        _busy = true;
    }
}
