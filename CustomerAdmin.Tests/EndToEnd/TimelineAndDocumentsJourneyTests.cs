using CustomerAdmin.Security;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace CustomerAdmin.Tests.EndToEnd;

/// <summary>Timeline entries and documents on the customer page, through the real app in Chromium.</summary>
public sealed class TimelineAndDocumentsJourneyTests(AppServer server, Browser browser)
    : EndToEndTest(server, browser), IClassFixture<AppServer>
{
    [Fact]
    public async Task AddANoteUploadAPdfAndRefuseAnExecutableDressedAsOne()
    {
        var ct = TestContext.Current.CancellationToken;
        int customerId;
        await using (var db = Server.CreateDbContext())
        {
            var customer = TestCustomers.Individual("Grace", "Hopper", "+12125550177");
            db.Customers.Add(customer);
            await db.SaveChangesAsync(ct);
            customerId = customer.Id;
        }
        await Page.SignInAsAsync(Server, AppRoles.Staff);
        await Page.GotoBlazorAsync($"customers/{customerId}");

        // A note, through the dialog; an empty text is refused at the field first.
        await Page.Locator("[data-testid=timeline-add]").ClickAsync();
        await Page.Locator("[data-testid=activity-save]").ClickAsync();
        await Expect(Page.GetByText("Write what was said or done.")).ToBeVisibleAsync();
        await Page.Locator("#activity-subject").FillAsync("Wants a loaner");
        await Page.Locator("#activity-body").FillAsync("Asked whether we lend laptops during repairs.");
        await Page.Locator("[data-testid=activity-save]").ClickAsync();
        var entry = Page.Locator("[data-testid=timeline-entry]");
        await Expect(entry).ToHaveCountAsync(1);
        await Expect(entry).ToContainTextAsync("Wants a loaner");

        // A real PDF is stored; an executable named .pdf gets a clear refusal and leaves nothing.
        var input = Page.Locator("[data-testid=documents] input[type=file]");
        await input.SetInputFilesAsync(new FilePayload { Name = "contract.pdf", MimeType = "application/pdf", Buffer = DocumentContentTests.PdfBytes });
        await Expect(Page.Locator("[data-testid=document-row]")).ToHaveCountAsync(1);
        await Expect(Page.Locator("[data-testid=document-row]")).ToContainTextAsync("contract.pdf");

        await input.SetInputFilesAsync(new FilePayload { Name = "invoice.pdf", MimeType = "application/pdf", Buffer = DocumentContentTests.ExeBytes });
        await Expect(Page.Locator("[data-testid=document-error]")).ToContainTextAsync("program");
        await Expect(Page.Locator("[data-testid=document-row]")).ToHaveCountAsync(1);

        await using (var db = Server.CreateDbContext())
            Assert.Equal(1, await db.Documents.CountAsync(d => d.CustomerId == customerId, ct));
        Assert.Empty(ConsoleErrors);
    }
}
