using CustomerAdmin.Common;
using CustomerAdmin.Components.Shortcuts;
using CustomerAdmin.Features.Customers;
using CustomerAdmin.Features.Customers.Documents;
using CustomerAdmin.Features.Customers.Export;
using CustomerAdmin.Features.Customers.Search;
using CustomerAdmin.Features.Duplicates.Scanning;
using CustomerAdmin.Features.Events;
using CustomerAdmin.Features.Import.Customers;
using CustomerAdmin.Features.Import.Legacy;
using CustomerAdmin.Features.Operations.Backup;
using CustomerAdmin.Features.Organizations;
using CustomerAdmin.Features.Privacy.AccessLog;
using CustomerAdmin.Features.Privacy.Consent;
using CustomerAdmin.Features.Privacy.Retention;
using CustomerAdmin.Features.Sms;
using CustomerAdmin.Features.Sms.Sending;
using CustomerAdmin.Features.Sms.Templates;
using CustomerAdmin.Features.Sms.Webhooks;
using CustomerAdmin.Features.Webhooks;
using MudBlazor.Services;

namespace CustomerAdmin;

public static class AppServices
{
    public static IHostApplicationBuilder AddCustomerAdmin(this IHostApplicationBuilder builder)
    {
        builder.Services.AddRazorComponents().AddInteractiveServerComponents();
        builder.Services.AddCustomerAdmin(builder.Configuration, builder.Environment);
        return builder;
    }

    /// <summary>
    /// The features' services without the Blazor host, so the component tests (whose renderer is bUnit's) register
    /// exactly what the app registers.
    /// </summary>
    public static IServiceCollection AddCustomerAdmin(this IServiceCollection services, IConfiguration configuration,
        IHostEnvironment environment)
    {
        services.AddMudServices();
        services.AddSingleton(TimeProvider.System);
        services.AddScoped<KeyboardShortcuts>();

        services.AddOptions<CustomersOptions>().BindConfiguration(CustomersOptions.Section)
            .ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<PhoneNormalizer>();
        services.AddSingleton<CustomerOperations>();
        services.AddSingleton<Features.Api.ApiTokenOperations>();
        services.AddSingleton<Features.Customers.Status.CustomerStatusOperations>();
        services.AddSingleton<OrganizationOperations>();
        services.AddSingleton<CustomerCsvExport>();
        services.AddSingleton<ExportProgress>();
        services.AddSingleton<Features.Customers.Bulk.CustomerBulkOperations>();

        services.AddOptions<LegacyImportOptions>().BindConfiguration(LegacyImportOptions.Section)
            .ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<LegacyImporter>();
        services.AddOptions<CustomerImportOptions>().BindConfiguration(CustomerImportOptions.Section)
            .ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<CustomerImporter>();
        services.AddSingleton<CustomerImportPresetOperations>();

        var webRoot = Path.GetFullPath(Path.Combine(environment.ContentRootPath, "wwwroot")) + Path.DirectorySeparatorChar;
        services.AddOptions<DocumentsOptions>().BindConfiguration(DocumentsOptions.Section)
            .ValidateDataAnnotations()
            // Anything under wwwroot is served to anyone by URL, past the permission check on /documents/{id}.
            .Validate(o => string.IsNullOrWhiteSpace(o.Folder) || !(Path.GetFullPath(o.Folder, environment.ContentRootPath) + Path.DirectorySeparatorChar)
                    .StartsWith(webRoot, StringComparison.OrdinalIgnoreCase),
                "Documents:Folder must be outside wwwroot.")
            .ValidateOnStart();
        services.AddSingleton<DocumentOperations>();
        services.AddHostedService<OrphanedChunkPurge>();
        services.AddSingleton<Features.Privacy.Export.SubjectAccessExport>();
        services.AddSingleton<Features.Privacy.Erasure.ErasureOperations>();
        services.AddSingleton(sp => sp.GetRequiredService<DocumentOperations>().Store);

        services.AddOptions<VenueOptions>().BindConfiguration(VenueOptions.Section)
            .ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<EventOperations>();
        services.AddSingleton<BookingOperations>();
        services.AddSingleton<Features.Duplicates.Merging.MergeOperations>();
        services.AddSingleton<Features.Duplicates.Review.ReviewOperations>();
        services.AddSms(configuration);
        services.AddWebhooks();
        services.AddDuplicateScanning();
        services.AddBackups();
        services.AddAccessLog();
        services.AddConsentRegister();
        services.AddRetention();
        return services;
    }
}
