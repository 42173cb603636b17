namespace CustomerAdmin.Features.Duplicates.Scanning;

public static class DuplicatesSetup
{
    /// <summary>
    /// The full scan, the background check of queued customers (when <c>Duplicates:RunCheckQueue</c>), the names'
    /// warm-up at start (when <c>Duplicates:WarmNamesOnStart</c>) and their options.
    /// </summary>
    public static IServiceCollection AddDuplicateScanning(this IServiceCollection services)
    {
        services.AddOptions<DuplicatesOptions>().BindConfiguration(DuplicatesOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<DuplicateScanner>();
        services.AddSingleton<DuplicateCheckWorker>();
        services.AddHostedService(sp => sp.GetRequiredService<DuplicateCheckWorker>());
        services.AddHostedService<DuplicateNameWarmup>();
        return services;
    }
}
