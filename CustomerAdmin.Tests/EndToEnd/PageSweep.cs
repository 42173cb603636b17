using System.Diagnostics;
using Microsoft.Playwright;

namespace CustomerAdmin.Tests.EndToEnd;

/// <summary>
/// Walks every page of the app (<see cref="PageVisits.Plan"/>) in one browser context, as one user at one window size,
/// and runs a check on each once its data has arrived. The sign-in page is seen signed out; then the sweep signs in
/// through it and opens every other page in turn, pages the role may not open included (the check sees the refusal
/// they get). A failing page does not stop the sweep: every failure is collected, so one run names them all.
/// </summary>
public sealed class PageSweep(SweepServer sweep, Browser browser)
{
    /// <summary>Checks one page; returns what is wrong with it, or null.</summary>
    public delegate Task<string?> PageCheck(IPage page, PageVisit visit);

    // Resolves once the DOM has not changed for quietMs (data loaded, tables rendered), or after maxMs whatever happens.
    private const string SettleScript = """
        ([quietMs, maxMs]) => new Promise(resolve => {
            const start = performance.now();
            let timer;
            const done = () => { observer.disconnect(); clearTimeout(timer); resolve(); };
            const observer = new MutationObserver(() => {
                clearTimeout(timer);
                timer = performance.now() - start > maxMs ? (done(), 0) : setTimeout(done, quietMs);
            });
            observer.observe(document.body, { subtree: true, childList: true, attributes: true, characterData: true });
            timer = setTimeout(done, quietMs);
        })
        """;

    /// <summary>
    /// Visits every page as a new user with <paramref name="role"/> at <paramref name="viewport"/>, in the light theme.
    /// Returns the failures, one entry per page, each starting with the page's address.
    /// </summary>
    /// <param name="screenshotFailures">Photograph each failing page (under <c>artifacts/screenshots/</c>); a check whose
    /// message says it all (axe names the elements) saves the time.</param>
    public async Task<IReadOnlyList<string>> RunAsync(string role, ViewportSize viewport, PageCheck check,
        bool screenshotFailures = true)
    {
        var server = sweep.Server;
        var page = await browser.NewPageAsync(server.BaseUrl, viewport);
        var failures = new List<string>();
        var clock = Stopwatch.StartNew();
        try
        {
            // The theme is remembered in the browser; a sweep starts from the light one whatever a check switched.
            await page.Context.AddInitScriptAsync("localStorage.setItem('customerAdmin.darkMode', '0')");
            var pageErrors = new List<string>();
            page.PageError += (_, error) => pageErrors.Add(error);
            var signedIn = false;
            foreach (var visit in PageVisits.Plan(sweep.Ids))
            {
                if (!visit.SignedOut && !signedIn)
                {
                    await page.SignInAsAsync(server, role);
                    signedIn = true;
                }
                pageErrors.Clear();
                var started = clock.Elapsed;
                string? failure;
                try
                {
                    await OpenAsync(page, visit);
                    // A sweep opens many circuits in a row; one refused by the per-user limit would check the wrong page.
                    failure = await page.GetByTestId("too-many-circuits").CountAsync() > 0
                        ? "the circuit was refused (too many open for the user)"
                        : await check(page, visit);
                    if (pageErrors.Count > 0)
                        failure = (failure is null ? "" : failure + "\n") + "script errors: " + string.Join("; ", pageErrors);
                }
                catch (Exception ex) when (ex is PlaywrightException or TimeoutException)
                {
                    failure = $"could not be checked: {ex.Message.Split('\n')[0]}";
                }
                TestContext.Current.TestOutputHelper?.WriteLine($"{(clock.Elapsed - started).TotalMilliseconds,6:F0} ms  /{visit.Url}");
                if (failure is null)
                    continue;
                failures.Add($"/{visit.Url}: {failure}");
                if (screenshotFailures)
                    await Screenshots.SaveAsync(page, visit.Url.Length == 0 ? "root" : visit.Url);
            }
            TestContext.Current.TestOutputHelper?.WriteLine($"{role} at {viewport.Width}x{viewport.Height}: {clock.Elapsed.TotalSeconds:F1} s");
        }
        finally
        {
            await page.Context.CloseAsync();
        }
        return failures;
    }

    private static readonly HashSet<string> StaticPaths =
        AppRoute.All.Where(r => r.IsStatic).Select(r => r.Template).ToHashSet(StringComparer.OrdinalIgnoreCase);

    private static bool IsStatic(string path) => StaticPaths.Contains(path);

    private static async Task OpenAsync(IPage page, PageVisit visit)
    {
        await page.GotoAsync(visit.Url);
        // A page may answer with a redirect to a static one (the access-denied page for an endpoint the role may not open).
        if (!IsStatic(new Uri(page.Url).AbsolutePath))
            await page.WaitForBlazorAsync();
        await page.EvaluateAsync(SettleScript, new[] { 300, 5000 });
    }
}
