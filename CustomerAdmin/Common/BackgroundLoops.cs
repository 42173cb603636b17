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
            busy.Busy = false;
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            return false;
        }
        catch (Exception ex) when (SqlDialects.BusyCause(ex) is { } cause)
        {
            if (!busy.Busy)
                logger.LogInformation("{What} found the database busy ({Cause}); trying again in {Interval}", what, cause, interval);
            else
                logger.LogDebug("{What} found the database busy again ({Cause}); trying again in {Interval}", what, cause, interval);
            busy.Busy = true;
        }
        catch (Exception ex)
        {
            busy.Busy = false;
            logger.LogError(ex, "{What} failed; trying again in {Interval}", what, interval);
        }
        return true;
    }

    /// <summary>Whether the last passes of one loop found the database busy, so only the first of them is logged above Debug.</summary>
    private sealed class BusyStreak
    {
        public bool Busy { get; set; }
    }

    private static async Task<bool> WaitAsync(PeriodicTimer timer, CancellationToken ct)
    {
        try { return await timer.WaitForNextTickAsync(ct); }
        catch (OperationCanceledException) { return false; }
    }
}
