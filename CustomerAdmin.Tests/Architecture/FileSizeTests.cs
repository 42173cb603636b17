using System.Text.RegularExpressions;

namespace CustomerAdmin.Tests.Architecture;

/// <summary>
/// A source file of the app grows past about 350 lines only with a reason written on its first line
/// (<c>// Whole at ~N lines: ...</c>, <c>@* Whole at ~N lines: ... *@</c>); otherwise it is split along its seams.
/// Read from the source tree, which the tests run inside of.
/// </summary>
public sealed partial class FileSizeTests
{
    private const int MaxLines = 350;

    [GeneratedRegex(@"^(//|@\*) Whole at ~\d+ lines: \S")]
    private static partial Regex Reason();

    private static List<(string Path, string[] Lines)> AppSources()
    {
        var root = Screenshots.FindRepositoryRoot();
        var app = Path.Combine(root, "CustomerAdmin");
        Assert.True(Directory.Exists(app), $"The app's sources are not under {root}.");
        return Directory.EnumerateFiles(app, "*.*", SearchOption.AllDirectories)
            .Where(f => f.EndsWith(".cs", StringComparison.Ordinal) || f.EndsWith(".razor", StringComparison.Ordinal))
            .Select(f => Path.GetRelativePath(root, f).Replace('\\', '/'))
            .Where(f => !f.Contains("/Migrations/", StringComparison.Ordinal) && !f.Contains("/bin/", StringComparison.Ordinal)
                && !f.Contains("/obj/", StringComparison.Ordinal))
            .Select(f => (f, File.ReadAllLines(Path.Combine(root, f))))
            .ToList();
    }

    [Fact]
    public void NoAppFileIsOverThreeHundredFiftyLinesWithoutAReasonOnItsFirstLine()
    {
        var sources = AppSources();
        // The scan must see the tree: a test that read nothing would pass whatever the files held.
        Assert.Contains(sources, s => s.Path == "CustomerAdmin/Features/Sms/Sending/SmsDispatcher.cs" && s.Lines.Length > MaxLines);
        var offences = sources.Where(s => s.Lines.Length > MaxLines && !Reason().IsMatch(s.Lines[0]))
            .Select(s => $"{s.Path}: {s.Lines.Length} lines").ToList();
        Assert.True(offences.Count == 0,
            $"Split these along their seams, or say on their first line why they stay whole (\"// Whole at ~N lines: ...\"):\n{string.Join("\n", offences)}");
    }
}
