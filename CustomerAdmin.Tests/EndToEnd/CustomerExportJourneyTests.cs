using System.Globalization;
using CustomerAdmin.Common;
using CustomerAdmin.Features.Customers;
using CustomerAdmin.Features.Customers.History;
using CustomerAdmin.Features.Customers.Search;
using CustomerAdmin.Features.Customers.Export;
using CustomerAdmin.Features.Import.Legacy;
using CustomerAdmin.Security;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static Microsoft.Playwright.Assertions;

namespace CustomerAdmin.Tests.EndToEnd;

/// <summary>A Manager downloads the whole demo list from the customer list's export button, as a user does.</summary>
public sealed class CustomerExportJourneyTests(CustomerExportJourneyTests.DemoServer server, Browser browser)
    : EndToEndTest(server, browser), IClassFixture<CustomerExportJourneyTests.DemoServer>
{
    /// <summary>The demo set a first start seeds (500 customers): its CSV is far over the response buffers (64 KB).</summary>
    public sealed class DemoServer() : AppServer(demoCustomers: 500);

    [Fact]
    public async Task ManagerDownloadsTheWholeDemoListEveryRowIntact()
    {
        await Page.SignInAsAsync(Server, AppRoles.Manager);
        await Page.GotoBlazorAsync("customers");
        await Expect(Page.GetByTestId("customer-count")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex(@"^[\d,]+ customers$"));
        var shown = int.Parse((await Page.GetByTestId("customer-count").TextContentAsync())!.Split(' ')[0], NumberStyles.AllowThousands,
            CultureInfo.InvariantCulture);
        List<int> listed;
        await using (var db = Server.CreateDbContext())
            listed = await db.Filtered(new CustomerListFilter(), Server.Services.GetRequiredService<PhoneNormalizer>()).Select(c => c.Id)
                .ToListAsync(TestContext.Current.CancellationToken);

        var download = await Page.RunAndWaitForDownloadAsync(() => Page.GetByTestId("export-csv").ClickAsync());

        Assert.Null(await download.FailureAsync());
        await using var file = File.OpenRead((await download.PathAsync())!);
        using var reader = new StreamReader(file, CsvText.Encoding, detectEncodingFromByteOrderMarks: true);
        var records = new List<string[]>();
        await foreach (var record in new LegacyCsvReader(reader, ',', 100_000).ReadAsync(TestContext.Current.CancellationToken))
        {
            Assert.Null(record.Error);
            records.Add(record.Fields);
        }
        Assert.Equal("Id", records[0][0]);
        Assert.True(shown > 400, $"The demo list shows {shown} customers.");
        Assert.Equal(shown, listed.Count);
        Assert.Equal(shown, records.Count - 1);
        Assert.Equal(listed.Order(), records.Skip(1).Select(r => int.Parse(r[0], CultureInfo.InvariantCulture)).Order());
        Assert.All(records, r => Assert.Equal(records[0].Length, r.Length));
        await Expect(Page.GetByText($"Export finished: {shown:N0} customers.")).ToBeVisibleAsync();
    }
}
