using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace CustomerAdmin.Benchmarks;

/// <summary>
/// Exact bytes per type that the circuits added: a heap dump of the app (<c>dotnet-dump collect --type Heap</c>, the
/// repository's tool manifest) before and after the circuits opened, each read with SOS's <c>dumpheap -stat -live</c>
/// (every live object counted at its own size, not one sample per bucket as <c>dotnet-gcdump report</c> gives), and the
/// difference printed per circuit, by type and by group.
/// </summary>
public static partial class HeapDiff
{
    public static async Task CollectAsync(AppProcess app, string file)
    {
        if (File.Exists(file)) File.Delete(file);
        var output = await ToolAsync("collect", "-p", app.Process.Id.ToString(CultureInfo.InvariantCulture), "--type", "Heap", "-o", file);
        if (!File.Exists(file)) Console.WriteLine($"dotnet-dump collect failed: {output}");
    }

    /// <summary>Live bytes and objects per type in a dump.</summary>
    public static async Task<Dictionary<string, (long Count, long Bytes)>> ReadAsync(string file)
    {
        var output = await ToolAsync("analyze", file, "-c", "dumpheap -stat -live", "-c", "exit");
        var types = new Dictionary<string, (long Count, long Bytes)>();
        foreach (var line in output.Split('\n'))
        {
            var m = StatLine().Match(line);
            if (!m.Success) continue;
            var name = m.Groups[4].Value.Trim();
            var (count, bytes) = types.GetValueOrDefault(name);
            types[name] = (count + Number(m.Groups[2].Value), bytes + Number(m.Groups[3].Value));
        }
        if (types.Count == 0) Console.WriteLine($"dumpheap read nothing from {file}: {string.Join('\n', output.Split('\n').Take(10))}");
        return types;
    }

    /// <summary>The types whose live bytes grew the most, per circuit, and the same grouped (components, render tree, buffers...).</summary>
    public static void Print(Dictionary<string, (long Count, long Bytes)> before, Dictionary<string, (long Count, long Bytes)> after, int circuits, int top = 40)
    {
        var diff = after.Keys.Union(before.Keys)
            .Select(t => (Type: t, Count: after.GetValueOrDefault(t).Count - before.GetValueOrDefault(t).Count,
                Bytes: after.GetValueOrDefault(t).Bytes - before.GetValueOrDefault(t).Bytes))
            .ToList();
        var total = diff.Sum(d => d.Bytes);
        Console.WriteLine($"Live heap added per circuit (dumpheap -live): {total / (double)circuits / 1024:F0} KB");
        Console.WriteLine("| group | KB per circuit | objects per circuit |\n|---|--:|--:|");
        foreach (var g in diff.GroupBy(d => Group(d.Type)).OrderByDescending(g => g.Sum(d => d.Bytes)))
            Console.WriteLine($"| {g.Key} | {g.Sum(d => d.Bytes) / (double)circuits / 1024:F1} | {g.Sum(d => d.Count) / (double)circuits:F0} |");
        Console.WriteLine();
        Console.WriteLine("| type | KB per circuit | objects per circuit |\n|---|--:|--:|");
        foreach (var d in diff.OrderByDescending(d => d.Bytes).Take(top))
            Console.WriteLine($"| `{d.Type}` | {d.Bytes / (double)circuits / 1024:F1} | {d.Count / (double)circuits:F1} |");
        Console.WriteLine();
    }

    private static string Group(string type) => type switch
    {
        _ when type.Contains("RenderTreeFrame[]", StringComparison.Ordinal) => "render tree frames (RenderTreeFrame[])",
        "System.Byte[]" => "byte arrays (SignalR/Kestrel buffers, others)",
        "System.String" => "strings",
        "Free" => "free space",
        _ when type.StartsWith("MudBlazor.", StringComparison.Ordinal) => "MudBlazor objects",
        _ when type.StartsWith("CustomerAdmin.", StringComparison.Ordinal) => "CustomerAdmin objects",
        _ when type.StartsWith("Microsoft.AspNetCore.Components", StringComparison.Ordinal) => "Blazor (Microsoft.AspNetCore.Components*)",
        _ when type.StartsWith("Microsoft.AspNetCore.SignalR", StringComparison.Ordinal) || type.StartsWith("Microsoft.AspNetCore.Http.Connections", StringComparison.Ordinal) => "SignalR",
        _ when type.StartsWith("Microsoft.AspNetCore.Server.Kestrel", StringComparison.Ordinal) || type.StartsWith("System.IO.Pipelines", StringComparison.Ordinal) => "Kestrel and pipes",
        _ when type.StartsWith("Microsoft.Extensions.DependencyInjection", StringComparison.Ordinal) => "DI scopes",
        _ when type.Contains("Dictionary", StringComparison.Ordinal) || type.Contains("HashSet", StringComparison.Ordinal) => "dictionaries and sets",
        _ when type.EndsWith("[]", StringComparison.Ordinal) => "other arrays",
        _ => "other",
    };

    private static long Number(string text) => long.Parse(text.Replace(",", "", StringComparison.Ordinal), CultureInfo.InvariantCulture);

    private static async Task<string> ToolAsync(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { "tool", "run", "dotnet-dump" }.Concat(args)) start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return await stdout + await stderr;
    }

    [GeneratedRegex(@"^\s*([0-9a-f]{8,16})\s+([\d,]+)\s+([\d,]+)\s+(.+)$")]
    private static partial Regex StatLine();
}
