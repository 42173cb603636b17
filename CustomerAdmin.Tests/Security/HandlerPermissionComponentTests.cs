using Bunit;
using CustomerAdmin.Features.Sms;
using CustomerAdmin.Features.Sms.Reminders;
using CustomerAdmin.Features.Sms.Sending;
using CustomerAdmin.Features.Sms.Templates;
using CustomerAdmin.Features.Sms.Webhooks;
using CustomerAdmin.Features.Import.Legacy;
using CustomerAdmin.Security;
using Microsoft.AspNetCore.Components.Forms;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CustomerAdmin.Tests.Security;

/// <summary>
/// Admin pages whose user loses the right while the page is open (an admin demoted on the Users page): the buttons are
/// still on screen, and the handler behind them must refuse on the server.
/// </summary>
public sealed class HandlerPermissionComponentTests : AppComponentTest
{
    [Fact]
    public async Task SavingATemplateAfterLosingTheSettingsRightWritesNothing()
    {
        SignInAs(AppRoles.Admin);
        var cut = RenderWithPopovers<SmsTemplates>();
        cut.WaitForAssertion(() => cut.Find("#template-body"));
        cut.Find("#template-body").Input("Hello {{first_name}}");

        SignInAs(AppRoles.Manager);
        cut.Find("form").Submit();

        cut.WaitForAssertion(() => Assert.False(cut.Find("[data-testid=save-template]").HasAttribute("disabled")));
        await using var db = await Db.Inner.CreateDbContextAsync(Xunit.TestContext.Current.CancellationToken);
        Assert.False(await db.SmsTemplates.AnyAsync(t => t.Body == "Hello {{first_name}}", Xunit.TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task ImportingAfterLosingTheSettingsRightAsksNothingAndWritesNothing()
    {
        SignInAs(AppRoles.Admin);
        var cut = RenderPage<LegacyImportPage>();
        cut.FindComponent<InputFile>().UploadFiles(InputFileContent.CreateFromText(File.ReadAllText(SampleFiles.LegacyTickets), "legacy-tickets.csv"));
        cut.WaitForAssertion(() => Assert.False(cut.Find("[data-testid=import-run]").HasAttribute("disabled")));

        SignInAs(AppRoles.Staff);
        cut.Find("[data-testid=import-run]").Click();
        // Without the check the confirmation opens; the user would say yes.
        cut.FindAll(".mud-dialog button").FirstOrDefault(b => b.TextContent.Trim() == "Import")?.Click();

        cut.WaitForAssertion(() => Assert.False(cut.Find("[data-testid=import-run]").HasAttribute("disabled")), TimeSpan.FromSeconds(60));
        Assert.Empty(cut.FindAll(".mud-dialog"));
        await using var db = await Db.Inner.CreateDbContextAsync(Xunit.TestContext.Current.CancellationToken);
        Assert.Equal(0, await db.ImportRuns.CountAsync(Xunit.TestContext.Current.CancellationToken));
        Assert.Equal(0, await db.Tickets.CountAsync(Xunit.TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task UndoingAnImportAfterLosingTheSettingsRightKeepsIt()
    {
        SignInAs(AppRoles.Admin);
        var report = await Services.GetRequiredService<LegacyImporter>().RunAsync(SampleFiles.LegacyTickets, "legacy-tickets.csv", dryRun: false,
            "admin@test.local", null, null, Xunit.TestContext.Current.CancellationToken);
        var cut = RenderPage<LegacyImportPage>();
        cut.WaitForAssertion(() => Assert.Contains("Undo this import", cut.Markup));

        SignInAs(AppRoles.Staff);
        cut.Find($"[data-testid=import-undo-{report.RunId}]").Click();
        cut.WaitForAssertion(() => cut.FindAll(".mud-dialog button").Single(b => b.TextContent.Trim() == "Undo import").Click());

        // Done when the undo button is usable again (refused) or gone (the run was undone).
        cut.WaitForAssertion(() => Assert.True(cut.FindAll($"[data-testid=import-undo-{report.RunId}]") is var undo
            && (undo.Count == 0 || !undo[0].HasAttribute("disabled"))), TimeSpan.FromSeconds(60));
        await using var db = await Db.Inner.CreateDbContextAsync(Xunit.TestContext.Current.CancellationToken);
        var run = await db.ImportRuns.SingleAsync(r => r.Id == report.RunId, Xunit.TestContext.Current.CancellationToken);
        Assert.Null(run.UndoneAt);
        Assert.True(await db.Tickets.AnyAsync(Xunit.TestContext.Current.CancellationToken));
    }
}
