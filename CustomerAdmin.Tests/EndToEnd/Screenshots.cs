using System.Text.RegularExpressions;
using Microsoft.Playwright;

namespace CustomerAdmin.Tests.EndToEnd;

/// <summary>Screenshots in <c>artifacts/screenshots/</c> at the repository root (git-ignored).</summary>
public static partial class Screenshots
{
    /// <summary>
    /// The folder is found from the test assembly's location, so it is the same whether tests run from the
    /// IDE, <c>dotnet test</c> or the test executable; outside a checkout it falls back to the output folder.
    /// </summary>
    public static string Folder { get; } = Path.Combine(FindRepositoryRoot(), "artifacts", "screenshots");

    /// <summary>
    /// Saves a full-page PNG named after the current test (and <paramref name="name"/>) and returns its path.
    /// The image is also attached to the test result, so CI keeps it with the test report.
    /// </summary>
    public static async Task<string> SaveAsync(IPage page, string? name = null)
    {
        var test = TestContext.Current.Test?.TestDisplayName ?? "screenshot";
        var fileName = UnsafeFileNameCharacters().Replace(name is null ? test : $"{test}-{name}", "_");
        // Theory display names carry their arguments and can get long.
        fileName = fileName[..Math.Min(fileName.Length, 120)];
        var path = Path.Combine(Folder, $"{fileName}-{DateTime.Now:yyyyMMdd-HHmmss-fff}.png");
        Directory.CreateDirectory(Folder);
        var png = await page.ScreenshotAsync(new() { Path = path, FullPage = true });
        TestContext.Current.AddAttachment(Path.GetFileName(path), png, "image/png");
        return path;
    }

    internal static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "CustomerAdmin.sln")))
                return dir.FullName;
        }
        return AppContext.BaseDirectory;
    }

    // Test display names carry parameters, quotes and dots; keep file names portable and shell-friendly.
    [GeneratedRegex(@"[^A-Za-z0-9_.-]+")]
    private static partial Regex UnsafeFileNameCharacters();
}
