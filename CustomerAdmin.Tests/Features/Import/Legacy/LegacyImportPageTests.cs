using System.Runtime.Versioning;
using Bunit;
using CustomerAdmin.Features.Import.Legacy;
using CustomerAdmin.Security;
using Microsoft.AspNetCore.Components.Forms;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace CustomerAdmin.Tests.Features.Import.Legacy;

public sealed class LegacyImportPageTests : AppComponentTest
{
    private static string SampleCsv() => File.ReadAllText(SampleFiles.LegacyTickets);

    [Fact]
    public async Task DryRunOfTheSampleShowsCountsIssuesAndPreviewAndWritesNothing()
    {
        SignInAs(AppRoles.Admin);
        var cut = RenderWithPopovers<LegacyImportPage>();

        cut.FindComponent<InputFile>().UploadFiles(InputFileContent.CreateFromText(SampleCsv(), "legacy-tickets.csv"));
        cut.WaitForAssertion(() => Assert.Contains("legacy-tickets.csv", cut.Markup));
        cut.Find("[data-testid=import-dry-run]").Click();

        cut.WaitForAssertion(() =>
        {
            var report = cut.Find("[data-testid=import-report]").TextContent;
            Assert.Contains("Dry run", report);
            Assert.Contains("Rows rejected", report);
            Assert.Contains("negative", cut.Find("[data-testid=import-issues]").TextContent);
            Assert.Contains("John Smith", cut.Find("[data-testid=import-preview]").TextContent);
        }, TimeSpan.FromSeconds(30));
        await using var db = await Db.Inner.CreateDbContextAsync(Xunit.TestContext.Current.CancellationToken);
        Assert.Equal(0, await db.Tickets.CountAsync(Xunit.TestContext.Current.CancellationToken));
        Assert.Equal(0, await db.ImportRuns.CountAsync(Xunit.TestContext.Current.CancellationToken));
    }

    [Fact]
    [UnsupportedOSPlatform("windows")]
    public void UploadedFileWaitsInATempFileOnlyTheAppsUserCanRead()
    {
        Assert.SkipWhen(OperatingSystem.IsWindows(), "Unix file modes");
        SignInAs(AppRoles.Admin);
        var cut = RenderWithPopovers<LegacyImportPage>();
        // Unique content, so the file is told apart from other tests' uploads in the shared temp folder.
        var content = SampleCsv() + $"mode-check-{Guid.NewGuid():N},Ann Lee,212 736 5000,,,2020-01-01,Laptop,Broken,open,\n";

        cut.FindComponent<InputFile>().UploadFiles(InputFileContent.CreateFromText(content, "legacy-tickets.csv"));
        cut.WaitForAssertion(() => Assert.Contains("legacy-tickets.csv", cut.Markup));

        var upload = Assert.Single(Directory.GetFiles(Path.GetTempPath(), "customeradmin-import-*.csv"), f => Holds(f, content));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(upload));

        // Another test's upload may be deleted between listing and reading.
        static bool Holds(string path, string content)
        {
            try { return File.ReadAllText(path) == content; }
            catch (IOException) { return false; }
        }
    }

    [Fact]
    public async Task RunLeftRunningByADeadProcessShowsAsInterruptedWithUndo()
    {
        SignInAs(AppRoles.Admin);
        int crashed, live;
        await using (var db = await Db.Inner.CreateDbContextAsync(Xunit.TestContext.Current.CancellationToken))
        {
            var started = DateTime.UtcNow.AddHours(-1);
            var dead = new CustomerAdmin.Data.ImportRun { FileName = "crashed.csv", StartedAt = started, HeartbeatAt = started.AddMinutes(5), TicketsImported = 5000 };
            var running = new CustomerAdmin.Data.ImportRun { FileName = "running.csv", StartedAt = started, HeartbeatAt = DateTime.UtcNow };
            db.ImportRuns.AddRange(dead, running);
            await db.SaveChangesAsync(Xunit.TestContext.Current.CancellationToken);
            (crashed, live) = (dead.Id, running.Id);
        }

        var cut = RenderWithPopovers<LegacyImportPage>();

        cut.WaitForAssertion(() =>
        {
            var status = cut.Find($"[data-testid=import-run-status-{crashed}]").TextContent;
            Assert.Contains("Interrupted", status);
            Assert.Contains("5,000 tickets of whole batches kept", status);
            Assert.Contains("Running", cut.Find($"[data-testid=import-run-status-{live}]").TextContent);
        });
        var rows = cut.FindAll("[data-testid=import-runs] tbody tr");
        Assert.Contains("Undo this import", rows.Single(r => r.TextContent.Contains("crashed.csv")).TextContent);
        Assert.DoesNotContain("Undo this import", rows.Single(r => r.TextContent.Contains("running.csv")).TextContent);
    }
}
