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
    // A database hiccup must not stop reminders for good: the next tick tries again.
    protected override Task ExecuteAsync(CancellationToken stoppingToken) => options.Value.RunReminderScan
        ? BackgroundLoops.EveryAsync(options.Value.ReminderScanInterval, time, logger, "Reminder scan", async ct =>
        {
            var started = time.GetTimestamp();
            await scan.RunOnceAsync(ct);
            AppMetrics.ReminderScanDuration.Record(time.GetElapsedTime(started).TotalSeconds);
        }, stoppingToken)
        : Task.CompletedTask;
}
