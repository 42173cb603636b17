using CustomerAdmin.Data;
using CustomerAdmin.Features.Customers.Documents;
using CustomerAdmin.Features.Sms;
using CustomerAdmin.Features.Sms.Sending;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace CustomerAdmin.Features.Operations.Observability;

/// <summary>Ready only when every migration this build knows has been applied to the database (a rollout half done is not).</summary>
public sealed class MigrationsHealthCheck(IDbContextFactory<AppDbContext> dbFactory) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default)
    {
        try
        {
            await using var db = await dbFactory.CreateDbContextAsync(ct);
            var pending = (await db.Database.GetPendingMigrationsAsync(ct)).ToList();
            return pending.Count == 0
                ? HealthCheckResult.Healthy("Every migration is applied.")
                : HealthCheckResult.Unhealthy($"{pending.Count} migrations are not applied: {string.Join(", ", pending)}.");
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            // The exception is logged by the health check service, not shown to whoever asks.
            return HealthCheckResult.Unhealthy("The applied migrations could not be read: the database is not reachable.", ex);
        }
    }
}

/// <summary>
/// This instance's SMS dispatcher finished a pass recently (its in-memory <see cref="DispatcherHeartbeat"/>). A
/// dispatcher switched off here (<c>Sms:RunDispatcher=false</c>) is no reason to take the instance out of service.
/// </summary>
public sealed class SmsDispatcherHealthCheck(DispatcherHeartbeat heartbeat, IOptions<SmsOptions> sms,
    IOptions<MonitoringOptions> monitoring, TimeProvider time) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default)
    {
        if (!sms.Value.RunDispatcher)
            return Task.FromResult(HealthCheckResult.Healthy("The SMS dispatcher does not run on this instance."));
        var age = time.GetUtcNow().UtcDateTime - heartbeat.Last;
        var limit = TimeSpan.FromTicks(Math.Max(monitoring.Value.DispatcherStaleAfter.Ticks, 2 * sms.Value.DispatchInterval.Ticks));
        var seconds = Math.Max(0, (int)age.TotalSeconds);
        return Task.FromResult(age <= limit
            ? HealthCheckResult.Healthy($"The SMS dispatcher finished a pass {seconds} s ago.")
            : HealthCheckResult.Unhealthy($"The SMS dispatcher has not finished a pass for {seconds} s (limit {(int)limit.TotalSeconds} s)."));
    }
}

/// <summary>A file can be written and removed where uploaded documents are stored.</summary>
public sealed class DocumentStorageHealthCheck(DocumentOperations documents) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default)
    {
        // Starts with a dot, as an upload in progress does: never taken for a document (nor backed up).
        var probe = Path.Combine(documents.Folder, $".health-{Guid.NewGuid():N}");
        try
        {
            Directory.CreateDirectory(documents.Folder);
            await File.WriteAllBytesAsync(probe, [1], ct);
            File.Delete(probe);
            return HealthCheckResult.Healthy("Document storage is writable.");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return HealthCheckResult.Unhealthy("Document storage is not writable.", ex);
        }
    }
}
