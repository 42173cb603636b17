using CustomerAdmin;
using CustomerAdmin.Components;
using CustomerAdmin.Features.Api;
using CustomerAdmin.Features.Customers.Documents;
using CustomerAdmin.Features.Customers.Export;
using CustomerAdmin.Features.Duplicates.Scanning;
using CustomerAdmin.Features.Import.Customers;
using CustomerAdmin.Features.Import.Legacy;
using CustomerAdmin.Features.Operations.Backup;
using CustomerAdmin.Features.Operations.Observability;
using CustomerAdmin.Features.Privacy.Export;
using CustomerAdmin.Features.Privacy.AccessLog;
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
if (args is [BackupCommand.Backup or BackupCommand.Restore, ..])
    return await BackupCommand.RunAsync(args);
if (args is [CustomerAdmin.Features.Privacy.PrivacyCommand.Name, ..])
    return await CustomerAdmin.Features.Privacy.PrivacyCommand.RunAsync(args);
if (args is [ApiTokenCommand.Name, ..])
    return await ApiTokenCommand.RunAsync(args);
if (args is [DocumentsCommand.Name, ..])
    return await DocumentsCommand.RunAsync(args);

var builder = WebApplication.CreateBuilder(args);
builder.AddDatabase();
builder.AddAppSecurity();
builder.AddCustomerAdmin();
builder.AddObservability();
builder.AddApi();

var app = builder.Build();

app.UseSecurityHeaders();
if (!app.Environment.IsDevelopment())
{
    app.UseExceptionHandler("/Error", createScopeForErrors: true);
    app.UseHsts();
}
app.UseStatusCodePagesWithReExecute("/not-found", createScopeForStatusCodePages: true);
app.UseApiRequests();
app.UseAppAuthentication();
app.UseAntiforgery();

// Everything else needs a signed-in user (the fallback policy); these are the exceptions.
// The database alone, as before /health/ready existed (load balancers probing /health keep their meaning).
app.MapHealthChecks("/health", new() { Predicate = c => c.Name == "database" }).AllowAnonymous();
app.MapObservability();
app.MapStaticAssets().AllowAnonymous();
app.MapAccountEndpoints();
app.MapDocumentDownloads().RequireAuthorization(Permissions.CustomersRead);
// Twilio signs in no user: the webhooks check X-Twilio-Signature instead.
app.MapSmsWebhooks();
app.MapCustomerExport().RequireAuthorization(Permissions.ReportsView);
app.MapCustomerImportReport().RequireAuthorization(Permissions.CustomersImport);
app.MapSubjectAccessExport().RequireAuthorization(Permissions.PrivacyManage);
app.MapAccessLogExport().RequireAuthorization(Permissions.PrivacyAudit);
// Bearer tokens only (never the sign-in cookie), each endpoint with its scope.
app.MapApi();
app.MapRazorComponents<App>()
    // The app's own Content-Security-Policy (UseSecurityHeaders) already says frame-ancestors 'none'.
    .AddInteractiveServerRenderMode(o => o.ContentSecurityFrameAncestorsPolicy = null);

app.Run();
return 0;

/// <summary>Visible to WebApplicationFactory in the tests.</summary>
public partial class Program;
