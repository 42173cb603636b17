namespace CustomerAdmin.Features.Privacy.AccessLog;

public static class AccessLogSetup
{
    /// <summary>The access log: the in-memory queue every page records into, its writer and its daily purge.</summary>
    public static IServiceCollection AddAccessLog(this IServiceCollection services)
    {
        services.AddOptions<AccessLogOptions>().BindConfiguration(AccessLogOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<AccessLogRecorder>();
        services.AddHostedService<AccessLogWriter>();
        services.AddHostedService<AccessLogPurge>();
        return services;
    }
}
