namespace CustomerAdmin.Features.Privacy.Consent;

public static class ConsentSetup
{
    /// <summary>The consent register: its purposes (<c>Privacy:ConsentPurposes</c>) and the operations that record changes.</summary>
    public static IServiceCollection AddConsentRegister(this IServiceCollection services)
    {
        services.AddOptions<ConsentOptions>().BindConfiguration(ConsentOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<ConsentOperations>();
        return services;
    }
}
