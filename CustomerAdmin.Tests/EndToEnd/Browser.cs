using Microsoft.Playwright;

[assembly: AssemblyFixture(typeof(CustomerAdmin.Tests.EndToEnd.Browser))]

namespace CustomerAdmin.Tests.EndToEnd;

/// <summary>
/// One headless Chromium for the whole test run (an assembly fixture); every test gets its own browser
/// context from <see cref="NewPageAsync"/>, so cookies and storage never leak between tests.
/// </summary>
/// <remarks>
/// Uses the system Chromium: the Playwright browser download is not available here, so never run
/// <c>playwright install</c>. Without Chromium the browser tests are skipped on a developer machine and fail
/// under CI (<c>CI=true</c>), so a CI image that lost its browser cannot pass silently.
/// </remarks>
public sealed class Browser : IAsyncLifetime
{
    public const string ChromiumPath = "/usr/bin/chromium";

    public static readonly TimeSpan ActionTimeout = TimeSpan.FromSeconds(30);

    public static readonly ViewportSize DefaultViewport = new() { Width = 1280, Height = 800 };

    private static readonly string[] ChromiumArgs =
    [
        "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run",
    ];

    private readonly SemaphoreSlim _launchLock = new(1, 1);
    private IPlaywright? _playwright;
    private IBrowser? _browser;

    // Chromium starts with the first page, so test runs that need no browser (a filtered unit test run) and
    // the HTTP-only tests never pay for it or depend on it.
    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    /// <summary>
    /// A page in a fresh browser context whose relative URLs resolve against <paramref name="baseUrl"/>.
    /// Skips the calling test when Chromium is missing (fails it under CI). Close it with
    /// <c>page.Context.CloseAsync()</c>; <see cref="EndToEndTest"/> does.
    /// </summary>
    /// <param name="ignoreHttpsErrors">For a TLS server with a certificate made by the test (the deployment test's nginx).</param>
    public async Task<IPage> NewPageAsync(Uri baseUrl, ViewportSize? viewport = null, bool ignoreHttpsErrors = false)
    {
        if (MissingChromiumReason(File.Exists(ChromiumPath), Environment.GetEnvironmentVariable("CI")) is { } reason)
            Assert.Skip(reason);
        var browser = await LaunchOnceAsync();
        var context = await browser.NewContextAsync(new()
        {
            BaseURL = baseUrl.ToString(),
            ViewportSize = viewport ?? DefaultViewport,
            IgnoreHTTPSErrors = ignoreHttpsErrors,
        });
        // A loaded 2-core CI machine can take seconds to answer a circuit event; the tests wait for outcomes,
        // so a generous limit costs nothing when things are fast and avoids false failures when they are not.
        context.SetDefaultTimeout((float)ActionTimeout.TotalMilliseconds);
        Assertions.SetDefaultExpectTimeout((float)ActionTimeout.TotalMilliseconds);
        return await context.NewPageAsync();
    }

    /// <summary>
    /// Why browser tests cannot run, or null when they can. Throws under CI: there a missing browser is a
    /// broken build machine, not a reason to skip.
    /// </summary>
    internal static string? MissingChromiumReason(bool chromiumExists, string? ciVariable)
    {
        if (chromiumExists)
            return null;
        const string reason = $"End-to-end tests need Chromium at {ChromiumPath} (apt-get install chromium)";
        if (ciVariable == "true")
            throw new InvalidOperationException($"{reason}; CI=true, so this fails instead of skipping.");
        return reason;
    }

    private async Task<IBrowser> LaunchOnceAsync()
    {
        await _launchLock.WaitAsync();
        try
        {
            _playwright ??= await Playwright.CreateAsync();
            return _browser ??= await _playwright.Chromium.LaunchAsync(new()
            {
                ExecutablePath = ChromiumPath,
                Headless = true,
                Args = ChromiumArgs,
            });
        }
        finally
        {
            _launchLock.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_browser is not null)
            await _browser.DisposeAsync();
        _playwright?.Dispose();
        _launchLock.Dispose();
    }
}
