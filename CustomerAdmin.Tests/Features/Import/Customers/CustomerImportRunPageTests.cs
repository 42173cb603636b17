using System.Text;
using Bunit;
using CustomerAdmin.Data;
using CustomerAdmin.Features.Import.Customers;
using CustomerAdmin.Features.Import.Customers.Wizard;
using CustomerAdmin.Features.Import.Files;
using CustomerAdmin.Security;
using Microsoft.AspNetCore.Components.Forms;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CustomerAdmin.Tests.Features.Import.Customers;

/// <summary>
/// The wizard's last step and the run page: a dry run started from the page and its report (counts, paged rows,
/// filtered by action), the report found again by a fresh page (a reload), an import already running shown instead
/// of a second start, and undo with what it kept.
/// </summary>
public abstract class CustomerImportRunPageTests : AppComponentTest
{
    private static CancellationToken Ct => Xunit.TestContext.Current.CancellationToken;

    private static string CustomersCsv(int rows)
    {
        var text = new StringBuilder("Customer ID,Name,Mobile,E-mail\n");
        // Different people, as a shop's customers are: rows a digit apart would rightly be taken for one customer.
        for (var i = 0; i < rows; i++)
        {
            var (first, last) = CustomerImporterTests.Person(i);
            text.Append($"C{i:000},{first} {last},{CustomerImporterTests.NewPhone(i)},{first.ToLowerInvariant()}.{last.ToLowerInvariant()}{i}@example.com\n");
        }
        return text.ToString();
    }

    private CustomerImporter Importer => Services.GetRequiredService<CustomerImporter>();

    private IRenderedComponent<Bunit.Rendering.ContainerFragment> ToImportStep(string csv)
    {
        var cut = RenderPage<CustomerImportPage>();
        cut.FindComponent<InputFile>().UploadFiles(InputFileContent.CreateFromText(csv, "customers.csv"));
        cut.WaitForAssertion(() => Assert.False(cut.Find("[data-testid=next-to-mapping]").HasAttribute("disabled")));
        cut.Find("[data-testid=next-to-mapping]").Click();
        cut.WaitForAssertion(() => cut.Find("[data-testid=next-to-preview]").Click());
        cut.WaitForAssertion(() => cut.Find("[data-testid=next-to-import]").Click());
        cut.WaitForAssertion(() => cut.Find("[data-testid=import-step]"));
        return cut;
    }

    [Fact]
    public async Task ADryRunFromThePageReportsEveryRowAndChangesNothing()
    {
        SignInAs(AppRoles.Manager);
        // The file's last rows match: each filter must show rows the unfiltered first page does not.
        for (var i = 240; i < 300; i++)
        {
            var (first, last) = CustomerImporterTests.Person(i);
            await AddCustomerAsync(first, last, CustomerImporterTests.NewPhone(i));
        }
        var cut = ToImportStep(CustomersCsv(300));

        cut.Find("[data-testid=import-dry-run]").Click();
        var navigation = Services.GetRequiredService<Microsoft.AspNetCore.Components.NavigationManager>();
        cut.WaitForAssertion(() => Assert.Matches(@"/customers/import/\d+$", navigation.Uri));
        await Importer.Running.WaitAsync(TimeSpan.FromSeconds(60), Ct);
        var runId = int.Parse(navigation.Uri[(navigation.Uri.LastIndexOf('/') + 1)..]);

        // What a reload shows: a fresh page on the run's address.
        await DisposeComponentsAsync();
        var page = RenderPage<CustomerImportPage>(parameters: new Dictionary<string, object?> { ["RunId"] = runId });
        page.WaitForAssertion(() => Assert.Equal("Completed", page.Find("[data-testid=run-status]").TextContent.Trim()));
        Assert.Equal("240", page.Find("[data-testid=count-created]").TextContent);
        Assert.Equal("60", page.Find("[data-testid=count-updated]").TextContent);
        page.WaitForAssertion(() => Assert.Equal(25, page.FindAll("[data-testid=report-rows] tbody tr").Count));
        Assert.Contains($"/customers/import/{runId}/report.csv", page.Find("[data-testid=report-download]").GetAttribute("href"));

        page.Find("[data-testid=report-filter]").Change(nameof(ImportRowAction.Updated));
        page.WaitForAssertion(() => Assert.All(page.FindAll("[data-testid=report-rows] tbody tr"), r => Assert.Contains("to update", r.TextContent)));
        page.Find("[data-testid=report-filter]").Change(nameof(ImportRowAction.Created));
        page.WaitForAssertion(() => Assert.All(page.FindAll("[data-testid=report-rows] tbody tr"), r => Assert.Contains("to create", r.TextContent)));
        Assert.Empty(page.FindAll("[data-testid=run-undo]"));
        await using var db = await Db.Inner.CreateDbContextAsync(Ct);
        Assert.Equal(60, await db.Customers.CountAsync(Ct));
    }

    /// <summary>A customer import running elsewhere (another instance): 250 of its 1,000 rows done.</summary>
    private async Task<int> AddRunningImportAsync()
    {
        await using var db = await Db.Inner.CreateDbContextAsync(Ct);
        var run = new ImportRun
        {
            Kind = ImportRunKind.Customers, FileName = "big.csv", StartedAt = DateTime.UtcNow, HeartbeatAt = DateTime.UtcNow, StartedBy = "ann@test.local",
            RowsTotal = 1000, RowsRead = 250,
        };
        db.ImportRuns.Add(run);
        await db.SaveChangesAsync(Ct);
        return run.Id;
    }

    [Fact]
    public async Task AnImportAlreadyRunningIsShownInsteadOfASecondStart()
    {
        SignInAs(AppRoles.Manager);
        var running = await AddRunningImportAsync();
        var cut = ToImportStep(CustomersCsv(300));

        cut.WaitForAssertion(() => Assert.Contains($"Import #{running} (big.csv", cut.Find("[data-testid=import-running]").TextContent));
        Assert.True(cut.Find("[data-testid=import-run]").HasAttribute("disabled"));
        Assert.False(cut.Find("[data-testid=import-dry-run]").HasAttribute("disabled"));

        // Its page shows its progress from the run row.
        await DisposeComponentsAsync();
        var page = RenderPage<CustomerImportPage>(parameters: new Dictionary<string, object?> { ["RunId"] = running });
        page.WaitForAssertion(() => Assert.Contains("250 of 1,000 rows", page.Find("[data-testid=run-progress-text]").TextContent));
    }

    [Fact]
    public async Task CancelMarksARunningImportCancelledAndItCanThenBeUndone()
    {
        SignInAs(AppRoles.Manager);
        var running = await AddRunningImportAsync();
        var page = RenderPage<CustomerImportPage>(parameters: new Dictionary<string, object?> { ["RunId"] = running });
        page.WaitForAssertion(() => Assert.Contains("250 of 1,000 rows", page.Find("[data-testid=run-progress-text]").TextContent));
        Assert.Empty(page.FindAll("[data-testid=run-undo]"));

        page.Find("[data-testid=run-cancel]").Click();

        page.WaitForAssertion(() => Assert.Equal("Cancelled", page.Find("[data-testid=run-status]").TextContent.Trim()));
        Assert.Contains("Cancelled by manager", page.Find("[data-testid=run-error]").TextContent);
        Assert.Empty(page.FindAll("[data-testid=run-cancel]"));
        Assert.NotEmpty(page.FindAll("[data-testid=run-undo]"));
        await using var check = await Db.Inner.CreateDbContextAsync(Ct);
        Assert.Equal(ImportRunStatus.Cancelled, (await check.ImportRuns.SingleAsync(r => r.Id == running, Ct)).Status);
    }

    [Fact]
    public async Task UndoAsksThenRemovesTheCreatedCustomersAndSaysWhatItKept()
    {
        SignInAs(AppRoles.Manager);
        var path = Path.Combine(Path.GetTempPath(), $"customer-import-undo-{Guid.NewGuid():N}.csv");
        await File.WriteAllTextAsync(path, CustomersCsv(200), Ct);
        int runId;
        try
        {
            var file = await TabularFile.OpenAsync(path, new(), Ct);
            var mapping = new CustomerImportMapping(ColumnSuggestions.Suggest(file.Headers));
            var summary = await Importer.RunAsync(new CustomerImportRequest(path, "customers.csv", new(), mapping, Actor: "manager@test.local"), ct: Ct);
            runId = summary.RunId;
        }
        finally
        {
            File.Delete(path);
        }
        var page = RenderPage<CustomerImportPage>(parameters: new Dictionary<string, object?> { ["RunId"] = runId });
        page.WaitForAssertion(() => Assert.Equal("200", page.Find("[data-testid=count-created]").TextContent));

        page.Find("[data-testid=run-undo]").Click();
        page.WaitForAssertion(() => Assert.Contains("deletes the 200 customers", page.Find(".mud-dialog").TextContent));
        page.FindAll(".mud-dialog button").Single(b => b.TextContent.Contains("Undo import")).Click();

        page.WaitForAssertion(() => Assert.Equal("Undone", page.Find("[data-testid=run-status]").TextContent.Trim()));
        Assert.Empty(page.FindAll("[data-testid=run-undo]"));
        await using var db = await Db.Inner.CreateDbContextAsync(Ct);
        Assert.Equal(0, await db.Customers.CountAsync(c => c.Status != CustomerStatus.Deleted, Ct));
    }

    [Fact]
    public async Task StaffCannotStartAnImportFromAPageOpenedBeforeTheirRoleChanged()
    {
        SignInAs(AppRoles.Manager);
        var cut = ToImportStep(CustomersCsv(300));
        SignInAs(AppRoles.Staff);

        cut.Find("[data-testid=import-dry-run]").Click();

        cut.WaitForAssertion(() => Assert.Contains(Services.GetRequiredService<MudBlazor.ISnackbar>().ShownSnackbars, s => s.Message?.Contains("does not allow") == true));
        await using var db = await Db.Inner.CreateDbContextAsync(Ct);
        Assert.Equal(0, await db.ImportRuns.CountAsync(Ct));
    }
}

public sealed class SqliteCustomerImportRunPageTests : CustomerImportRunPageTests;

public sealed class PostgresCustomerImportRunPageTests : CustomerImportRunPageTests
{
    protected override DatabaseProvider Provider => DatabaseProvider.Postgres;
}
