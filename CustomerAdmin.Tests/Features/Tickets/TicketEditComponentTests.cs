using Bunit;
using CustomerAdmin.Data;
using CustomerAdmin.Features.Tickets;
using Microsoft.AspNetCore.Components;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CustomerAdmin.Tests.Features.Tickets;

/// <summary>Correcting a ticket and a piece of equipment after they were created, from their pages.</summary>
public sealed class TicketEditComponentTests : AppComponentTest
{

    [Fact]
    public async Task EditingATicketSavesItsNewDetailsAndShowsThem()
    {
        var ann = await AddCustomerAsync("Ann", "Lee", "+1 212 555 0100");
        var ticket = await Data.TicketAsync(ann.Id, with: d => { d.Problem = "Cracked"; d.QuotedAmount = 80m; });
        var cut = RenderPage<TicketDetail>(ticket.Id);

        cut.WaitForElement("[data-testid=edit-ticket]").Click();
        cut.WaitForElement("#ticket-problem").Change("Cracked screen and no sound");
        cut.Find("#ticket-item").Change("Phone X");
        cut.Find("#ticket-quote").Change("95.50");
        cut.Find("[data-testid=save-ticket-edit]").Click();

        cut.WaitForAssertion(() =>
        {
            Assert.Contains("Cracked screen and no sound", cut.Markup);
            Assert.Contains("$95.50", cut.Markup);
            Assert.Empty(cut.FindAll("[data-testid=save-ticket-edit]"));
        });
        await using var db = await Db.Inner.CreateDbContextAsync(Xunit.TestContext.Current.CancellationToken);
        var saved = await db.Tickets.SingleAsync(Xunit.TestContext.Current.CancellationToken);
        Assert.Equal(("Phone X", "Cracked screen and no sound", 95.50m, ticket.Version + 1), (saved.Item, saved.Problem, saved.QuotedAmount, saved.Version));
    }

    /// <summary>The message under the input, as the user sees it at the field.</summary>
    private static string FieldMessage(IRenderedComponent<Bunit.Rendering.ContainerFragment> cut, string input) =>
        cut.Find(input).Closest(".mud-input-control")!.QuerySelector(".mud-input-helper-text.mud-input-error")?.TextContent.Trim() ?? "";

    [Fact]
    public async Task NewTicketShowsEachRefusalAtItsFieldTheOperationsOwnRulesToo()
    {
        var ann = await AddCustomerAsync("Ann", "Lee", "+1 212 555 0100");
        Services.GetRequiredService<NavigationManager>().NavigateTo($"/tickets/new?customer={ann.Id}");
        var cut = RenderPage<TicketNew>();
        cut.WaitForAssertion(() => Assert.StartsWith("Ann Lee", cut.Find("input#customer-picker").GetAttribute("value")));

        cut.Find("#ticket-quote").Change("-5");
        cut.Find("[data-testid=save-ticket]").Click();

        cut.WaitForAssertion(() =>
        {
            Assert.Equal("The quoted amount cannot be negative.", FieldMessage(cut, "#ticket-quote"));
            Assert.Equal("Describe the problem.", FieldMessage(cut, "#ticket-problem"));
            Assert.StartsWith("Say what was brought in", FieldMessage(cut, "#ticket-item"));
        });
        Assert.Empty(cut.FindAll("[data-testid=ticket-error]"));

        // Typing in a field clears its message; the operation's own rule (the customer was deleted meanwhile) shows at
        // the customer field.
        cut.Find("#ticket-quote").Change("20");
        cut.Find("#ticket-problem").Change("Cracked screen");
        cut.Find("#ticket-item").Change("Phone");
        cut.WaitForAssertion(() => Assert.Equal("", FieldMessage(cut, "#ticket-quote")));
        await using (var db = await Db.Inner.CreateDbContextAsync(Xunit.TestContext.Current.CancellationToken))
        {
            var stored = await db.Customers.SingleAsync(c => c.Id == ann.Id, Xunit.TestContext.Current.CancellationToken);
            stored.Status = CustomerStatus.Deleted;
            await db.SaveChangesAsync(Xunit.TestContext.Current.CancellationToken);
        }
        cut.Find("[data-testid=save-ticket]").Click();

        cut.WaitForAssertion(() => Assert.StartsWith("This customer has been deleted", FieldMessage(cut, "input#customer-picker")));
        Assert.Empty(cut.FindAll("[data-testid=ticket-error]"));
        await using var check = await Db.Inner.CreateDbContextAsync(Xunit.TestContext.Current.CancellationToken);
        Assert.False(await check.Tickets.AnyAsync(Xunit.TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task ClosingWithATypedNegativeAmountSaysSoInsteadOfClosingAtZero()
    {
        var ann = await AddCustomerAsync("Ann", "Lee", "+1 212 555 0100");
        var ticket = await Data.TicketAsync(ann.Id, with: d => { d.Problem = "Cracked"; d.QuotedAmount = 80m; });
        var cut = RenderPage<TicketDetail>(ticket.Id);

        cut.WaitForElement("[data-testid=move-closed]").Click();
        cut.WaitForElement("#final-amount-input").Change("-5");
        cut.Find("[data-testid=confirm-close]").Click();

        cut.WaitForAssertion(() => Assert.Contains("cannot be negative", cut.Markup));
        await using var db = await Db.Inner.CreateDbContextAsync(Xunit.TestContext.Current.CancellationToken);
        var saved = await db.Tickets.SingleAsync(Xunit.TestContext.Current.CancellationToken);
        Assert.Equal((TicketStatus.Open, (decimal?)null), (saved.Status, saved.FinalAmount));
    }

    [Fact]
    public async Task EditingATicketSomeoneElseChangedKeepsWhatWasTypedAndSaysSo()
    {
        var ann = await AddCustomerAsync("Ann", "Lee", "+1 212 555 0100");
        var ticket = await Data.TicketAsync(ann.Id, with: d => { d.Problem = "Cracked"; d.QuotedAmount = 80m; });
        var cut = RenderPage<TicketDetail>(ticket.Id);
        cut.WaitForElement("[data-testid=edit-ticket]").Click();
        cut.WaitForElement("#ticket-problem").Change("Mine");
        await TicketOperations.ChangeStatusAsync(Db.Inner, ticket.Id, ticket.Version, TicketStatus.InProgress, null, TimeProvider.System, "someone", Xunit.TestContext.Current.CancellationToken);

        cut.Find("[data-testid=save-ticket-edit]").Click();

        cut.WaitForAssertion(() => Assert.Contains("Someone else changed this ticket", cut.Find("[data-testid=ticket-edit-conflict]").TextContent));
        Assert.Equal("Mine", cut.Find("#ticket-problem").GetAttribute("value"));
        await using (var db = await Db.Inner.CreateDbContextAsync(Xunit.TestContext.Current.CancellationToken))
            Assert.Equal("Cracked", (await db.Tickets.SingleAsync(Xunit.TestContext.Current.CancellationToken)).Problem);

        cut.Find("[data-testid=ticket-edit-keep-mine]").Click();
        cut.Find("[data-testid=save-ticket-edit]").Click();
        cut.WaitForAssertion(() => Assert.Empty(cut.FindAll("[data-testid=save-ticket-edit]")));
        await using var after = await Db.Inner.CreateDbContextAsync(Xunit.TestContext.Current.CancellationToken);
        var saved = await after.Tickets.SingleAsync(Xunit.TestContext.Current.CancellationToken);
        Assert.Equal(("Mine", TicketStatus.InProgress), (saved.Problem, saved.Status));
    }

    [Fact]
    public async Task EditingEquipmentUpdatesItsPageAndRefusesABlankType()
    {
        var ann = await AddCustomerAsync("Ann", "Lee", "+1 212 555 0100");
        var laptop = await EquipmentOperations.CreateAsync(Db.Inner, ann.Id, new() { Type = "Laptop", SerialNumber = "A-1" }, TimeProvider.System, Xunit.TestContext.Current.CancellationToken);
        var cut = RenderPage<EquipmentDetail>(laptop.Id);

        cut.WaitForElement("[data-testid=edit-equipment]").Click();
        cut.WaitForElement("#equipment-type").Change(" ");
        // bUnit does not submit a form through a button outside it (form="equipment-form"), as the browser does.
        cut.Find("form#equipment-form").Submit();
        cut.WaitForAssertion(() => Assert.Contains("Enter the type", cut.Markup));

        cut.Find("#equipment-type").Change("Notebook");
        cut.Find("#equipment-make").Change("Dell");
        cut.Find("#equipment-serial").Change("b-2");
        cut.Find("form#equipment-form").Submit();

        cut.WaitForAssertion(() =>
        {
            Assert.Equal("Notebook: Dell", cut.Find("[data-testid=equipment-label]").TextContent);
            Assert.Contains("S/N b-2", cut.Find("[data-testid=equipment-serial]").TextContent);
        });
        await using var db = await Db.Inner.CreateDbContextAsync(Xunit.TestContext.Current.CancellationToken);
        var saved = await db.Equipment.SingleAsync(Xunit.TestContext.Current.CancellationToken);
        Assert.Equal(("Notebook", "Dell", "B2", ann.Id), (saved.Type, saved.Make, saved.SerialKey, saved.CustomerId));
    }
}
