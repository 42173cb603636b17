using Microsoft.Extensions.Hosting;

namespace CustomerAdmin.Tests.Infrastructure;

/// <summary>An application lifetime that never stops: for operations built by hand that run background jobs.</summary>
public sealed class StillRunning : IHostApplicationLifetime
{
    public CancellationToken ApplicationStarted => CancellationToken.None;
    public CancellationToken ApplicationStopping => CancellationToken.None;
    public CancellationToken ApplicationStopped => CancellationToken.None;
    public void StopApplication() { }
}
