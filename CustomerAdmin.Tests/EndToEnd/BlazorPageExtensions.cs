using Microsoft.Playwright;

namespace CustomerAdmin.Tests.EndToEnd;

/// <summary>
/// Navigation that waits for Blazor's interactive circuit. Every page is prerendered: the HTML arrives and
/// looks complete before the circuit has connected, and a click or keystroke on it in that window is silently
/// lost. <c>Routes.razor</c> renders <c>&lt;div hidden data-interactive="false"&gt;</c> while prerendering and
/// flips it to <c>"true"</c> in the first interactive render, when event handlers are attached.
/// </summary>
/// <remarks>
/// Use <see cref="GotoBlazorAsync"/> for every full page load (a new document means a new circuit), then
/// drive the page with Playwright locators, which wait for elements on their own. Navigation by clicking a
/// link inside the app keeps the circuit, so no further wait is needed; assert on the new page's content.
/// Call <see cref="WaitForBlazorAsync"/> after anything else that reloads the document (<c>ReloadAsync</c>,
/// a <c>forceLoad</c> navigation). Static server-rendered pages (no interactive render mode) never turn
/// interactive: load those with plain <c>GotoAsync</c>.
/// </remarks>
public static class BlazorPageExtensions
{
    public const string InteractiveSelector = "[data-interactive='true']";

    /// <summary>
    /// Loads <paramref name="url"/> (relative to the context's base URL) and waits until the page is
    /// interactive. Returns the document response, so callers can check its status code.
    /// </summary>
    public static async Task<IResponse?> GotoBlazorAsync(this IPage page, string url, float? timeoutMs = null)
    {
        var response = await page.GotoAsync(url);
        await page.WaitForBlazorAsync(timeoutMs);
        return response;
    }

    /// <summary>Waits until the current document's circuit has connected and rendered.</summary>
    public static async Task WaitForBlazorAsync(this IPage page, float? timeoutMs = null)
    {
        try
        {
            await page.Locator(InteractiveSelector).WaitForAsync(new()
            {
                State = WaitForSelectorState.Attached,
                Timeout = timeoutMs,
            });
        }
        catch (TimeoutException ex)
        {
            throw new TimeoutException(
                $"{page.Url} did not become interactive: no {InteractiveSelector} element appeared. Either the " +
                "circuit failed to connect (check the browser console and the server log for errors) or the page " +
                "is statically rendered and should be loaded with GotoAsync.", ex);
        }
    }
}
