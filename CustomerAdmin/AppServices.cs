using CustomerAdmin.Components.Pages.Customers;
using CustomerAdmin.Components.Pages.Tickets.LegacyImport;
using CustomerAdmin.Components.Pages.Customers.Documents;
using CustomerAdmin.Components.Pages.Customers.Export;
using CustomerAdmin.Components.Pages.Events;
using CustomerAdmin.Components.Pages.Sms;
using MudBlazor.Services;

namespace CustomerAdmin;

public static class AppServices
{
    public static IHostApplicationBuilder AddCustomerAdmin(this IHostApplicationBuilder builder)
    {
        builder.Services.AddRazorComponents().AddInteractiveServerComponents();
        builder.Services.AddMudServices();
        builder.Services.AddSingleton(TimeProvider.System);

        builder.Services.AddOptions<CustomersOptions>().BindConfiguration(CustomersOptions.Section)
            .ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<PhoneNormalizer>();
        builder.Services.AddSingleton<CustomerOperations>();
        builder.Services.AddSingleton<CustomerCsvExport>();
        builder.Services.AddSingleton<ExportProgress>();

        builder.Services.AddOptions<LegacyImportOptions>().BindConfiguration(LegacyImportOptions.Section)
            .ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<LegacyImporter>();

        var webRoot = Path.GetFullPath(Path.Combine(builder.Environment.ContentRootPath, "wwwroot")) + Path.DirectorySeparatorChar;
        builder.Services.AddOptions<DocumentsOptions>().BindConfiguration(DocumentsOptions.Section)
            .ValidateDataAnnotations()
            // Anything under wwwroot is served to anyone by URL, past the permission check on /documents/{id}.
            .Validate(o => string.IsNullOrWhiteSpace(o.Folder) || !(Path.GetFullPath(o.Folder, builder.Environment.ContentRootPath) + Path.DirectorySeparatorChar)
                    .StartsWith(webRoot, StringComparison.OrdinalIgnoreCase),
                "Documents:Folder must be outside wwwroot.")
            .ValidateOnStart();
        builder.Services.AddSingleton<DocumentStore>();

        builder.Services.AddOptions<VenueOptions>().BindConfiguration(VenueOptions.Section)
            .ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<EventOperations>();
        builder.Services.AddSingleton<BookingOperations>();
        builder.AddSms();
        return builder;
    }
}
