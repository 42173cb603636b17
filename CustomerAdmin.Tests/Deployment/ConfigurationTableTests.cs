using System.Globalization;
using System.Reflection;
using System.Text.RegularExpressions;

namespace CustomerAdmin.Tests.Deployment;

/// <summary>
/// README's "Configuration" table against the options classes (every type with a <c>Section</c> constant, read by
/// reflection): every key is listed once with its environment variable form and its default, and nothing is listed that
/// the app does not read. A new or renamed option fails here with the row to add.
/// </summary>
public sealed partial class ConfigurationTableTests
{
    /// <summary>Keys the app reads without an options class.</summary>
    private static readonly Dictionary<string, string?> Other = new()
    {
        ["ConnectionStrings:Sqlite"] = "Data Source=data/customeradmin.db",
        ["ConnectionStrings:Postgres"] = null,
    };

    [Fact]
    public void ReadmeConfigurationTableListsEveryOptionWithItsEnvironmentVariableAndDefault()
    {
        var expected = OptionKeys();
        Assert.Contains("Documents:Store", expected.Keys);
        Assert.Contains("Sms:Twilio:AuthToken", expected.Keys);
        var rows = ReadmeRows();
        var problems = new List<string>();
        foreach (var (key, value) in expected.Where(e => !rows.ContainsKey(e.Key)))
            problems.Add($"missing: | `{key}` | `{EnvironmentName(key)}` | {Cell(value)} | ... |");
        foreach (var key in rows.Keys.Where(k => !expected.ContainsKey(k)))
            problems.Add($"not an option of the app: {key}");
        foreach (var (key, (environment, defaultCell)) in rows.Where(r => expected.ContainsKey(r.Key)))
        {
            if (environment != $"`{EnvironmentName(key)}`")
                problems.Add($"{key}: environment variable {environment}, expected `{EnvironmentName(key)}`");
            if (!defaultCell.StartsWith(Cell(expected[key]), StringComparison.Ordinal))
                problems.Add($"{key}: default {defaultCell}, expected {Cell(expected[key])}");
        }
        Assert.True(problems.Count == 0, "README.md, section Configuration:\n" + string.Join("\n", problems));
    }

    private static string EnvironmentName(string key) => key.Replace(":", "__", StringComparison.Ordinal);

    private static string Cell(string? value) => value is null ? "(none)" : $"`{value}`";

    /// <summary>Every configuration key of the app with its default as the options classes have it.</summary>
    private static Dictionary<string, string?> OptionKeys()
    {
        var keys = new Dictionary<string, string?>(Other);
        foreach (var type in typeof(Program).Assembly.GetTypes())
        {
            if (type.GetField("Section", BindingFlags.Public | BindingFlags.Static) is not { IsLiteral: true } field
                || field.GetRawConstantValue() is not string section || type.GetConstructor(Type.EmptyTypes) is null)
                continue;
            Add(keys, section, Activator.CreateInstance(type)!);
        }
        return keys;
    }

    private static void Add(Dictionary<string, string?> keys, string prefix, object options)
    {
        foreach (var property in options.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (property.SetMethod is not { IsPublic: true } || property.GetIndexParameters().Length > 0) continue;
            var key = $"{prefix}:{property.Name}";
            var type = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
            var value = property.GetValue(options);
            // A section of its own (a class of settings); a list is one key, whose items are __0, __1...
            if (type.IsClass && type != typeof(string) && !typeof(System.Collections.IEnumerable).IsAssignableFrom(type)
                && type.GetConstructor(Type.EmptyTypes) is not null)
                Add(keys, key, value ?? Activator.CreateInstance(type)!);
            else
                keys.Add(key, Format(value));
        }
    }

    private static string? Format(object? value) => value switch
    {
        null or "" => null,
        bool b => b ? "true" : "false",
        TimeSpan t => t.ToString("c", CultureInfo.InvariantCulture),
        TimeOnly t => t.ToString(t.Second == 0 ? "HH:mm" : "HH:mm:ss", CultureInfo.InvariantCulture),
        Enum e => e.ToString(),
        string text => text,
        System.Collections.ICollection { Count: 0 } => null,
        System.Collections.IEnumerable items => string.Join(", ", items.Cast<object>()),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString(),
    };

    /// <summary>The rows of the table under "## Configuration": key, environment variable cell, default cell.</summary>
    private static Dictionary<string, (string Environment, string Default)> ReadmeRows()
    {
        var readme = File.ReadAllText(SampleFiles.Find("README.md"));
        var start = readme.IndexOf("\n## Configuration\n", StringComparison.Ordinal);
        Assert.True(start >= 0, "README.md has no \"## Configuration\" section.");
        var section = readme[(start + 1)..];
        var end = section.IndexOf("\n## ", 1, StringComparison.Ordinal);
        if (end > 0) section = section[..end];
        var rows = new Dictionary<string, (string, string)>();
        var header = false;
        foreach (var line in section.Split('\n'))
        {
            if (line.StartsWith("| Key | Environment variable | Default | Meaning |", StringComparison.Ordinal)) header = true;
            if (!header || !Row().IsMatch(line)) continue;
            var cells = line.Trim().Trim('|').Split(" | ");
            Assert.True(cells.Length >= 4, $"README.md configuration row with fewer than 4 cells: {line}");
            var key = cells[0].Trim().Trim('`');
            Assert.True(rows.TryAdd(key, (cells[1].Trim(), cells[2].Trim())), $"README.md lists {key} twice.");
        }
        return rows;
    }

    [GeneratedRegex(@"^\| `[A-Za-z]")]
    private static partial Regex Row();
}
