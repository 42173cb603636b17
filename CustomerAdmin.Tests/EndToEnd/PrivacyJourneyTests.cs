using System.IO.Compression;
using System.Text.Json;
using CustomerAdmin.Features.Customers.Documents;
using CustomerAdmin.Features.Privacy.Export;
using CustomerAdmin.Security;
using CustomerAdmin.Tests.Features.Privacy;
using Microsoft.Extensions.DependencyInjection;
using static Microsoft.Playwright.Assertions;

namespace CustomerAdmin.Tests.EndToEnd;

/// <summary>A manager answers a person's requests from their page: downloads their data as a ZIP, then erases it.</summary>
public sealed class PrivacyJourneyTests(AppServer server, Browser browser)
    : EndToEndTest(server, browser), IClassFixture<AppServer>
{
    [Fact]
    public async Task AManagerExportsTheZipOpensItsJsonThenErasesAndSeesTheAnonymousRecord()
    {
        var ct = TestContext.Current.CancellationToken;
        var scenario = await PrivacyScenario.CreateAsync(Server.Services.GetRequiredService<Microsoft.EntityFrameworkCore.IDbContextFactory<CustomerAdmin.Data.AppDbContext>>(),
            Server.Services.GetRequiredService<DocumentOperations>(), DateTime.UtcNow, ct);

        await Page.SignInAsAsync(Server, AppRoles.Manager);
        await Page.GotoBlazorAsync($"customers/{scenario.CustomerId}");
        await Expect(Page.GetByTestId("customer-name")).ToHaveTextAsync($"{PrivacyScenario.First} {PrivacyScenario.Last}");

        var download = await Page.RunAndWaitForDownloadAsync(() => Page.GetByTestId("export-personal-data").ClickAsync());
        Assert.Null(await download.FailureAsync());
        Assert.StartsWith($"customer-{scenario.CustomerId}-personal-data-", download.SuggestedFilename);
        using (var zip = ZipFile.OpenRead((await download.PathAsync())!))
        {
            using var json = await JsonDocument.ParseAsync(zip.GetEntry(SubjectAccessExport.JsonEntry)!.Open(), cancellationToken: ct);
            var tables = json.RootElement.GetProperty("tables");
            Assert.Equal(PrivacyScenario.Email, tables.GetProperty("Customer")[0].GetProperty("Email").GetString());
            Assert.Equal(PrivacyScenario.Sms, tables.GetProperty("SmsMessage").GetArrayLength());
            Assert.NotNull(zip.GetEntry(SubjectAccessExport.HtmlEntry));
        }

        await Page.GetByTestId("erase-personal-data").ClickAsync();
        await Page.Locator("#erasure-reason").FillAsync("Request by email of 3 December");
        await Page.Locator("#erasure-confirmation").FillAsync("ERASE");
        await Page.GetByTestId("confirm-erasure").ClickAsync();

        await Expect(Page.GetByTestId("customer-name")).ToHaveTextAsync($"Erased customer #{scenario.CustomerId}");
        await Expect(Page.GetByTestId("erased-banner")).ToContainTextAsync("Request by email of 3 December");
        await Page.GotoBlazorAsync($"customers/{scenario.CustomerId}");
        await Expect(Page.GetByTestId("customer-name")).ToHaveTextAsync($"Erased customer #{scenario.CustomerId}");
        Assert.DoesNotContain(PrivacyScenario.First, await Page.ContentAsync(), StringComparison.OrdinalIgnoreCase);
    }
}
