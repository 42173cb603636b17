using System.Text.RegularExpressions;
using CustomerAdmin.Data;
using Microsoft.EntityFrameworkCore;

namespace CustomerAdmin.Tests.Architecture;

/// <summary>
/// Every entity of the model, and every enum its properties are stored as, is in a file of its own named after it,
/// in a folder per aggregate under <c>CustomerAdmin/Data/</c> (issue #13: "entities, one type per file, grouped by
/// aggregate"). The model comes from the design-time factory (no database needed); the files from the source tree.
/// </summary>
public sealed partial class EntityFilesTests
{
    [GeneratedRegex(@"^(public|internal) (sealed |abstract |static |partial )*(class|record|enum|interface|struct) (\w+)", RegexOptions.Multiline)]
    private static partial Regex TopLevelType();

    private static IEnumerable<Type> ModelTypes()
    {
        using var db = new SqliteDesignTimeFactory().CreateDbContext([]);
        var entities = db.Model.GetEntityTypes().Select(e => e.ClrType)
            .Where(t => t.Namespace == "CustomerAdmin.Data" && !t.IsGenericType).ToList();
        var enums = entities.SelectMany(t => t.GetProperties())
            .Select(p => Nullable.GetUnderlyingType(p.PropertyType) ?? p.PropertyType)
            .Where(t => t.IsEnum && t.Namespace == "CustomerAdmin.Data");
        return entities.Concat(enums).Distinct();
    }

    [Fact]
    public void EachEntityAndStoredEnumHasAFileOfItsOwnInAnAggregateFolder()
    {
        var root = Screenshots.FindRepositoryRoot();
        var data = Path.Combine(root, "CustomerAdmin", "Data");
        var files = Directory.EnumerateFiles(data, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}Migrations{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .ToList();
        var types = ModelTypes().ToList();
        // The model must be seen, or the test would pass on nothing.
        Assert.Contains(typeof(Customer), types);
        Assert.Contains(typeof(CustomerStatus), types);

        var offences = new List<string>();
        foreach (var type in types)
        {
            var own = files.Where(f => Path.GetFileName(f) == type.Name + ".cs").ToList();
            if (own.Count != 1)
            {
                offences.Add($"{type.Name}: {own.Count} files named {type.Name}.cs under CustomerAdmin/Data");
                continue;
            }
            if (Path.GetDirectoryName(own[0]) == data)
                offences.Add($"{type.Name}: directly in Data/, not in an aggregate's folder");
            var declared = TopLevelType().Matches(File.ReadAllText(own[0])).Select(m => m.Groups[4].Value).ToList();
            if (declared.Count != 1 || declared[0] != type.Name)
                offences.Add($"{type.Name}: its file declares {string.Join(", ", declared)}");
        }
        Assert.True(offences.Count == 0, string.Join("\n", offences));
    }
}
