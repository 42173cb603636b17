using System.Diagnostics;
using CustomerAdmin.Features.Import.Files;
using CustomerAdmin.Features.Import.Legacy;

namespace CustomerAdmin.Benchmarks;

/// <summary>
/// <c>csv-parse</c> mode: parse-only timing of the two CSV readers on one generated legacy ticket file (N rows, quoted
/// fields with doubled quotes, names in several scripts): the legacy import's <see cref="LegacyCsvReader"/> and the
/// customer import's <see cref="TabularFile"/> (Sep), each reading every field of every row as a string, the runs
/// alternated. Prints the best and the median of the runs, and the load average before each.
/// </summary>
public static class CsvParseBenchmark
{
    public static async Task RunAsync(int rows, int runs)
    {
        var folder = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), $"csv-parse-bench-{Environment.ProcessId}"));
        var path = Path.Combine(folder.FullName, "legacy-tickets.csv");
        try
        {
            var bytes = await ImportBenchmark.WriteCsvAsync(path, rows, rows / 5);
            Console.WriteLine($"{rows:N0} rows, {bytes / 1048576.0:N0} MB: {path}");
            var times = new Dictionary<string, List<double>> { ["LegacyCsvReader"] = [], ["TabularFile (Sep)"] = [] };
            for (var run = 0; run < runs; run++)
            {
                foreach (var (name, read) in new (string, Func<Task<(long Rows, long Chars)>>)[]
                         { ("LegacyCsvReader", () => LegacyAsync(path)), ("TabularFile (Sep)", () => TabularAsync(path)) })
                {
                    var load = File.ReadAllText("/proc/loadavg").Split(' ')[0];
                    var clock = Stopwatch.StartNew();
                    var (count, chars) = await read();
                    times[name].Add(clock.Elapsed.TotalSeconds);
                    Console.WriteLine($"  {name,-18} run {run + 1}: {clock.Elapsed.TotalSeconds,6:N2} s  {count:N0} records, {chars:N0} chars  (load {load})");
                }
            }
            Console.WriteLine("| reader | rows | best (s) | median (s) |");
            Console.WriteLine("|---|--:|--:|--:|");
            foreach (var (name, list) in times)
                Console.WriteLine($"| {name} | {rows:N0} | {list.Min():N2} | {list.Order().ElementAt(list.Count / 2):N2} |");
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    private static async Task<(long, long)> LegacyAsync(string path)
    {
        await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true);
        var info = await TextFileInspector.InspectAsync(stream);
        stream.Position = 0;
        using var text = new StreamReader(stream, info.Encoding, detectEncodingFromByteOrderMarks: true, 1 << 16);
        long count = 0, chars = 0;
        await foreach (var record in new LegacyCsvReader(text, ',', 100_000).ReadAsync())
        {
            count++;
            foreach (var field in record.Fields) chars += field.Length;
        }
        return (count, chars);
    }

    private static async Task<(long, long)> TabularAsync(string path)
    {
        var file = await TabularFile.OpenAsync(path, new());
        long count = 1, chars = file.Headers.Sum(h => h.Length);
        await foreach (var row in file.RowsAsync())
        {
            count++;
            foreach (var cell in row.Cells) chars += cell.Length;
        }
        return (count, chars);
    }
}
