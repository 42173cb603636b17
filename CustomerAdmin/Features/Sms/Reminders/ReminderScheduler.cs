using Microsoft.Extensions.Options;
using CustomerAdmin.Features.Sms.Sending;
using CustomerAdmin.Features.Sms.Templates;
using CustomerAdmin.Features.Sms.Webhooks;
using CustomerAdmin.Common;
using CustomerAdmin.Features.Operations.Observability;

namespace CustomerAdmin.Features.Sms.Reminders;

/// <summary>Runs <see cref="ReminderScan"/> every <see cref="SmsOptions.ReminderScanInterval"/>.</summary>
public sealed class ReminderScheduler(ReminderScan scan, IOptions<SmsOptions> options, TimeProvider time, ILogger<ReminderScheduler> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.RunReminderScan) return;
        using var timer = new PeriodicTimer(options.Value.ReminderScanInterval, time);
        do
        {
            try
            {
                var started = time.GetTimestamp();
                await scan.RunOnceAsync(stoppingToken);
                AppMetrics.ReminderScanDuration.Record(time.GetElapsedTime(started).TotalSeconds);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                // A database hiccup must not stop reminders for good: the next tick tries again.
                logger.LogError(ex, "Reminder scan failed; retrying in {Interval}", options.Value.ReminderScanInterval);
            }
        }
        while (await WaitAsync(timer, stoppingToken));
    }

    private static async Task<bool> WaitAsync(PeriodicTimer timer, CancellationToken ct)
    {
        try { return await timer.WaitForNextTickAsync(ct); }
        catch (OperationCanceledException) { return false; }
    }
}
