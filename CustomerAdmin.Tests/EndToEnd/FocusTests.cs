using CustomerAdmin.Security;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace CustomerAdmin.Tests.EndToEnd;

/// <summary>
/// Keyboard users see and keep their place: a dialog opened from a button holds the focus while it is open (Tab and
/// Shift+Tab cycle inside it), fits a phone's screen, closes on Esc and gives the focus back to that button; and every
/// tab stop of a page shows a focus ring.
/// </summary>
[Collection(PageSweepCollection.Name)]
public sealed class FocusTests(SweepServer sweep, Browser browser) : EndToEndTest(sweep.Server, browser)
{
    private const string FocusInDialogScript = "() => document.activeElement?.closest('.mud-dialog') !== null";

    // A focus ring: an outline on the element, or on the round button of a (visually hidden) checkbox or switch input,
    // or MudBlazor's thick primary border (or underline) of a focused text field.
    private const string FocusRingScript = """
        () => {
            const el = document.activeElement;
            if (!el || el === document.body) return 'nothing focused';
            const outlined = n => { const s = getComputedStyle(n); return s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0; };
            if (outlined(el)) return null;
            const button = el.parentElement?.closest('.mud-button-root');
            if (el.matches('input[type=checkbox], input[type=radio]') && button && outlined(button)) return null;
            const field = el.closest('.mud-input');
            if (field) {
                const border = field.querySelector('.mud-input-outlined-border');
                if (border && parseFloat(getComputedStyle(border).borderTopWidth) >= 2) return null;
                if (getComputedStyle(field, '::after').transform === 'matrix(1, 0, 0, 1, 0, 0)') return null;
            }
            const name = el.getAttribute('aria-label') || el.innerText?.trim().slice(0, 40) || el.id || el.className;
            return `${el.tagName.toLowerCase()} "${name}" shows no focus ring`;
        }
        """;

    /// <summary>
    /// Whether the focus is in the dialog, or comes back within two seconds: at either end of the dialog a Tab lands on
    /// MudBlazor's focus-trap sentinel, whose handler (on the server, one round trip away) moves it to the other end.
    /// </summary>
    private async Task<bool> FocusReturnsToTheDialogAsync()
    {
        try
        {
            await Page.WaitForFunctionAsync(FocusInDialogScript, null, new() { Timeout = 2000, PollingInterval = 50 });
            return true;
        }
        catch (System.TimeoutException)
        {
            return false;
        }
    }

    [Fact]
    public async Task ADialogOnAPhoneHoldsTheFocusClosesOnEscAndGivesTheFocusBack()
    {
        await Page.SetViewportSizeAsync(PhoneWidthTests.Phone.Width, PhoneWidthTests.Phone.Height);
        await Page.SignInAsAsync(Server, AppRoles.Staff);
        await Page.GotoBlazorAsync($"tickets/{sweep.Ids.Ticket}");
        var edit = Page.GetByTestId("edit-ticket");
        await edit.FocusAsync();
        await Page.Keyboard.PressAsync("Enter");

        var dialog = Page.GetByRole(AriaRole.Dialog);
        await Expect(dialog).ToBeVisibleAsync();
        await Expect(Page.GetByTestId("save-ticket-edit")).ToBeVisibleAsync();
        var box = await Page.Locator(".mud-dialog").BoundingBoxAsync();
        Assert.NotNull(box);
        Assert.True(box.X >= 0 && box.X + box.Width <= PhoneWidthTests.Phone.Width, $"The dialog spans {box.X}..{box.X + box.Width}px of a 390px screen.");
        Assert.True(await Page.EvaluateAsync<bool>("() => document.scrollingElement.scrollWidth <= document.scrollingElement.clientWidth"));
        for (var i = 0; i < 25; i++)
        {
            await Page.Keyboard.PressAsync("Tab");
            Assert.True(await FocusReturnsToTheDialogAsync(), $"Tab {i + 1} left the dialog.");
        }
        for (var i = 0; i < 5; i++)
        {
            await Page.Keyboard.PressAsync("Shift+Tab");
            Assert.True(await FocusReturnsToTheDialogAsync(), $"Shift+Tab {i + 1} left the dialog.");
        }

        await Page.Keyboard.PressAsync("Escape");

        await Expect(dialog).ToBeHiddenAsync();
        await Expect(edit).ToBeFocusedAsync();
        Assert.Empty(ConsoleErrors);
    }

    [Fact]
    public async Task EveryTabStopOfACustomerPageShowsAFocusRing()
    {
        await Page.SignInAsAsync(Server, AppRoles.Manager);
        await Page.GotoBlazorAsync($"customers/{sweep.Ids.Customer}");
        await Expect(Page.GetByTestId("customer-name")).ToBeVisibleAsync();

        var missing = new List<string>();
        for (var i = 0; i < 40; i++)
        {
            await Page.Keyboard.PressAsync("Tab");
            if (await Page.EvaluateAsync<string?>(FocusRingScript) is { } problem && !missing.Contains(problem))
                missing.Add(problem);
        }

        Assert.True(missing.Count == 0, "Tab stops without a visible focus:\n" + string.Join("\n", missing));
    }
}
