using Bunit;
using CustomerAdmin.Data;
using CustomerAdmin.Features.Customers.Documents;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CustomerAdmin.Tests.Features.Customers.Documents;

/// <summary>The customer page's documents section: deleting asks first, and only a confirmed delete removes anything.</summary>
public class CustomerDocumentsComponentTests : AppComponentTest
{
    [Fact]
    public async Task DeleteAsksFirstCancelKeepsTheDocumentAndConfirmRemovesRowAndContent()
    {
        var customer = await AddCustomerAsync("Ann", "Lee", "+1 212 555 0100");
        var store = Services.GetRequiredService<DocumentOperations>();
        var stored = await store.SaveAsync(customer.Id, new MemoryStream(DocumentContentTests.PdfBytes), "contract.pdf", DocumentType.Contract, "ann",
            Xunit.TestContext.Current.CancellationToken);
        var ct = Xunit.TestContext.Current.CancellationToken;
        Assert.True(await store.Store.ExistsAsync(stored.Document, ct));

        var cut = RenderPage<CustomerDocuments>(parameters: new Dictionary<string, object?> { ["CustomerId"] = customer.Id });
        cut.WaitForAssertion(() => Assert.Contains("contract.pdf", cut.Find("[data-testid=document-row]").TextContent));

        cut.Find("[data-testid=document-delete]").Click();
        cut.WaitForAssertion(() => Assert.Contains("\"contract.pdf\" will be deleted for good", cut.Find(".mud-dialog").TextContent));
        cut.FindAll(".mud-dialog button").Single(b => b.TextContent.Trim() == "Cancel").Click();
        cut.WaitForAssertion(() => Assert.Empty(cut.FindAll(".mud-dialog")));
        Assert.Single(cut.FindAll("[data-testid=document-row]"));
        Assert.True(await store.Store.ExistsAsync(stored.Document, ct));
        await using (var db = await Db.Inner.CreateDbContextAsync(Xunit.TestContext.Current.CancellationToken))
            Assert.Equal(1, await db.Documents.CountAsync(Xunit.TestContext.Current.CancellationToken));

        cut.Find("[data-testid=document-delete]").Click();
        cut.WaitForAssertion(() => cut.FindAll(".mud-dialog button").Single(b => b.TextContent.Trim() == "Delete").Click());
        cut.WaitForAssertion(() => Assert.Contains("No documents yet.", cut.Find("[data-testid=documents]").TextContent));
        Assert.False(await store.Store.ExistsAsync(stored.Document, ct));
        await using (var db = await Db.Inner.CreateDbContextAsync(Xunit.TestContext.Current.CancellationToken))
            Assert.Equal(0, await db.Documents.CountAsync(Xunit.TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task UploadPastTheCustomersQuotaShowsWhyAndStoresNothing()
    {
        var ct = Xunit.TestContext.Current.CancellationToken;
        var folder = Path.Combine(Path.GetTempPath(), $"customeradmin-quota-{Guid.NewGuid():N}");
        try
        {
            var store = new DocumentOperations(Db, Microsoft.Extensions.Options.Options.Create(
                    new DocumentsOptions { Store = DocumentStorage.Folder, Folder = folder, MaxBytesPerCustomer = 3 * 1024 * 1024 }),
                new QuotaTestEnvironment(), TimeProvider.System, Microsoft.Extensions.Logging.Abstractions.NullLogger<DocumentOperations>.Instance);
            Services.AddSingleton(store);
            var customer = await AddCustomerAsync("Ann", "Lee", "+1 212 555 0100");
            var twoMegabytes = PdfOf(2 * 1024 * 1024);
            await store.SaveAsync(customer.Id, new MemoryStream(twoMegabytes), "contract.pdf", DocumentType.Contract, "ann", ct);

            var cut = RenderPage<CustomerDocuments>(parameters: new Dictionary<string, object?> { ["CustomerId"] = customer.Id });
            cut.WaitForAssertion(() => Assert.Single(cut.FindAll("[data-testid=document-row]")));
            cut.FindComponent<Microsoft.AspNetCore.Components.Forms.InputFile>()
                .UploadFiles(InputFileContent.CreateFromBinary(twoMegabytes, "invoice.pdf", contentType: "application/pdf"));

            cut.WaitForAssertion(() => Assert.Contains("invoice.pdf: This customer's documents already take 2 MB of the 3 MB allowed per customer",
                cut.Find("[data-testid=document-error]").TextContent));
            Assert.Single(cut.FindAll("[data-testid=document-row]"));
            await using var db = await Db.Inner.CreateDbContextAsync(ct);
            Assert.Equal("contract.pdf", (await db.Documents.SingleAsync(ct)).FileName);
            Assert.Single(Directory.GetFiles(folder));
        }
        finally
        {
            if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
        }
    }

    private static byte[] PdfOf(int length)
    {
        var bytes = new byte[length];
        bytes.AsSpan().Fill((byte)'x');
        DocumentContentTests.PdfBytes.AsSpan(0, Math.Min(64, DocumentContentTests.PdfBytes.Length)).CopyTo(bytes);
        return bytes;
    }

    private sealed class QuotaTestEnvironment : Microsoft.Extensions.Hosting.IHostEnvironment
    {
        public string EnvironmentName { get; set; } = "Test";
        public string ApplicationName { get; set; } = "CustomerAdmin";
        public string ContentRootPath { get; set; } = Path.GetTempPath();
        public Microsoft.Extensions.FileProviders.IFileProvider ContentRootFileProvider { get; set; } = null!;
    }
}
