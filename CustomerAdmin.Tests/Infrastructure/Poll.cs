using System.Diagnostics;

namespace CustomerAdmin.Tests.Infrastructure;

/// <summary>Waiting for what a background service does: checks every 100 ms, fails the test after the timeout (30 s).</summary>
public static class Poll
{
    public static async Task UntilAsync(Func<Task<bool>> condition, TimeSpan? timeout = null)
    {
        var limit = timeout ?? TimeSpan.FromSeconds(30);
        var clock = Stopwatch.StartNew();
        while (!await condition())
        {
            Assert.True(clock.Elapsed < limit, $"Timed out after {limit.TotalSeconds:0} s waiting.");
            await Task.Delay(100, TestContext.Current.CancellationToken);
        }
    }

    public static Task UntilAsync(Func<bool> condition, TimeSpan? timeout = null) => UntilAsync(() => Task.FromResult(condition()), timeout);
}
