using Bunit;
using CustomerAdmin.Features.Customers.Documents;
using CustomerAdmin.Data;
using CustomerAdmin.Tests.Unit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CustomerAdmin.Tests.Components;

/// <summary>The customer page's documents section: deleting asks first, and only a confirmed delete removes anything.</summary>
public class CustomerDocumentsComponentTests : AppComponentTest
{
    [Fact]
    public async Task DeleteAsksFirstCancelKeepsTheDocumentAndConfirmRemovesRowAndFile()
    {
        var customer = await AddCustomerAsync("Ann", "Lee", "+1 212 555 0100");
        var store = Services.GetRequiredService<DocumentStore>();
        var stored = await store.SaveAsync(customer.Id, new MemoryStream(DocumentContentTests.PdfBytes), "contract.pdf", DocumentType.Contract, "ann",
            Xunit.TestContext.Current.CancellationToken);
        var file = store.PathOf(stored.Document);
        Assert.True(File.Exists(file));

        var cut = RenderPage<CustomerDocuments>(parameters: new Dictionary<string, object?> { ["CustomerId"] = customer.Id });
        cut.WaitForAssertion(() => Assert.Contains("contract.pdf", cut.Find("[data-testid=document-row]").TextContent));

        cut.Find("[data-testid=document-delete]").Click();
        cut.WaitForAssertion(() => Assert.Contains("\"contract.pdf\" will be deleted for good", cut.Find(".mud-dialog").TextContent));
        cut.FindAll(".mud-dialog button").Single(b => b.TextContent.Trim() == "Cancel").Click();
        cut.WaitForAssertion(() => Assert.Empty(cut.FindAll(".mud-dialog")));
        Assert.Single(cut.FindAll("[data-testid=document-row]"));
        Assert.True(File.Exists(file));
        await using (var db = await Db.Inner.CreateDbContextAsync())
            Assert.Equal(1, await db.Documents.CountAsync());

        cut.Find("[data-testid=document-delete]").Click();
        cut.WaitForAssertion(() => cut.FindAll(".mud-dialog button").Single(b => b.TextContent.Trim() == "Delete").Click());
        cut.WaitForAssertion(() => Assert.Contains("No documents yet.", cut.Find("[data-testid=documents]").TextContent));
        Assert.False(File.Exists(file));
        await using (var db = await Db.Inner.CreateDbContextAsync())
            Assert.Equal(0, await db.Documents.CountAsync());
    }
}
