using Bunit;
using CustomerAdmin.Components.Shortcuts;
using CustomerAdmin.Data;
using CustomerAdmin.Features.Customers;
using CustomerAdmin.Features.Events;
using CustomerAdmin.Features.Organizations;
using CustomerAdmin.Features.Sales;
using CustomerAdmin.Features.Tickets;
using CustomerAdmin.Security;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;

namespace CustomerAdmin.Tests.Components.Shortcuts;

/// <summary>
/// The shortcuts' circuit side: what each page declares for <c>n</c> and <c>e</c>, what a command from app.js does, and
/// what the help overlay lists. The keys themselves (and "not while typing") are app.js's: <c>KeyboardJourneyTests</c>.
/// </summary>
public sealed class KeyboardShortcutsComponentTests : AppComponentTest
{
    private KeyboardShortcuts Shortcuts => Services.GetRequiredService<KeyboardShortcuts>();

    private string Path => new Uri(Services.GetRequiredService<NavigationManager>().Uri).PathAndQuery;

    private async Task<IReadOnlyList<Customer>> AddCustomersAsync(int count)
    {
        var customers = new List<Customer>();
        for (var i = 0; i < count; i++)
            customers.Add(await Data.CustomerAsync("Guest", $"No{i:000}", $"+1212555{i:0000}"));
        return customers;
    }

    /// <summary>Runs a command as app.js does, on the renderer's thread, without waiting for an overlay to close.</summary>
    private void Press(IRenderedComponent<Bunit.Rendering.ContainerFragment> cut, string command) =>
        _ = cut.InvokeAsync(() => Shortcuts.RunAsync(command));

    private static string[] Rows(IRenderedComponent<Bunit.Rendering.ContainerFragment> cut, string testId) =>
        cut.FindAll($"[data-testid=shortcuts] [data-testid={testId}]")
            .Select(r => string.Join(" ", r.TextContent.Split((char[])[' ', '\n', '\r'], StringSplitOptions.RemoveEmptyEntries)))
            .ToArray();

    public static TheoryData<Type, string> ListsWithANewAction() => new()
    {
        { typeof(CustomerList), "/customers/new" },
        { typeof(TicketList), "/tickets/new" },
        { typeof(EventList), "/events/new" },
        { typeof(SaleList), "/sales/new" },
        { typeof(OrganizationList), "/organizations/new" },
    };

    [Theory]
    [MemberData(nameof(ListsWithANewAction))]
    public async Task NOnAListOpensItsNewForm(Type page, string expected)
    {
        await AddCustomersAsync(3);
        var cut = Render(b =>
        {
            b.OpenComponent<MudBlazor.MudPopoverProvider>(0);
            b.CloseComponent();
            b.OpenComponent(1, page);
            b.CloseComponent();
        });
        cut.WaitForAssertion(() => Assert.NotNull(Shortcuts.NewTarget));

        await cut.InvokeAsync(() => Shortcuts.RunAsync("new"));

        Assert.Equal(expected, Path);
    }

    [Fact]
    public async Task HelpListsWhatWorksOnThisPageForThisUserAndIsALabelledDialog()
    {
        await AddCustomersAsync(200);
        var cut = RenderPage<CustomerList>();
        cut.WaitForAssertion(() => Assert.NotNull(Shortcuts.NewTarget));

        Press(cut, "help");

        cut.WaitForAssertion(() => Assert.NotEmpty(cut.FindAll("[data-testid=shortcuts]")));
        var dialog = cut.Find("[role=dialog]");
        Assert.Equal("true", dialog.GetAttribute("aria-modal"));
        var title = cut.Find($"#{dialog.GetAttribute("aria-labelledby")}");
        Assert.Equal("Keyboard shortcuts", title.TextContent.Trim());
        Assert.Equal(["n New customer"], Rows(cut, "shortcut-on-page"));
        var everywhere = Rows(cut, "shortcut");
        Assert.Contains("g then c Go to customers", everywhere);
        Assert.Contains("g then t Go to tickets", everywhere);
        Assert.Contains("g then e Go to events", everywhere);
        Assert.Contains("/ Search customers", everywhere);
        Assert.Contains("Esc Close a dialog or this help", everywhere);
        // Staff may not open the dashboard, so its shortcut is not offered.
        Assert.DoesNotContain(everywhere, r => r.Contains("dashboard", StringComparison.Ordinal));

        cut.Find("[data-testid=close-shortcuts]").Click();
        cut.WaitForAssertion(() => Assert.Empty(cut.FindAll("[data-testid=shortcuts]")));
        JSInterop.VerifyInvoke("customerAdmin.shortcuts.restoreFocus");
    }

    [Fact]
    public async Task GThenDGoesToTheDashboardOnlyForThoseWhoMayOpenIt()
    {
        var cut = RenderPage<TicketList>();
        cut.WaitForAssertion(() => Assert.NotNull(Shortcuts.NewTarget));

        await cut.InvokeAsync(() => Shortcuts.RunAsync("go:d"));
        Assert.Equal("/", Path);
        await cut.InvokeAsync(() => Shortcuts.RunAsync("go:t"));
        Assert.Equal("/tickets", Path);

        SignInAs(AppRoles.Manager);
        await cut.InvokeAsync(() => Shortcuts.RunAsync("go:d"));
        Assert.Equal("/dashboard", Path);
        Press(cut, "help");
        cut.WaitForAssertion(() => Assert.Contains("g then d Go to dashboard", Rows(cut, "shortcut")));
    }

    [Fact]
    public async Task EOnACustomerPageOpensItsEditFormUnlessTheCustomerIsDeleted()
    {
        var customers = await AddCustomersAsync(300);
        var ann = customers[150];
        var cut = RenderPage<CustomerDetail>(ann.Id);
        cut.WaitForAssertion(() => Assert.NotNull(Shortcuts.EditTarget));

        await cut.InvokeAsync(() => Shortcuts.RunAsync("edit"));
        Assert.Equal($"/customers/{ann.Id}/edit", Path);

        await DisposeComponentsAsync();
        Assert.Null(Shortcuts.EditTarget);
        await using (var db = Db.Inner.CreateDbContext())
        {
            var stored = await db.Customers.FindAsync([customers[151].Id], Xunit.TestContext.Current.CancellationToken);
            stored!.Status = CustomerStatus.Deleted;
            await db.SaveChangesAsync(Xunit.TestContext.Current.CancellationToken);
        }
        var deleted = RenderPage<CustomerDetail>(customers[151].Id);
        deleted.WaitForAssertion(() => Assert.Contains("This customer is deleted", deleted.Markup));
        Assert.Null(Shortcuts.EditTarget);
        await deleted.InvokeAsync(() => Shortcuts.RunAsync("edit"));
        Assert.Equal($"/customers/{ann.Id}/edit", Path);
    }

    [Fact]
    public async Task EOnATicketPageOpensItsEditDialog()
    {
        var customers = await AddCustomersAsync(5);
        var ticket = await Data.TicketAsync(customers[2].Id);
        var cut = RenderPage<TicketDetail>(ticket.Id);
        cut.WaitForAssertion(() => Assert.NotNull(Shortcuts.EditTarget));

        Press(cut, "edit");

        cut.WaitForAssertion(() => Assert.Contains($"Edit {ticket.Number}", cut.Find(".mud-dialog").TextContent));
    }

    [Fact]
    public async Task AnEventPageOffersEditOnlyWhileTheEventIsScheduled()
    {
        var now = DateTime.UtcNow;
        var scheduled = await Data.EventAsync("Jazz night", now.AddDays(10), 50);
        var cancelled = await Data.EventAsync("Blues night", now.AddDays(11), 50, e => { e.Status = EventStatus.Cancelled; e.CancelledAt = now; });

        var open = RenderPage<EventDetail>(scheduled.Id);
        open.WaitForAssertion(() => Assert.NotNull(Shortcuts.EditTarget));
        await open.InvokeAsync(() => Shortcuts.RunAsync("edit"));
        Assert.Equal($"/events/{scheduled.Id}/edit", Path);

        await DisposeComponentsAsync();
        var closed = RenderPage<EventDetail>(cancelled.Id);
        closed.WaitForAssertion(() => Assert.Single(closed.FindAll("[data-testid=event-cancelled]")));
        Assert.Null(Shortcuts.EditTarget);
    }
}
