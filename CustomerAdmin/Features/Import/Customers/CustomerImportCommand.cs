using CustomerAdmin.Common;
using CustomerAdmin.Data;
using CustomerAdmin.Features.Customers.Export;
using CustomerAdmin.Features.Import.Files;
using CustomerAdmin.Features.Import.Values;
using CustomerAdmin.Startup;
using Microsoft.EntityFrameworkCore;

namespace CustomerAdmin.Features.Import.Customers;

/// <summary>
/// <c>import-customers FILE [--map Field=Column ...] [--preset NAME] [--delimiter ;] [--sheet NAME] [--dates day-first|month-first]
/// [--unmapped notes|ignore] [--on-match fill|overwrite|skip] [--source NAME] [--dry-run] [--report FILE.csv]</c> and
/// <c>import-customers --undo N</c>: the customer import of the import page, for scripts and very large files. The
/// mapping is the one suggested from the header, changed by each <c>--map</c> (a field's name or label, then a
/// column's header; <c>Field=</c> leaves the field unmapped). Bad arguments, an unreadable file or an unusable mapping
/// exit with 1 and a message before anything is written; otherwise the summary goes to standard output and, with
/// <c>--report</c>, one CSV line per input row. Exit code 0 when the run completed.
/// </summary>
public static class CustomerImportCommand
{
    public const string Name = "import-customers";

    private const string Usage = $"Usage: {Name} FILE [--map Field=Column ...] [--preset NAME] [--delimiter ;] [--sheet NAME] [--dates day-first|month-first] "
        + "[--unmapped notes|ignore] [--on-match fill|overwrite|skip] [--source NAME] [--dry-run] [--report FILE.csv]   or   "
        + $"{Name} --undo RUN-ID   (plus any --Section:Key=value configuration)";

    private sealed class Arguments
    {
        public string? File;
        public int? Undo;
        public bool DryRun;
        public char? Delimiter;
        public string? Sheet;
        public string? Report;
        public string? Preset;
        public string Source = CustomerImportRequest.DefaultSource;
        public ImportMatchMode OnMatch = ImportMatchMode.Fill;
        public DateOrder? Dates;
        public UnmappedColumns Unmapped = UnmappedColumns.Ignore;
        public bool UnmappedGiven, OnMatchGiven, SourceGiven;
        public List<(string Field, string Column)> Map { get; } = [];
        public List<string> Configuration { get; } = [];
    }

    public static async Task<int> RunAsync(string[] args)
    {
        if (Parse(args, out var error) is not { } a)
        {
            Console.Error.WriteLine($"{error} {Usage}");
            return 1;
        }

        // A preset is read from the database, so with one the host starts first; without, a bad file or mapping is
        // refused before any database is touched.
        await using var presetHost = a.Preset is null ? null : await CommandHost.StartAsync(a.Configuration, "Cancelling...");
        CustomerImportPresetSettings? preset = null;
        if (a.Preset is { } presetName)
        {
            var stored = await presetHost!.Get<CustomerImportPresetOperations>().FindAsync(presetName, presetHost.Cancelled);
            if (stored is null)
            {
                Console.Error.WriteLine($"There is no preset named \"{presetName}\"; the import page lists the saved ones.");
                return 1;
            }
            preset = CustomerImportPresetSettings.FromJson(stored.Mapping);
            if (!a.OnMatchGiven && stored.OnMatch is { } onMatch) a.OnMatch = onMatch;
            if (!a.SourceGiven && stored.Source is { } presetSource) a.Source = presetSource;
        }
        CustomerImportRequest? request = null;
        if (a.File is { } file)
        {
            try
            {
                request = await RequestAsync(a, Path.GetFullPath(file), preset);
            }
            catch (Exception ex) when (ex is TabularFileException or RuleViolationException or IOException or UnauthorizedAccessException)
            {
                Console.Error.WriteLine(ex.Message);
                return 1;
            }
        }

        await using var host = presetHost ?? await CommandHost.StartAsync(a.Configuration, "Cancelling: the batch in progress is rolled back...");
        var importer = host.Get<CustomerImporter>();
        if (a.Undo is { } runId)
        {
            var undo = await importer.UndoAsync(runId, $"cli:{Environment.UserName}", host.Cancelled);
            Console.WriteLine(undo.Message);
            foreach (var note in undo.Notes ?? []) Console.WriteLine(note);
            return undo.Done ? 0 : 1;
        }

        var lastPercent = -1;
        var progress = new ConsoleProgress<CustomerImportProgress>(p =>
        {
            var percent = (int)p.Percent;
            if (percent == lastPercent) return;
            lastPercent = percent;
            Console.Error.Write($"\r{percent,3}%  {p.Rows:N0} of {p.RowsTotal:N0} rows");
        });
        CustomerImportSummary summary;
        try
        {
            summary = await importer.RunAsync(request!, progress, host.Cancelled);
        }
        catch (Exception ex) when (ex is TabularFileException or RuleViolationException)
        {
            Console.Error.WriteLine(ex.Message);
            return 1;
        }
        Console.Error.WriteLine();
        Console.WriteLine(summary.Text);
        if (a.Report is { } report)
        {
            await using var db = await host.Get<IDbContextFactory<AppDbContext>>().CreateDbContextAsync(CancellationToken.None);
            await using var writer = new StreamWriter(Path.GetFullPath(report), false, CsvText.Encoding);
            var rows = await CustomerImportReportCsv.WriteAsync(db, summary.RunId, writer, CancellationToken.None);
            Console.WriteLine($"Report of {rows:N0} rows written to {Path.GetFullPath(report)}.");
        }
        if (summary.Error is not null)
        {
            Console.Error.WriteLine(summary.Error);
            return 1;
        }
        if (!summary.DryRun) Console.WriteLine($"To undo: dotnet run --project CustomerAdmin -- {Name} --undo {summary.RunId}");
        return summary.Status == ImportRunStatus.Completed ? 0 : 1;
    }

    private static Arguments? Parse(string[] args, out string error)
    {
        var a = new Arguments();
        error = "";
        for (var i = 1; i < args.Length; i++)
        {
            var arg = args[i];
            string? Next() => i + 1 < args.Length && !args[i + 1].StartsWith("--", StringComparison.Ordinal) ? args[++i] : null;
            switch (arg)
            {
                case "--dry-run": a.DryRun = true; break;
                case "--undo":
                    if (!int.TryParse(Next(), out var runId)) return Fail(out error, "--undo needs an import number.");
                    a.Undo = runId;
                    break;
                case "--map":
                    var map = Next();
                    var eq = map?.IndexOf('=') ?? -1;
                    if (map is null || eq <= 0) return Fail(out error, "--map needs Field=Column.");
                    a.Map.Add((map[..eq].Trim(), map[(eq + 1)..].Trim()));
                    break;
                case "--delimiter":
                    var d = i + 1 < args.Length ? args[++i] : null;
                    if (d is not ({ Length: 1 } or "\\t" or "tab")) return Fail(out error, "--delimiter needs one character (or \\t for tab).");
                    a.Delimiter = d.Length == 1 ? d[0] : '\t';
                    break;
                case "--sheet":
                    if ((a.Sheet = Next()) is null) return Fail(out error, "--sheet needs a sheet's name.");
                    break;
                case "--report":
                    if ((a.Report = Next()) is null) return Fail(out error, "--report needs a file name.");
                    break;
                case "--source":
                    if (Next() is not { } source) return Fail(out error, "--source needs the source system's name.");
                    (a.Source, a.SourceGiven) = (source, true);
                    break;
                case "--on-match":
                    a.OnMatchGiven = true;
                    switch (Next())
                    {
                        case "fill": a.OnMatch = ImportMatchMode.Fill; break;
                        case "overwrite": a.OnMatch = ImportMatchMode.Overwrite; break;
                        case "skip": a.OnMatch = ImportMatchMode.Skip; break;
                        default: return Fail(out error, "--on-match is fill, overwrite or skip.");
                    }
                    break;
                case "--dates":
                    switch (Next())
                    {
                        case "day-first": a.Dates = DateOrder.DayFirst; break;
                        case "month-first": a.Dates = DateOrder.MonthFirst; break;
                        case "iso": a.Dates = DateOrder.Iso; break;
                        default: return Fail(out error, "--dates is day-first, month-first or iso.");
                    }
                    break;
                case "--unmapped":
                    switch (Next())
                    {
                        case "notes": (a.Unmapped, a.UnmappedGiven) = (UnmappedColumns.AddToNotes, true); break;
                        case "ignore": (a.Unmapped, a.UnmappedGiven) = (UnmappedColumns.Ignore, true); break;
                        default: return Fail(out error, "--unmapped is notes or ignore.");
                    }
                    break;
                case "--preset":
                    if ((a.Preset = Next()) is null) return Fail(out error, "--preset needs the name of a preset saved on the import page.");
                    break;
                case var s when CommandHost.IsSetting(s): a.Configuration.Add(s); break;
                case var f when !f.StartsWith("--", StringComparison.Ordinal) && a.File is null: a.File = f; break;
                default: return Fail(out error, $"Unexpected argument {arg}.");
            }
        }
        if (a.File is null == a.Undo is null) return Fail(out error, a.File is null ? "Give a FILE or --undo N." : "Give a FILE or --undo N, not both.");
        if (a.File is not null && !File.Exists(a.File)) return Fail(out error, $"There is no file {Path.GetFullPath(a.File)}.");
        return a;
    }

    private static Arguments? Fail(out string error, string message)
    {
        error = message;
        return null;
    }

    /// <summary>
    /// The request: the file's header read, the preset's mapping (or else the suggested one) changed by the <c>--map</c>
    /// arguments. The preset also gives the delimiter, sheet, date order and unmapped columns the arguments leave out.
    /// </summary>
    private static async Task<CustomerImportRequest> RequestAsync(Arguments a, string path, CustomerImportPresetSettings? preset)
    {
        var read = new TabularReadOptions(a.Sheet ?? preset?.Sheet, a.Delimiter ?? preset?.Delimiter);
        var file = await TabularFile.OpenAsync(path, read);
        Dictionary<CustomerImportField, int> columns;
        if (preset is not null)
        {
            var fromPreset = preset.ToMapping(file.Headers, out var missing);
            if (missing.Count > 0)
                throw new RuleViolationException($"--preset {a.Preset}: the file has no column for {string.Join(", ", missing)}; its columns are {string.Join(", ", file.Headers)}.");
            columns = fromPreset.Columns.ToDictionary();
            a.Dates ??= fromPreset.Dates;
            if (!a.UnmappedGiven) a.Unmapped = fromPreset.Unmapped;
        }
        else columns = ColumnSuggestions.Suggest(file.Headers);
        foreach (var (fieldName, column) in a.Map)
        {
            var field = Enum.GetValues<CustomerImportField>().Cast<CustomerImportField?>().FirstOrDefault(f =>
                string.Equals(f.ToString(), fieldName, StringComparison.OrdinalIgnoreCase)
                || ColumnSuggestions.Key(CustomerImportLabels.Of(f!.Value)) == ColumnSuggestions.Key(fieldName))
                ?? throw new RuleViolationException($"--map: there is no field {fieldName}; the fields are {string.Join(", ", Enum.GetNames<CustomerImportField>())}.");
            if (column.Length == 0)
            {
                columns.Remove(field);
                continue;
            }
            var index = file.Headers.ToList().FindIndex(h => string.Equals(h, column, StringComparison.OrdinalIgnoreCase));
            if (index < 0) throw new RuleViolationException($"--map: the file has no column \"{column}\"; its columns are {string.Join(", ", file.Headers)}.");
            foreach (var taken in columns.Where(c => c.Value == index).Select(c => c.Key).ToList()) columns.Remove(taken);
            columns[field] = index;
        }
        var mapping = new CustomerImportMapping(columns, a.Unmapped, a.Dates);
        // Before the database is touched: a file or mapping that cannot work is a bad argument.
        if (mapping.Problems(file.Headers) is { Count: > 0 } problems) throw new RuleViolationException(string.Join(" ", problems));
        await using (var rows = file.RowsAsync().GetAsyncEnumerator())
        {
            if (!await rows.MoveNextAsync()) throw new TabularFileException(CustomerImporter.NoRows);
        }
        Console.Error.WriteLine("Mapping: " + string.Join(", ", columns.OrderBy(c => c.Value).Select(c => $"{c.Key}={file.Headers[c.Value]}")));
        return new CustomerImportRequest(path, Path.GetFileName(path), read, mapping, a.OnMatch, a.Source, a.DryRun, $"cli:{Environment.UserName}");
    }
}
