using CustomerAdmin;
using CustomerAdmin.Components;
using CustomerAdmin.Features.Customers.Documents;
using CustomerAdmin.Features.Customers.Export;
using CustomerAdmin.Features.Duplicates.Scanning;
using CustomerAdmin.Features.Import.Customers;
using CustomerAdmin.Features.Import.Legacy;
using CustomerAdmin.Features.Sms.Reminders;
using CustomerAdmin.Features.Sms.Sending;
using CustomerAdmin.Features.Sms.Templates;
using CustomerAdmin.Features.Sms.Webhooks;
using CustomerAdmin.Startup;
using CustomerAdmin.Security;

if (args is [LegacyImportCommand.Name, ..])
    return await LegacyImportCommand.RunAsync(args);
if (args is [CustomerImportCommand.Name, ..])
    return await CustomerImportCommand.RunAsync(args);
if (args is [DuplicatesCommand.Name, ..])
    return await DuplicatesCommand.RunAsync(args);
if (args is [DocumentsCommand.Name, ..])
    return await DocumentsCommand.RunAsync(args);

var builder = WebApplication.CreateBuilder(args);
builder.AddDatabase();
builder.AddAppSecurity();
builder.AddCustomerAdmin();

var app = builder.Build();

app.UseSecurityHeaders();
if (!app.Environment.IsDevelopment())
{
    app.UseExceptionHandler("/Error", createScopeForErrors: true);
    app.UseHsts();
}
app.UseStatusCodePagesWithReExecute("/not-found", createScopeForStatusCodePages: true);
app.UseAppAuthentication();
app.UseAntiforgery();

// Everything else needs a signed-in user (the fallback policy); these are the exceptions.
app.MapHealthChecks("/health").AllowAnonymous();
app.MapStaticAssets().AllowAnonymous();
app.MapAccountEndpoints();
app.MapDocumentDownloads().RequireAuthorization(Permissions.CustomersRead);
// Twilio signs in no user: the webhooks check X-Twilio-Signature instead.
app.MapSmsWebhooks();
app.MapCustomerExport().RequireAuthorization(Permissions.ReportsView);
app.MapCustomerImportReport().RequireAuthorization(Permissions.CustomersImport);
app.MapRazorComponents<App>()
    // The app's own Content-Security-Policy (UseSecurityHeaders) already says frame-ancestors 'none'.
    .AddInteractiveServerRenderMode(o => o.ContentSecurityFrameAncestorsPolicy = null);

app.Run();
return 0;

/// <summary>Visible to WebApplicationFactory in the tests.</summary>
public partial class Program;
