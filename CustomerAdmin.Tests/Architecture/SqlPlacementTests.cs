using System.Text.RegularExpressions;

namespace CustomerAdmin.Tests.Architecture;

/// <summary>
/// Hand-written SQL lives under <c>CustomerAdmin/Data/</c> (the dialects and <c>Data/Sql/</c>), with identifiers from
/// the EF model; features ask for it and never write a statement themselves (issue #13, "SQL in one place"). Read
/// from the source tree: a string literal that starts a statement is the sign.
/// </summary>
public sealed partial class SqlPlacementTests
{
    [GeneratedRegex("\\$?@?\"\\s*(SELECT|UPDATE|INSERT INTO|DELETE FROM|WITH|PRAGMA|CREATE|ALTER|DROP) ")]
    private static partial Regex Statement();

    [Fact]
    public void NoFeatureWritesSqlOfItsOwn()
    {
        var root = Screenshots.FindRepositoryRoot();
        var app = Path.Combine(root, "CustomerAdmin");
        var sources = Directory.EnumerateFiles(app, "*.*", SearchOption.AllDirectories)
            .Where(f => f.EndsWith(".cs", StringComparison.Ordinal) || f.EndsWith(".razor", StringComparison.Ordinal))
            .Select(f => Path.GetRelativePath(root, f).Replace('\\', '/'))
            .Where(f => !f.Contains("/bin/", StringComparison.Ordinal) && !f.Contains("/obj/", StringComparison.Ordinal))
            .ToList();
        // The rule must see where SQL does live, or it would pass on an empty tree.
        Assert.Contains(sources, f => f.StartsWith("CustomerAdmin/Data/Sql/", StringComparison.Ordinal)
            && File.ReadLines(Path.Combine(root, f)).Any(l => Statement().IsMatch(l)));

        var offences = (from f in sources
                        where !f.StartsWith("CustomerAdmin/Data/", StringComparison.Ordinal)
                        from line in File.ReadLines(Path.Combine(root, f)).Select((text, i) => (text, number: i + 1))
                        where Statement().IsMatch(line.text) && !line.text.TrimStart().StartsWith("//", StringComparison.Ordinal)
                            && !line.text.TrimStart().StartsWith("///", StringComparison.Ordinal)
                        select $"{f}:{line.number}: {line.text.Trim()}").ToList();
        Assert.True(offences.Count == 0, "Move these statements into Data/Sql/ (or the dialect):\n" + string.Join("\n", offences));
    }
}
