namespace CustomerAdmin.Features.Webhooks;

public static class WebhookSetup
{
    /// <summary>Outbound webhooks: options, registration, the secret protector and the delivery worker (when <c>Webhooks:RunDispatcher</c>).</summary>
    public static IServiceCollection AddWebhooks(this IServiceCollection services)
    {
        services.AddOptions<WebhookOptions>().BindConfiguration(WebhookOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        // The app's key ring is set up with the security services; this only makes sure a provider exists.
        services.AddDataProtection();
        services.AddSingleton<WebhookSecrets>();
        services.AddSingleton<WebhookOperations>();
        services.AddHttpClient(WebhookDispatcher.HttpClientName, client =>
            {
                // Each POST has its own timeout (Webhooks:Timeout).
                client.Timeout = Timeout.InfiniteTimeSpan;
                client.DefaultRequestHeaders.UserAgent.ParseAdd("CustomerAdmin-Webhooks/1");
            })
            // Receivers answer redirects to nobody: a 3xx is a failed delivery, not a POST somewhere else.
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { AllowAutoRedirect = false, PooledConnectionLifetime = TimeSpan.FromMinutes(5) });
        services.AddSingleton<WebhookDispatcher>();
        services.AddHostedService(sp => sp.GetRequiredService<WebhookDispatcher>());
        return services;
    }
}
