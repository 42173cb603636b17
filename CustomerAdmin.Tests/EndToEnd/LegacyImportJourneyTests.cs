using System.Text.RegularExpressions;
using CustomerAdmin.Data;
using CustomerAdmin.Security;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace CustomerAdmin.Tests.EndToEnd;

/// <summary>An admin brings the sample legacy file over from the Admin page: dry run, import, report, undo.</summary>
public sealed class LegacyImportJourneyTests(AppServer server, Browser browser)
    : EndToEndTest(server, browser), IClassFixture<AppServer>
{
    [Fact]
    public async Task SampleFileIsPreviewedImportedReportedAndUndone()
    {
        var ct = TestContext.Current.CancellationToken;
        await Page.SignInAsAsync(Server, AppRoles.Admin);
        await Page.GotoBlazorAsync("admin/import");

        await Page.Locator("input[type=file]").SetInputFilesAsync(SampleFiles.LegacyTickets);
        await Expect(Page.GetByText(new Regex(@"legacy-tickets\.csv \(\d+ KB\)"))).ToBeVisibleAsync();

        await Page.GetByTestId("import-dry-run").ClickAsync();
        var report = Page.GetByTestId("import-report");
        await Expect(report.Locator("h6")).ToHaveTextAsync("Dry run · legacy-tickets.csv");
        await Expect(Page.GetByTestId("import-tickets")).ToHaveTextAsync(Expected.Tickets);
        await Expect(Page.GetByTestId("import-customers-created")).ToHaveTextAsync(Expected.CustomersCreated);
        await Expect(Page.GetByTestId("import-rows-rejected")).ToHaveTextAsync(Expected.RowsRejected);
        await Expect(Page.GetByTestId("import-conflicts")).ToHaveTextAsync(Expected.Conflicts);
        await Expect(Page.GetByTestId("import-preview")).ToContainTextAsync("John Smith");
        await Expect(Page.GetByTestId("import-issues")).ToContainTextAsync("negative");
        await ScreenshotAsync("dry-run");
        await using (var db = Server.CreateDbContext())
            Assert.Equal(0, await db.Tickets.CountAsync(ct));

        await Page.GetByTestId("import-run").ClickAsync();
        await Page.Locator(".mud-dialog").GetByRole(AriaRole.Button, new() { Name = "Import" }).ClickAsync();
        await Expect(report.Locator("h6")).ToHaveTextAsync(new Regex(@"^Import #\d+ · legacy-tickets\.csv$"));
        await Expect(Page.GetByTestId("import-tickets")).ToHaveTextAsync(Expected.Tickets);
        await Expect(Page.GetByTestId("import-customers-created")).ToHaveTextAsync(Expected.CustomersCreated);
        int runId;
        await using (var db = Server.CreateDbContext())
        {
            var run = await db.ImportRuns.SingleAsync(ct);
            runId = run.Id;
            Assert.Equal(ImportRunStatus.Completed, run.Status);
            Assert.Equal(int.Parse(Expected.Tickets), await db.Tickets.CountAsync(t => t.ImportRunId == runId, ct));
        }
        var status = Page.GetByTestId($"import-run-status-{runId}");
        await Expect(status).ToContainTextAsync("Completed");
        await ScreenshotAsync("imported");

        await Page.GetByTestId($"import-undo-{runId}").ClickAsync();
        await Page.Locator(".mud-dialog").GetByRole(AriaRole.Button, new() { Name = "Undo import" }).ClickAsync();
        await Expect(status).ToContainTextAsync("Undone");
        await Expect(Page.GetByTestId($"import-undo-{runId}")).ToHaveCountAsync(0);
        await ScreenshotAsync("undone");
        await using (var db = Server.CreateDbContext())
        {
            Assert.Equal(0, await db.Tickets.CountAsync(ct));
            Assert.Equal(0, await db.Customers.CountAsync(ct));
            Assert.Equal(0, await db.LegacyCustomerLinks.CountAsync(ct));
        }
        Assert.Empty(ConsoleErrors);
    }

    /// <summary>What the sample file gives on an empty database.</summary>
    private static class Expected
    {
        public const string Tickets = "12";
        public const string CustomersCreated = "8";
        public const string RowsRejected = "7";
        public const string Conflicts = "2";
    }
}
