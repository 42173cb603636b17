using System.Globalization;
using System.Runtime.CompilerServices;
using MiniExcelLibs;
using nietras.SeparatedValues;

namespace CustomerAdmin.Features.Import.Files;

public enum TabularFileKind { Csv, Xlsx }

/// <summary>One data row of a file: the line (CSV) or row number (Excel) it starts on, and its cells as text.</summary>
public sealed record TabularRow(long Line, string[] Cells);

/// <summary>A file the user cannot import as it is, with the reason in words they can act on.</summary>
public sealed class TabularFileException(string message) : Exception(message);

/// <summary>How to read a file: the sheet of a workbook (the first when null), the CSV delimiter (detected when null).</summary>
public sealed record TabularReadOptions(string? Sheet = null, char? Delimiter = null);

/// <summary>
/// A CSV or Excel (.xlsx) file read as a header and rows of text cells, for the customer import (and, with its own
/// column map, the legacy ticket import). CSV is parsed by Sep (a maintained library: quotes, doubled quotes,
/// delimiters and newlines inside quoted fields), after <see cref="TextFileInspector"/> has found the encoding;
/// the delimiter is detected from the header row (comma, semicolon, tab or bar) unless the user chose one. Workbooks
/// are read by MiniExcel, one sheet, streamed. Cells are text and stay text: a cell that looks like a formula
/// (<c>=cmd|...</c>) is a string like any other and is never evaluated; numbers of a workbook are written out in
/// full (a phone number typed as a number stays its digits), dates as ISO dates.
/// </summary>
public sealed class TabularFile
{
    private readonly string _path;
    private readonly TextFileInfo? _text;
    private readonly char _delimiter;

    private TabularFile(string path, TabularFileKind kind, IReadOnlyList<string> sheets, string? sheet, TextFileInfo? text,
        char delimiter, IReadOnlyList<string> headers)
    {
        (_path, Kind, Sheets, Sheet, _text, _delimiter, Headers) = (path, kind, sheets, sheet, text, delimiter, headers);
    }

    public TabularFileKind Kind { get; }
    /// <summary>The workbook's sheets, in order; empty for CSV.</summary>
    public IReadOnlyList<string> Sheets { get; }
    /// <summary>The sheet being read (workbooks only).</summary>
    public string? Sheet { get; }
    /// <summary>The header row's names, made unique and non-empty ("Phone", "Phone (2)", "Column 4").</summary>
    public IReadOnlyList<string> Headers { get; }
    public char? Delimiter => Kind == TabularFileKind.Csv ? _delimiter : null;
    public string? EncodingWarning => _text?.EncodingWarning;
    /// <summary>SHA-256 of a CSV file's bytes (null for workbooks, which are read through MiniExcel).</summary>
    public string? Sha256 => _text?.Sha256;

    /// <summary>Opens a file and reads its header row; throws <see cref="TabularFileException"/> with the reason when it cannot.</summary>
    public static async Task<TabularFile> OpenAsync(string path, TabularReadOptions options, CancellationToken ct = default)
    {
        var info = new FileInfo(path);
        if (!info.Exists || info.Length == 0) throw new TabularFileException("The file is empty.");
        if (await IsZipAsync(path, ct)) return OpenWorkbook(path, options);

        TextFileInfo text;
        await using (var stream = OpenRead(path)) text = await TextFileInspector.InspectAsync(stream, ct);
        if (text.Length == text.PreambleLength) throw new TabularFileException("The file is empty.");
        using var reader = OpenText(path, text);
        using var sep = OpenCsv(reader, options.Delimiter);
        if (!sep.MoveNext()) throw new TabularFileException("The file is empty.");
        var header = sep.Current;
        var names = new string[header.ColCount];
        for (var i = 0; i < names.Length; i++) names[i] = header[i].ToString();
        if (names.All(string.IsNullOrWhiteSpace)) throw new TabularFileException("The first row is empty: it must name the columns.");
        return new TabularFile(path, TabularFileKind.Csv, [], null, text, sep.Spec.Sep.Separator, UniqueHeaders(names, i => $"Column {i + 1}"));
    }

    /// <summary>The data rows after the header, streamed: never more than one row in memory.</summary>
    public async IAsyncEnumerable<TabularRow> RowsAsync([EnumeratorCancellation] CancellationToken ct = default)
    {
        if (Kind == TabularFileKind.Xlsx)
        {
            await using var stream = OpenRead(_path);
            var number = 0L;
            foreach (IDictionary<string, object?> row in stream.Query(useHeaderRow: false, sheetName: Sheet, excelType: ExcelType.XLSX))
            {
                ct.ThrowIfCancellationRequested();
                if (number++ == 0) continue;
                var cells = Cells(row, Headers.Count);
                if (cells.All(string.IsNullOrEmpty)) continue;
                yield return new TabularRow(number, cells);
            }
            yield break;
        }

        using var reader = OpenText(_path, _text!);
        using var sep = OpenCsv(reader, _delimiter);
        var first = true;
        while (sep.MoveNext())
        {
            ct.ThrowIfCancellationRequested();
            var row = sep.Current;
            if (first) { first = false; continue; }
            var cells = new string[row.ColCount];
            for (var i = 0; i < cells.Length; i++) cells[i] = row[i].ToString();
            // A blank line is not a row.
            if (cells.Length == 1 && cells[0].Length == 0) continue;
            yield return new TabularRow(row.LineNumberFrom, cells);
        }
        await Task.CompletedTask;
    }

    private static TabularFile OpenWorkbook(string path, TabularReadOptions options)
    {
        List<string> sheets;
        try
        {
            using var stream = OpenRead(path);
            sheets = stream.GetSheetNames();
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            throw new TabularFileException($"The file looks like a workbook but cannot be read as an Excel .xlsx file ({ex.GetBaseException().Message}).");
        }
        if (sheets.Count == 0) throw new TabularFileException("The workbook has no sheets.");
        var sheet = options.Sheet ?? sheets[0];
        if (!sheets.Contains(sheet)) throw new TabularFileException($"The workbook has no sheet named \"{sheet}\".");

        using var read = OpenRead(path);
        var header = read.Query(useHeaderRow: false, sheetName: sheet, excelType: ExcelType.XLSX).FirstOrDefault() as IDictionary<string, object?>;
        if (header is null || header.Values.All(v => string.IsNullOrWhiteSpace(CellText(v))))
            throw new TabularFileException(header is null ? $"The sheet \"{sheet}\" is empty." : $"The first row of \"{sheet}\" is empty: it must name the columns.");
        var names = header.Values.Select(CellText).ToList();
        // Trailing empty header cells are not columns.
        while (names.Count > 0 && string.IsNullOrWhiteSpace(names[^1])) names.RemoveAt(names.Count - 1);
        return new TabularFile(path, TabularFileKind.Xlsx, sheets, sheet, null, '\0', UniqueHeaders(names, i => $"Column {ColumnLetters(i)}"));
    }

    private static string[] Cells(IDictionary<string, object?> row, int width)
    {
        var cells = new string[width];
        var i = 0;
        foreach (var value in row.Values)
        {
            if (i == width) break;
            cells[i++] = CellText(value);
        }
        for (; i < width; i++) cells[i] = "";
        return cells;
    }

    /// <summary>A workbook cell as the text a user typed: whole numbers in full, dates as ISO dates, never "1.23457E+11".</summary>
    public static string CellText(object? value) => value switch
    {
        null => "",
        string s => s,
        double d when Math.Abs(d) < 1e15 && d == Math.Floor(d) => d.ToString("0", CultureInfo.InvariantCulture),
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        decimal m => m.ToString(CultureInfo.InvariantCulture),
        DateTime t when t.TimeOfDay == TimeSpan.Zero => t.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        DateTime t => t.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture),
        bool b => b ? "TRUE" : "FALSE",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    public static string ColumnLetters(int index)
    {
        var letters = "";
        for (var n = index + 1; n > 0; n = (n - 1) / 26) letters = (char)('A' + (n - 1) % 26) + letters;
        return letters;
    }

    private static List<string> UniqueHeaders(IReadOnlyList<string> names, Func<int, string> unnamed)
    {
        var seen = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        var result = new List<string>(names.Count);
        for (var i = 0; i < names.Count; i++)
        {
            var name = string.IsNullOrWhiteSpace(names[i]) ? unnamed(i) : names[i].Trim();
            var unique = name;
            for (var n = 2; !seen.TryAdd(unique, 1); n++) unique = $"{name} ({n})";
            result.Add(unique);
        }
        return result;
    }

    private static SepReader OpenCsv(TextReader reader, char? delimiter)
    {
        try
        {
            return Sep.Reader(o => o with
            {
                Sep = delimiter is { } d ? new Sep(d) : null, HasHeader = false, Unescape = true, DisableColCountCheck = true,
            }).From(reader);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            throw new TabularFileException($"The file cannot be read as CSV: {ex.GetBaseException().Message}");
        }
    }

    private static async Task<bool> IsZipAsync(string path, CancellationToken ct)
    {
        await using var stream = OpenRead(path);
        var head = new byte[4];
        var read = await stream.ReadAtLeastAsync(head, 4, throwOnEndOfStream: false, ct);
        return read == 4 && head is [0x50, 0x4B, 0x03, 0x04];
    }

    private static FileStream OpenRead(string path) => new(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true);

    private static StreamReader OpenText(string path, TextFileInfo text) =>
        new(OpenRead(path), text.Encoding, detectEncodingFromByteOrderMarks: true, 1 << 16);
}
