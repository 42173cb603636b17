using CustomerAdmin.Common;
using CustomerAdmin.Features.Import.Files;
using CustomerAdmin.Features.Import.Values;

namespace CustomerAdmin.Features.Import.Customers.Wizard;

/// <summary>
/// The import wizard's state between its steps: the uploaded file (a private temporary file the dry run and the
/// import read again), how it is read (sheet, delimiter), the column mapping as the user leaves it, and the preview of
/// that mapping. Plain C#, so the page stays markup and handlers and the rules of the steps are tested without it.
/// </summary>
/// <param name="isRunning">Whether an import run is still running (reading the file), so the file outlives the page until it ends.</param>
public sealed class CustomerImportDraft(PhoneNormalizer phones, Func<int, Task<bool>>? isRunning = null) : IDisposable
{
    /// <summary>Rows the preview shows as they will be stored.</summary>
    public const int PreviewRows = 50;

    private readonly Dictionary<CustomerImportField, int> _columns = [];

    public string? Path { get; private set; }
    public string FileName { get; private set; } = "";
    public long Size { get; private set; }
    public TabularFile? File { get; private set; }
    public TabularReadOptions Read { get; private set; } = new();
    /// <summary>Why the file cannot be imported as it is (empty, a header only, unreadable); null when it can.</summary>
    public string? FileError { get; private set; }
    public UnmappedColumns Unmapped { get; set; } = UnmappedColumns.Ignore;
    /// <summary>The date order the user chose; null while the file decides (or has not been asked).</summary>
    public DateOrder? Dates { get; set; }
    public CustomerImportPreview? Preview { get; private set; }
    /// <summary>Each column's first non-empty values, for the mapping table.</summary>
    public IReadOnlyList<string> Samples { get; private set; } = [];
    /// <summary>The last run started on this file: the file is deleted only once it has ended.</summary>
    private int? _reader;

    public bool IsReady => File is not null && FileError is null;
    public IReadOnlyList<string> Headers => File?.Headers ?? [];
    public CustomerImportMapping Mapping => new(new Dictionary<CustomerImportField, int>(_columns), Unmapped, Dates);

    /// <summary>The date order must be asked: the file's dates fit both and the user has not said.</summary>
    public bool DatesAsked => Preview is { DateOrderNeeded: true } || (Dates is not null && _datesWereAmbiguous);
    private bool _datesWereAmbiguous;

    /// <summary>What stops the mapping step: the mapping's problems and an unanswered date question.</summary>
    public List<string> Problems
    {
        get
        {
            var problems = Mapping.Problems(Headers);
            if (Preview is { DateOrderNeeded: true })
                problems.Add("Say how the file writes dates: its dates fit both day/month and month/day.");
            return problems;
        }
    }

    /// <summary>
    /// Takes over an uploaded file and reads its header with these options. False, with <see cref="FileError"/> set,
    /// when it cannot be imported; the file stays (the user may pick another sheet or delimiter) until the next upload.
    /// </summary>
    public async Task<bool> OpenAsync(string path, string fileName, long size, CancellationToken ct = default)
    {
        ReleaseFile();
        (Path, FileName, Size) = (path, fileName, size);
        return await ReadAsync(new TabularReadOptions(), ct);
    }

    /// <summary>Reads the file again with another sheet or delimiter; the mapping is suggested again from its header.</summary>
    public async Task<bool> ReadAsync(TabularReadOptions read, CancellationToken ct = default)
    {
        if (Path is null) return false;
        Forget();
        Read = read;
        try
        {
            File = await TabularFile.OpenAsync(Path, read, ct);
        }
        catch (TabularFileException ex)
        {
            FileError = ex.Message;
            return false;
        }
        Read = read with { Sheet = File.Sheet, Delimiter = File.Delimiter };
        foreach (var (field, column) in ColumnSuggestions.Suggest(File.Headers)) _columns[field] = column;
        Samples = await SamplesAsync(File, ct);
        await RefreshAsync(ct);
        if (Preview is { FileHasRows: false })
            FileError = File.Kind == TabularFileKind.Xlsx
                ? $"The sheet \"{File.Sheet}\" has a header row but no customers under it."
                : "The file has a header row but no customers under it.";
        return FileError is null;
    }

    public CustomerImportField? FieldOf(int column)
    {
        foreach (var (field, mapped) in _columns)
        {
            if (mapped == column) return field;
        }
        return null;
    }

    /// <summary>Maps a column to a field (or to nothing). A field takes one column: the column it had is unmapped.</summary>
    public void Map(int column, CustomerImportField? field)
    {
        foreach (var (f, _) in _columns.Where(c => c.Value == column).ToList()) _columns.Remove(f);
        if (field is { } chosen) _columns[chosen] = column;
    }

    /// <summary>Replaces the mapping with a preset's (and its way of reading the file, when that differs).</summary>
    public async Task<List<string>> ApplyAsync(CustomerImportPresetSettings preset, CancellationToken ct = default)
    {
        var read = new TabularReadOptions(preset.Sheet is { } sheet && File?.Sheets.Contains(sheet) == true ? sheet : Read.Sheet,
            File?.Kind == TabularFileKind.Csv ? preset.Delimiter ?? Read.Delimiter : null);
        if (read != Read) await ReadAsync(read, ct);
        if (File is null) return [];
        var mapping = preset.ToMapping(File.Headers, out var missing);
        _columns.Clear();
        foreach (var (field, column) in mapping.Columns) _columns[field] = column;
        Unmapped = preset.Unmapped;
        Dates = preset.Dates;
        await RefreshAsync(ct);
        return missing;
    }

    /// <summary>Builds the preview of the mapping as it stands (after every change of the mapping step).</summary>
    public async Task RefreshAsync(CancellationToken ct = default)
    {
        if (File is null) return;
        Preview = await CustomerImportPreview.BuildAsync(File, Mapping, phones, PreviewRows, ct);
        if (Preview.DateOrderNeeded) _datesWereAmbiguous = true;
    }

    /// <summary>
    /// A run of this file started. After a dry run the draft stays (the import comes next); an import reads the file
    /// once, so the draft starts afresh and the file is deleted when the run has read it.
    /// </summary>
    public void Started(int runId, bool dryRun)
    {
        _reader = runId;
        if (dryRun) return;
        ReleaseFile();
        (FileName, Size, Read, Unmapped) = ("", 0, new(), UnmappedColumns.Ignore);
        Forget();
    }

    /// <summary>Forgets what was read from the file (its header, mapping and preview), before it is read again or let go.</summary>
    private void Forget()
    {
        File = null;
        Preview = null;
        Samples = [];
        FileError = null;
        Dates = null;
        _datesWereAmbiguous = false;
        _columns.Clear();
    }

    private static async Task<IReadOnlyList<string>> SamplesAsync(TabularFile file, CancellationToken ct)
    {
        var samples = new List<string>[file.Headers.Count];
        for (var i = 0; i < samples.Length; i++) samples[i] = [];
        var read = 0;
        await foreach (var row in file.RowsAsync(ct))
        {
            for (var i = 0; i < samples.Length && i < row.Cells.Length; i++)
            {
                var cell = row.Cells[i].Trim();
                if (cell.Length > 0 && samples[i].Count < 3) samples[i].Add(ImportCells.Shorten(cell));
            }
            if (++read >= 200) break;
        }
        return samples.Select(s => string.Join(" · ", s)).ToList();
    }

    /// <summary>Deletes the file now, or once the run reading it has ended.</summary>
    private void ReleaseFile()
    {
        if (Path is not { } path) return;
        Path = null;
        if (_reader is { } run && isRunning is not null) _ = DeleteAfterAsync(path, run, isRunning);
        else UploadedImportFile.Delete(path);
        _reader = null;
    }

    private static async Task DeleteAfterAsync(string path, int run, Func<int, Task<bool>> isRunning)
    {
        try
        {
            while (await isRunning(run)) await Task.Delay(TimeSpan.FromSeconds(5));
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // The database is unreachable: the run cannot write either, and the file goes now rather than never.
        }
        UploadedImportFile.Delete(path);
    }

    public void Dispose() => ReleaseFile();
}
