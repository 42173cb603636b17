using System.Text.RegularExpressions;
using CustomerAdmin.Data;
using CustomerAdmin.Security;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using MiniExcelLibs;
using static Microsoft.Playwright.Assertions;

namespace CustomerAdmin.Tests.EndToEnd;

/// <summary>
/// A manager brings a shop's customer workbook over: upload the .xlsx, pick its sheet, check the suggested mapping,
/// preview, dry run, import (a third of the rows update customers already here), and undo the import.
/// </summary>
public sealed class CustomerImportJourneyTests(AppServer server, Browser browser)
    : EndToEndTest(server, browser), IClassFixture<AppServer>
{
    private const int Existing = 100;
    private const int Rows = 300;

    private static string NewName(int i) => Features.Import.Customers.CustomerImporterTests.Person(310 + i - Existing) is var (first, last) ? $"{first} {last}" : "";

    [Fact]
    public async Task AWorkbookIsMappedDryRunImportedAndUndone()
    {
        var ct = TestContext.Current.CancellationToken;
        await using (var db = Server.CreateDbContext())
        {
            for (var i = 0; i < Existing; i++) db.Customers.Add(TestCustomers.Individual($"Ann{i}", "Lee", $"+1617555{2000 + i:0000}"));
            await db.SaveChangesAsync(ct);
        }
        var workbook = Path.Combine(Directory.CreateTempSubdirectory("customer-import-").FullName, "shop-customers.xlsx");
        await MiniExcel.SaveAsAsync(workbook, new Dictionary<string, object>
        {
            ["Read me"] = new[] { new Dictionary<string, object?> { ["Text"] = "Exported from the old shop system" } },
            // The new people are as different from each other as real customers are (names, numbers far apart): rows
            // that only differ by a digit would rightly be taken for one customer by the duplicate detector.
            ["Customers"] = Enumerable.Range(0, Rows).Select(i => new Dictionary<string, object?>
            {
                ["Customer ID"] = $"S-{i:0000}",
                ["Name"] = i < Existing ? $"Ann{i} Lee" : NewName(i),
                ["Mobile"] = i < Existing ? $"(617) 555-{2000 + i:0000}" : Features.Import.Customers.CustomerImporterTests.NewPhone(i),
                ["E-mail"] = i < Existing ? $"ann{i}@example.com" : $"{NewName(i).Replace(' ', '.').ToLowerInvariant()}{i}@example.com",
                ["Town"] = "Salem",
                ["Shoe size"] = 42,
            }).ToArray(),
        }, cancellationToken: ct);

        await Page.SignInAsAsync(Server, AppRoles.Manager);
        await Page.GotoBlazorAsync("customers/import");
        await Page.Locator("input[type=file]").SetInputFilesAsync(workbook);
        await Expect(Page.GetByTestId("file-name")).ToContainTextAsync("shop-customers.xlsx");
        await Page.GetByLabel("Sheet").SelectOptionAsync("Customers");
        await Expect(Page.GetByTestId("file-columns")).ToContainTextAsync("6 columns: Customer ID, Name, Mobile, E-mail, Town, Shoe size");
        await Page.GetByTestId("next-to-mapping").ClickAsync();

        await Expect(Page.GetByLabel("Mobile", new() { Exact = true })).ToHaveValueAsync("PrimaryPhone");
        await Expect(Page.GetByLabel("Name", new() { Exact = true })).ToHaveValueAsync("FullName");
        await Expect(Page.GetByLabel("Town", new() { Exact = true })).ToHaveValueAsync("City");
        await Page.GetByLabel("Columns not imported").SelectOptionAsync("AddToNotes");
        await Page.Locator("#preset-name").FillAsync("Old shop");
        await Page.GetByTestId("preset-save").ClickAsync();
        await Expect(Page.GetByTestId("preset-select")).ToContainTextAsync("Old shop");
        await ShootAsync("customer-import-mapping");

        await Page.GetByTestId("next-to-preview").ClickAsync();
        await Expect(Page.GetByTestId("preview")).ToContainTextAsync("+16175552000");
        await Expect(Page.GetByTestId("preview")).ToContainTextAsync("ann0@example.com");
        await Page.GetByTestId("next-to-import").ClickAsync();

        await Page.GetByTestId("import-dry-run").ClickAsync();
        await Expect(Page).ToHaveURLAsync(new Regex(@"/customers/import/\d+$"));
        await Expect(Page.GetByTestId("run-status")).ToHaveTextAsync("Completed");
        await Expect(Page.GetByTestId("count-created")).ToHaveTextAsync("200");
        await Expect(Page.GetByTestId("count-updated")).ToHaveTextAsync(Existing.ToString());
        await Page.GetByLabel("Show rows").SelectOptionAsync("Updated");
        await Expect(Page.GetByTestId("report-rows").Locator("tbody tr").First).ToContainTextAsync("to update");
        await ScreenshotAsync("dry-run");
        await using (var db = Server.CreateDbContext())
        {
            Assert.Equal(Existing, await db.Customers.CountAsync(ct));
            Assert.Equal(0, await db.Customers.CountAsync(c => c.Email != null, ct));
        }

        await Page.GetByTestId("import-continue").ClickAsync();
        await Page.GetByTestId("import-run").ClickAsync();
        await Page.Locator(".mud-dialog").GetByRole(AriaRole.Button, new() { Name = "Import" }).ClickAsync();
        await Expect(Page.GetByTestId("run-title")).ToHaveTextAsync(new Regex(@"^Import #\d+ · shop-customers\.xlsx$"));
        await Expect(Page.GetByTestId("run-status")).ToHaveTextAsync("Completed", new() { Timeout = 60_000 });
        await Expect(Page.GetByTestId("count-created")).ToHaveTextAsync("200");
        await Expect(Page.GetByTestId("count-updated")).ToHaveTextAsync(Existing.ToString());
        // The page reads the run from the database: a reload shows the same report.
        await Page.ReloadAsync();
        await Page.WaitForBlazorAsync();
        await Expect(Page.GetByTestId("count-created")).ToHaveTextAsync("200");
        await ScreenshotAsync("imported");
        await using (var db = Server.CreateDbContext())
        {
            Assert.Equal(Rows, await db.Customers.CountAsync(ct));
            Assert.Equal("ann0@example.com", (await db.Customers.SingleAsync(c => c.PrimaryPhone == "+16175552000", ct)).Email);
        }

        await Page.GetByTestId("run-undo").ClickAsync();
        await Page.Locator(".mud-dialog").GetByRole(AriaRole.Button, new() { Name = "Undo import" }).ClickAsync();
        await Expect(Page.GetByTestId("run-status")).ToHaveTextAsync("Undone");
        await Expect(Page.GetByTestId("run-undo")).ToHaveCountAsync(0);
        await ScreenshotAsync("undone");
        await using (var db = Server.CreateDbContext())
        {
            Assert.Equal(Existing, await db.Customers.CountAsync(c => c.Status != CustomerStatus.Deleted, ct));
            Assert.Equal(0, await db.Customers.CountAsync(c => c.Email != null && c.Status != CustomerStatus.Deleted, ct));
        }
        Assert.Empty(ConsoleErrors);
    }

    /// <summary>The page at desktop size and on a phone, for the README.</summary>
    private async Task ShootAsync(string name)
    {
        await ScreenshotAsync(name);
        await Page.SetViewportSizeAsync(390, 844);
        await ScreenshotAsync(name + "-phone");
        await Page.SetViewportSizeAsync(1280, 800);
    }
}
