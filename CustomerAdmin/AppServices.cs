using CustomerAdmin.Common;
using CustomerAdmin.Features.Customers;
using CustomerAdmin.Features.Customers.Documents;
using CustomerAdmin.Features.Customers.Export;
using CustomerAdmin.Features.Customers.Search;
using CustomerAdmin.Features.Events;
using CustomerAdmin.Features.Import.Legacy;
using CustomerAdmin.Features.Sms;
using CustomerAdmin.Features.Sms.Sending;
using CustomerAdmin.Features.Sms.Templates;
using CustomerAdmin.Features.Sms.Webhooks;
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
