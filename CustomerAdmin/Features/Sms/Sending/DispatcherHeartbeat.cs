namespace CustomerAdmin.Features.Sms.Sending;

/// <summary>
/// When this instance's <see cref="SmsDispatcher"/> last finished a pass, in memory: readiness asks about this
/// instance's own worker (another instance's beat says nothing about this one). Starts at the app's start, so a
/// dispatcher is not stale before its first pass could have run.
/// </summary>
public sealed class DispatcherHeartbeat(TimeProvider time)
{
    private long _lastTicks = time.GetUtcNow().UtcTicks;

    public DateTime Last => new(Interlocked.Read(ref _lastTicks), DateTimeKind.Utc);

    public void Beat() => Interlocked.Exchange(ref _lastTicks, time.GetUtcNow().UtcTicks);
}
