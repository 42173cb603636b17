namespace CustomerAdmin.Features.Privacy.Retention;

public static class RetentionSetup
{
    /// <summary>The retention policies' operations and their daily run.</summary>
    public static IServiceCollection AddRetention(this IServiceCollection services)
    {
        services.AddOptions<RetentionOptions>().BindConfiguration(RetentionOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<RetentionOperations>();
        services.AddHostedService<RetentionService>();
        return services;
    }
}
