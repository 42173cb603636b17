namespace CustomerAdmin.Features.Operations.Backup;

public static class BackupSetup
{
    /// <summary>The backup archive (used by the <c>backup</c>/<c>restore</c> commands) and the nightly backup (off unless <c>Backup:Nightly</c>).</summary>
    public static IServiceCollection AddBackups(this IServiceCollection services)
    {
        services.AddOptions<BackupOptions>().BindConfiguration(BackupOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<BackupArchive>();
        services.AddHostedService<NightlyBackup>();
        return services;
    }
}
