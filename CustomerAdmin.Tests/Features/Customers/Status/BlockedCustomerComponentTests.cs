using Bunit;
using CustomerAdmin.Data;
using CustomerAdmin.Features.Customers;
using CustomerAdmin.Features.Customers.Status;
using CustomerAdmin.Features.Events;
using CustomerAdmin.Features.Sales;
using CustomerAdmin.Features.Tickets;
using CustomerAdmin.Security;
using Microsoft.AspNetCore.Components;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CustomerAdmin.Tests.Features.Customers.Status;

/// <summary>
/// What the forms that start new work show of a customer's status: the pickers' chip, the block with its reason (and
/// the override box only for managers), the inactive warning; and the override reaching the operation.
/// </summary>
public sealed class BlockedCustomerComponentTests : AppComponentTest
{
    private static CancellationToken Ct => Xunit.TestContext.Current.CancellationToken;

    private async Task<Customer> CustomerWithStatusAsync(CustomerStatus status, string reason, string first = "Ann", string phone = "+1 212 555 0100")
    {
        var customer = await AddCustomerAsync(first, "Lee", phone);
        await new CustomerStatusOperations(Db.Inner, TimeProvider.System).ChangeAsync(customer.Id, status, reason, "manager@test.local", Ct);
        return customer;
    }

    private static string FieldMessage(IRenderedComponent<Bunit.Rendering.ContainerFragment> cut, string input) =>
        cut.Find(input).Closest(".mud-input-control")!.QuerySelector(".mud-input-helper-text.mud-input-error")?.TextContent.Trim() ?? "";

    private IRenderedComponent<Bunit.Rendering.ContainerFragment> NewTicketFor(Customer customer)
    {
        Services.GetRequiredService<NavigationManager>().NavigateTo($"/tickets/new?customer={customer.Id}");
        var cut = RenderPage<TicketNew>();
        cut.WaitForAssertion(() => Assert.StartsWith("Ann Lee", cut.Find("input#customer-picker").GetAttribute("value")));
        cut.Find("#ticket-problem").Change("Cracked screen");
        cut.Find("#ticket-item").Change("Phone");
        return cut;
    }

    [Fact]
    public async Task StaffSeeTheBlockAndTheirTicketIsRefusedAtTheCustomer()
    {
        var ann = await CustomerWithStatusAsync(CustomerStatus.Blocked, "Unpaid repairs");
        var cut = NewTicketFor(ann);

        cut.WaitForAssertion(() =>
        {
            var notice = cut.Find("[data-testid=customer-blocked]").TextContent;
            Assert.Contains("Ann Lee is blocked (Unpaid repairs; manager@test.local,", notice);
            Assert.Contains("A manager can override the block.", notice);
        });
        Assert.Empty(cut.FindAll("#block-override-reason"));
        cut.Find("[data-testid=save-ticket]").Click();

        cut.WaitForAssertion(() => Assert.StartsWith("Ann Lee is blocked (Unpaid repairs): a ticket needs a manager's override",
            FieldMessage(cut, "input#customer-picker")));
        await using var db = await Db.Inner.CreateDbContextAsync(Ct);
        Assert.False(await db.Tickets.AnyAsync(Ct));
    }

    [Fact]
    public async Task AManagerOverridesTheBlockWithAReasonAndTheTicketOpens()
    {
        SignInAs(AppRoles.Manager);
        var ann = await CustomerWithStatusAsync(CustomerStatus.Blocked, "Unpaid repairs");
        var cut = NewTicketFor(ann);

        cut.WaitForAssertion(() => cut.Find("#block-override-reason").Input("Paid at the counter"));
        cut.Find("[data-testid=save-ticket]").Click();

        cut.WaitForAssertion(() => Assert.Matches("/tickets/[0-9]+$", Services.GetRequiredService<NavigationManager>().Uri));
        await using var db = await Db.Inner.CreateDbContextAsync(Ct);
        Assert.Equal(ann.Id, (await db.Tickets.SingleAsync(Ct)).CustomerId);
        var entry = await db.Activities.SingleAsync(a => a.Kind == ActivityKind.BlockOverridden, Ct);
        Assert.Equal(("Block overridden for a ticket", "Paid at the counter"), (entry.Subject, entry.Body));
    }

    [Fact]
    public async Task ASaleToAnInactiveCustomerWarnsAndGoesThrough()
    {
        var ann = await CustomerWithStatusAsync(CustomerStatus.Inactive, "Moved away");
        Services.GetRequiredService<NavigationManager>().NavigateTo($"/sales/new?customer={ann.Id}");
        var cut = RenderPage<SaleNew>();

        cut.WaitForAssertion(() => Assert.Contains("Ann Lee is inactive (Moved away;", cut.Find("[data-testid=customer-inactive]").TextContent));
        cut.Find("#line-0-description").Change("Cable");
        cut.Find("#line-0-price").Change("5");
        cut.Find("[data-testid=save-sale]").Click();

        cut.WaitForAssertion(() => Assert.Matches("/sales/[0-9]+$", Services.GetRequiredService<NavigationManager>().Uri));
    }

    [Fact]
    public async Task TheBookingDialogShowsTheBlockOfThePickedCustomerAndRefusesAtThePicker()
    {
        await CustomerWithStatusAsync(CustomerStatus.Blocked, "Unpaid repairs");
        var ev = await Data.EventAsync("Jazz night", DateTime.UtcNow.AddDays(10), 10);
        var cut = RenderPage<EventDetail>(ev.Id);

        cut.WaitForAssertion(() => cut.Find("[data-testid=add-booking]").Click());
        cut.WaitForAssertion(() => cut.Find("input#booking-customer").Input("lee"));
        cut.WaitForAssertion(() =>
        {
            var suggestion = Assert.Single(cut.FindAll("[data-testid=picker-suggestion]"));
            Assert.Equal("Blocked", suggestion.QuerySelector("[data-testid=customer-status]")!.TextContent.Trim());
        });
        cut.Find("[data-testid=picker-suggestion]").Closest(".mud-list-item")!.Click();
        cut.WaitForAssertion(() => Assert.Contains("Ann Lee is blocked (Unpaid repairs;", cut.Find("[data-testid=customer-blocked]").TextContent));
        cut.Find("form#booking-form").Submit();

        cut.WaitForAssertion(() => Assert.Contains("a booking for Jazz night needs a manager's override", FieldMessage(cut, "input#booking-customer")));
        await using var db = await Db.Inner.CreateDbContextAsync(Ct);
        Assert.False(await db.Bookings.AnyAsync(b => b.EventId == ev.Id, Ct));
    }

    [Fact]
    public async Task ThePickerAndTheAppBarSearchShowTheStatusNextToTheName()
    {
        await CustomerWithStatusAsync(CustomerStatus.Blocked, "Unpaid", "Ann", "+1 212 555 0100");
        await CustomerWithStatusAsync(CustomerStatus.Inactive, "Away", "Anna", "+1 212 555 0101");
        await AddCustomerAsync("Annie", "Lee", "+1 212 555 0102");
        var cut = RenderPage<TicketNew>();

        cut.Find("input#customer-picker").Input("lee");

        cut.WaitForAssertion(() =>
        {
            var rows = cut.FindAll("[data-testid=picker-suggestion]")
                .ToDictionary(r => r.QuerySelector("b")!.TextContent, r => r.QuerySelector("[data-testid=customer-status]")?.TextContent.Trim());
            Assert.Equal(new Dictionary<string, string?> { ["Ann Lee"] = "Blocked", ["Anna Lee"] = "Inactive", ["Annie Lee"] = null }, rows);
        });
    }

    [Fact]
    public async Task TheAppBarSearchShowsTheStatusNextToTheName()
    {
        await CustomerWithStatusAsync(CustomerStatus.Blocked, "Unpaid", "Ann", "+1 212 555 0100");
        await AddCustomerAsync("Annie", "Lee", "+1 212 555 0102");
        var cut = RenderWithPopovers<CustomerAdmin.Features.Customers.Search.GlobalSearch>();

        cut.Find("#global-search").Input("lee");

        cut.WaitForAssertion(() =>
        {
            var rows = cut.FindAll("[data-testid=suggestion]")
                .ToDictionary(r => r.QuerySelector("b")!.TextContent, r => r.QuerySelector("[data-testid=customer-status]")?.TextContent.Trim());
            Assert.Equal(new Dictionary<string, string?> { ["Ann Lee"] = "Blocked", ["Annie Lee"] = null }, rows);
        });
    }
}
