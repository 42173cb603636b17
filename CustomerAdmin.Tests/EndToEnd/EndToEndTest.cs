using Microsoft.Playwright;

namespace CustomerAdmin.Tests.EndToEnd;

/// <summary>
/// Base for browser tests: a fresh <see cref="Page"/> per test against the class's <see cref="AppServer"/>,
/// a screenshot when the test fails, and the browser console errors seen so far.
/// <code>
/// public sealed class CustomerListTests(AppServer server, Browser browser)
///     : EndToEndTest(server, browser), IClassFixture&lt;AppServer&gt;
/// {
///     [Fact]
///     public async Task ...()
///     {
///         await Page.GotoBlazorAsync("customers");
///         await Page.GetByLabel("Search").FillAsync("Smith");
///     }
/// }
/// </code>
/// </summary>
public abstract class EndToEndTest(AppServer server, Browser browser) : IAsyncLifetime
{
    private readonly List<string> _consoleErrors = [];
    private IPage? _page;

    protected AppServer Server { get; } = server;

    /// <summary>For a second page (another user signed in next to the first).</summary>
    protected Browser Browser { get; } = browser;

    /// <summary>Relative URLs (<c>"customers/42"</c>) resolve against the server's base URL.</summary>
    protected IPage Page => _page ?? throw new InvalidOperationException("The page is created in InitializeAsync.");

    /// <summary>Console errors and uncaught exceptions in the page, e.g. a failed circuit or a missing script.</summary>
    protected IReadOnlyList<string> ConsoleErrors => _consoleErrors;

    public virtual async ValueTask InitializeAsync()
    {
        _page = await Browser.NewPageAsync(Server.BaseUrl);
        _page.Console += (_, message) =>
        {
            if (message.Type == "error")
                _consoleErrors.Add(message.Text);
        };
        _page.PageError += (_, error) => _consoleErrors.Add(error);
    }

    /// <summary>Saves a full-page screenshot under <c>artifacts/screenshots/</c> and returns its path.</summary>
    protected Task<string> ScreenshotAsync(string? name = null) => Screenshots.SaveAsync(Page, name);

    public virtual async ValueTask DisposeAsync()
    {
        if (_page is null)
            return;
        // xunit sets the result before it disposes the test class, so a failure can still be photographed.
        if (TestContext.Current.TestState?.Result == TestResult.Failed)
            await Screenshots.SaveAsync(_page, "failed");
        await _page.Context.CloseAsync();
        GC.SuppressFinalize(this);
    }
}
