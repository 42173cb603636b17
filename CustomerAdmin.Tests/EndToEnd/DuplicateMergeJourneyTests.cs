using System.Text.RegularExpressions;
using CustomerAdmin.Data;
using CustomerAdmin.Features.Tickets;
using CustomerAdmin.Security;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static Microsoft.Playwright.Assertions;

namespace CustomerAdmin.Tests.EndToEnd;

/// <summary>
/// The duplicates journey a manager makes: find a pair in the queue, merge it keeping one value from the other record,
/// see the other record's ticket on the survivor, and undo the merge from the survivor's history.
/// </summary>
public sealed class DuplicateMergeJourneyTests(AppServer server, Browser browser)
    : EndToEndTest(server, browser), IClassFixture<AppServer>
{
    [Fact]
    public async Task AManagerMergesAPairFromTheQueueTakingOneFieldFromTheOtherRecordAndUndoesIt()
    {
        var ct = TestContext.Current.CancellationToken;
        var factory = Server.Services.GetRequiredService<IDbContextFactory<AppDbContext>>();
        Customer robert, bob;
        await using (var db = Server.CreateDbContext())
        {
            robert = TestCustomers.Individual("Robert", "Smithson", "+14155550201", "robert@old.example");
            bob = TestCustomers.Individual("Bob", "Smithson", "+14155550202", "bob@new.example");
            db.Customers.AddRange(robert, bob);
            await db.SaveChangesAsync(ct);
        }
        await TicketOperations.CreateAsync(factory, new TicketDraft { CustomerId = robert.Id, Item = "Radio", Problem = "Hum" }, TimeProvider.System, ct: ct);
        await TicketOperations.CreateAsync(factory, new TicketDraft { CustomerId = robert.Id, Item = "Radio", Problem = "Crackle" }, TimeProvider.System, ct: ct);
        var moved = await TicketOperations.CreateAsync(factory, new TicketDraft { CustomerId = bob.Id, Item = "Amplifier", Problem = "No sound" }, TimeProvider.System, ct: ct);
        await using (var db = Server.CreateDbContext())
        {
            // The duplicate check has found the two already (a nickname and the same surname); the journey's pair
            // replaces it so its reasons are known.
            await db.DuplicatePairs.Where(p => p.CustomerAId == robert.Id && p.CustomerBId == bob.Id).ExecuteDeleteAsync(ct);
            db.DuplicatePairs.Add(new DuplicatePair
            {
                CustomerAId = robert.Id, CustomerBId = bob.Id, Score = 14.2, Level = DuplicateLevel.Likely, Reasons = "same last name; nicknames (Bob = Robert)",
                Signature = "journey", FoundAt = DateTime.UtcNow, UpdatedAt = DateTime.UtcNow, Version = 1,
            });
            await db.SaveChangesAsync(ct);
        }
        await Page.SignInAsAsync(Server, AppRoles.Manager);

        await Page.GotoBlazorAsync("duplicates?reason=" + Uri.EscapeDataString("nicknames (Bob = Robert)"));
        var row = Page.GetByTestId("pairs").Locator("tbody tr").Filter(new() { HasText = "Bob Smithson" });
        await Expect(row).ToContainTextAsync("Robert Smithson");
        await row.ClickAsync();
        await Expect(Page.GetByTestId("side-by-side")).ToContainTextAsync("bob@new.example");
        await Page.GetByTestId("merge").ClickAsync();
        await Expect(Page.GetByTestId("confirm-merge")).ToContainTextAsync($"Merge into #{robert.Id}");
        await Page.GetByTestId($"keep-Email-{bob.Id}").ClickAsync();
        await ScreenshotAsync("merge-dialog");
        await Page.GetByTestId("confirm-merge").ClickAsync();

        await Expect(Page).ToHaveURLAsync(new Regex($@"/customers/{robert.Id}$"));
        await Expect(Page.GetByTestId("customer-name")).ToHaveTextAsync("Robert Smithson");
        await Expect(Page.GetByRole(Microsoft.Playwright.AriaRole.Link, new() { Name = moved.Number, Exact = true })).ToBeVisibleAsync();
        await Expect(Page.GetByText("bob@new.example")).ToBeVisibleAsync();

        // The merged record's address leads to the survivor.
        await Page.GotoBlazorAsync($"customers/{bob.Id}");
        await Expect(Page).ToHaveURLAsync(new Regex($@"/customers/{robert.Id}$"));

        await Page.GotoBlazorAsync($"customers/{robert.Id}/history");
        await Page.Locator("[data-testid^=undo-merge-]").ClickAsync();
        await Page.Locator(".mud-dialog").GetByRole(Microsoft.Playwright.AriaRole.Button, new() { Name = "Undo merge" }).ClickAsync();
        await Expect(Page.GetByTestId("merges")).ToContainTextAsync("undone");

        await Page.GotoBlazorAsync($"customers/{bob.Id}");
        await Expect(Page.GetByTestId("customer-name")).ToHaveTextAsync("Bob Smithson");
        await Expect(Page.GetByRole(Microsoft.Playwright.AriaRole.Link, new() { Name = moved.Number, Exact = true })).ToBeVisibleAsync();
        Assert.Empty(ConsoleErrors);
    }
}
