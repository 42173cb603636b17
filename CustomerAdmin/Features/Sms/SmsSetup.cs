using CustomerAdmin.Features.Sms.Reminders;
using CustomerAdmin.Features.Sms.Sending;
using CustomerAdmin.Features.Sms.Webhooks;
namespace CustomerAdmin.Features.Sms;

public static class SmsSetup
{
    /// <summary>
    /// Everything SMS: the options, the outbox writer, the configured sender (<c>Sms:Provider</c>), the dispatcher
    /// (runs when <c>Sms:RunDispatcher</c> is true), the reminder scan (when <c>Sms:RunReminderScan</c> is true) and the
    /// bulk sender.
    /// </summary>
    public static IServiceCollection AddSms(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<SmsOptions>().BindConfiguration(SmsOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<SmsOutbox>();
        services.AddSingleton<SmsOperations>();
        services.AddSingleton<Templates.SmsTemplateOperations>();
        services.AddSingleton<ReminderScan>();
        services.AddSingleton<BulkSmsOperations>();
        // Always registered; it reads Sms:RunReminderScan when it starts, so configuration added late still counts.
        services.AddHostedService<ReminderScheduler>();

        var provider = configuration.GetSection(SmsOptions.Section).GetValue<SmsProvider?>(nameof(SmsOptions.Provider)) ?? SmsProvider.Log;
        if (provider == SmsProvider.Twilio)
        {
            services.AddHttpClient<ISmsSender, TwilioSmsSender>(client =>
                {
                    // Each request has its own timeout (Sms:SendTimeout); the client's would only cut it short.
                    client.Timeout = Timeout.InfiniteTimeSpan;
                })
                // The dispatcher is a singleton and keeps its client: recycle connections so DNS changes are seen.
                .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
                .SetHandlerLifetime(Timeout.InfiniteTimeSpan);
        }
        else
        {
            services.AddSingleton<ISmsSender, LogSmsSender>();
        }
        services.AddSingleton<DispatcherHeartbeat>();
        services.AddSingleton<SmsDispatcher>();
        services.AddHostedService(sp => sp.GetRequiredService<SmsDispatcher>());
        return services;
    }
}
