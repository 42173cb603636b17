using Microsoft.Playwright;

namespace CustomerAdmin.Tests.EndToEnd;

/// <summary>
/// The README's screenshots of the main pages, taken by the phone-width sweep when <c>CUSTOMERADMIN_DOCS_SCREENSHOTS=1</c>:
/// <code>CUSTOMERADMIN_DOCS_SCREENSHOTS=1 dotnet test --project CustomerAdmin.Tests --filter-class '*PhoneWidthTests'</code>
/// writes <c>docs/screenshots/NAME.png</c> (1280 × 800) and <c>NAME-mobile.png</c> (390 × 844) for each page with a
/// docs name in <see cref="PageVisits"/>. Normal runs write nothing to the repository.
/// </summary>
public static class DocsScreenshots
{
    public const string EnvironmentVariable = "CUSTOMERADMIN_DOCS_SCREENSHOTS";

    public static bool Enabled => Environment.GetEnvironmentVariable(EnvironmentVariable) == "1";

    public static string Folder { get; } = Path.Combine(Screenshots.FindRepositoryRoot(), "docs", "screenshots");

    /// <summary>The window as the user sees it (not the full page: a phone shows one screen at a time).</summary>
    public static async Task SaveAsync(IPage page, PageVisit visit, ViewportSize viewport)
    {
        if (!Enabled || visit.DocsName is null)
            return;
        var suffix = viewport.Width < 600 ? "-mobile" : "";
        Directory.CreateDirectory(Folder);
        // The caret of a focused field blinks: hiding it keeps an unchanged page's image unchanged.
        await page.ScreenshotAsync(new() { Path = Path.Combine(Folder, $"{visit.DocsName}{suffix}.png"), Caret = ScreenshotCaret.Hide, Animations = ScreenshotAnimations.Disabled });
    }
}
