using CustomerAdmin.Security;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.JSInterop;
using MudBlazor;

namespace CustomerAdmin.Components.Shortcuts;

/// <summary>
/// The keyboard shortcuts of one circuit. <c>wwwroot/app.js</c> listens to the keys (it alone knows whether the user is
/// typing in a field) and sends a command here through <see cref="RunAsync"/>; this side knows the user's rights and what
/// the current page declared with <see cref="PageShortcuts"/>, and carries the command out or ignores it.
/// </summary>
public sealed class KeyboardShortcuts(NavigationManager nav, IDialogService dialogs, IJSRuntime js,
    AuthenticationStateProvider authenticationState, IAuthorizationService authorization)
{
    /// <summary>The <c>g</c> then letter destinations, each shown and followed only for users who may open the page.</summary>
    public static IReadOnlyList<Destination> Destinations { get; } =
    [
        new("c", "/customers", "Customers", Permissions.CustomersRead),
        new("t", "/tickets", "Tickets", Permissions.CustomersRead),
        new("e", "/events", "Events", Permissions.CustomersRead),
        new("d", "/dashboard", "Dashboard", Permissions.ReportsView),
    ];

    // Several declarations can be on screen at once (a page and a section of it); the latest one of each kind wins.
    private readonly List<PageShortcuts> _pages = [];
    private bool _helpOpen;

    public PageShortcuts? NewTarget => _pages.LastOrDefault(p => p.New is not null);

    public PageShortcuts? EditTarget => _pages.LastOrDefault(p => p.Edit is not null || p.OnEdit.HasDelegate);

    internal void Declare(PageShortcuts page)
    {
        if (!_pages.Contains(page)) _pages.Add(page);
    }

    internal void Withdraw(PageShortcuts page) => _pages.Remove(page);

    /// <summary>A command from app.js: <c>help</c>, <c>new</c>, <c>edit</c> or <c>go:</c> and a destination's key.</summary>
    [JSInvokable]
    public async Task RunAsync(string command)
    {
        if (_helpOpen) return;
        if (command == "help")
        {
            await ShowHelpAsync();
        }
        else if (command == "new" && NewTarget?.New is { } newUrl)
        {
            nav.NavigateTo(newUrl);
        }
        else if (command == "edit" && EditTarget is { } page)
        {
            if (page.Edit is { } editUrl) nav.NavigateTo(editUrl);
            else await page.OnEdit.InvokeAsync();
        }
        else if (command.StartsWith("go:", StringComparison.Ordinal)
                 && Destinations.FirstOrDefault(d => d.Key == command[3..]) is { } destination
                 && await AllowsAsync(destination.Permission))
        {
            nav.NavigateTo(destination.Url);
        }
    }

    /// <summary>The shortcuts that do something here, for this user: what the help overlay lists.</summary>
    public async Task<IReadOnlyList<Shortcut>> AvailableAsync()
    {
        var list = new List<Shortcut>
        {
            new(["?"], "Show these shortcuts"),
            new(["/"], "Search customers"),
        };
        foreach (var destination in Destinations)
        {
            if (await AllowsAsync(destination.Permission))
                list.Add(new(["g", destination.Key], $"Go to {destination.Name.ToLowerInvariant()}"));
        }
        if (NewTarget is { } create) list.Add(new(["n"], create.NewLabel, OnThisPage: true));
        if (EditTarget is { } edit) list.Add(new(["e"], edit.EditLabel, OnThisPage: true));
        list.Add(new(["Esc"], "Close a dialog or this help"));
        return list;
    }

    /// <summary>Opens the help overlay (from <c>?</c> or the menu entry) and gives focus back where it was when it closes.</summary>
    public async Task ShowHelpAsync()
    {
        if (_helpOpen) return;
        _helpOpen = true;
        try
        {
            await js.InvokeVoidAsync("customerAdmin.shortcuts.rememberFocus");
            var parameters = new DialogParameters<ShortcutsHelp> { { h => h.Shortcuts, await AvailableAsync() } };
            var options = new DialogOptions { CloseOnEscapeKey = true, CloseButton = true, MaxWidth = MaxWidth.ExtraSmall, FullWidth = true };
            var dialog = await dialogs.ShowAsync<ShortcutsHelp>("Keyboard shortcuts", parameters, options);
            await js.InvokeVoidAsync("customerAdmin.shortcuts.focusHelp");
            await dialog.Result;
            await js.InvokeVoidAsync("customerAdmin.shortcuts.restoreFocus");
        }
        catch (JSDisconnectedException)
        {
            // The circuit is gone; there is no page left to put focus on.
        }
        finally
        {
            _helpOpen = false;
        }
    }

    private async Task<bool> AllowsAsync(string permission)
    {
        var user = (await authenticationState.GetAuthenticationStateAsync()).User;
        return (await authorization.AuthorizeAsync(user, permission)).Succeeded;
    }

    public sealed record Destination(string Key, string Url, string Name, string Permission);

    /// <param name="Keys">Pressed one after the other.</param>
    /// <param name="OnThisPage">Declared by the current page rather than available everywhere.</param>
    public sealed record Shortcut(IReadOnlyList<string> Keys, string Description, bool OnThisPage = false);
}
