using System.Text;
using CustomerAdmin.Features.Import.Files;
using MiniExcelLibs;

namespace CustomerAdmin.Tests.Features.Import.Files;

/// <summary>
/// Files as staff bring them: CSV in the usual encodings and delimiters, and Excel workbooks, read into a header and
/// rows of text; the bad ones refused with a reason. Real files on disk, hundreds of rows where size matters.
/// </summary>
public sealed class TabularFileTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("tabular-").FullName;
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Write(string name, byte[] bytes)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    private static async Task<List<TabularRow>> RowsAsync(TabularFile file)
    {
        var rows = new List<TabularRow>();
        await foreach (var row in file.RowsAsync(Ct)) rows.Add(row);
        return rows;
    }

    public static TheoryData<string, char> Delimiters => new() { { "comma", ',' }, { "semicolon", ';' }, { "tab", '\t' }, { "bar", '|' } };

    [Theory, MemberData(nameof(Delimiters))]
    public async Task TheDelimiterIsFoundFromTheHeaderAndEveryRowIsRead(string name, char delimiter)
    {
        var text = new StringBuilder($"First name{delimiter}Last name{delimiter}Mobile{delimiter}Notes\n");
        for (var i = 0; i < 500; i++)
            text.Append($"Ann{i}{delimiter}Lee{delimiter}+1617555{i:0000}{delimiter}\"said \"\"hi\"\"{(i % 50 == 0 ? "\nand more" : "")}\"\n");
        var file = await TabularFile.OpenAsync(Write(name + ".csv", Encoding.UTF8.GetBytes(text.ToString())), new(), Ct);

        Assert.Equal(delimiter, file.Delimiter);
        Assert.Equal(["First name", "Last name", "Mobile", "Notes"], file.Headers);
        var rows = await RowsAsync(file);
        Assert.Equal(500, rows.Count);
        Assert.Equal(["Ann0", "Lee", "+16175550000", "said \"hi\"\nand more"], rows[0].Cells);
        Assert.Equal("Ann499", rows[^1].Cells[0]);
        // Line numbers count the quoted newlines, so a report points at the line an editor shows.
        Assert.Equal(2, rows[0].Line);
        Assert.Equal(4, rows[1].Line);
    }

    public static TheoryData<string> Encodings => new() { "utf-8", "utf-8-bom", "utf-16le-bom", "utf-16be-bom", "windows-1252" };

    [Theory, MemberData(nameof(Encodings))]
    public async Task AccentedNamesSurviveEveryCommonEncoding(string encoding)
    {
        const string text = "Name;Email\nZoë Müller;zoe@example.com\nJosé Núñez;jose@example.com\n";
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
        var bytes = encoding switch
        {
            "utf-8" => Encoding.UTF8.GetBytes(text),
            "utf-8-bom" => [.. Encoding.UTF8.GetPreamble(), .. Encoding.UTF8.GetBytes(text)],
            "utf-16le-bom" => [.. Encoding.Unicode.GetPreamble(), .. Encoding.Unicode.GetBytes(text)],
            "utf-16be-bom" => [.. Encoding.BigEndianUnicode.GetPreamble(), .. Encoding.BigEndianUnicode.GetBytes(text)],
            _ => Encoding.GetEncoding(1252).GetBytes(text),
        };
        var file = await TabularFile.OpenAsync(Write("people.csv", bytes), new(), Ct);

        Assert.Equal(["Name", "Email"], file.Headers);
        var rows = await RowsAsync(file);
        Assert.Equal(["Zoë Müller", "José Núñez"], rows.Select(r => r.Cells[0]));
        Assert.Equal(encoding == "windows-1252", file.EncodingWarning is not null);
    }

    [Fact]
    public async Task DuplicateAndEmptyHeaderNamesBecomeUniqueNames()
    {
        var file = await TabularFile.OpenAsync(Write("h.csv", Encoding.UTF8.GetBytes("Phone,,phone,Name,\n1,2,3,4,5\n")), new(), Ct);

        Assert.Equal(["Phone", "Column 2", "phone (2)", "Name", "Column 5"], file.Headers);
    }

    [Fact]
    public async Task AnEmptyFileOrOneWithOnlyAByteOrderMarkIsRefusedWithAReason()
    {
        var empty = await Assert.ThrowsAsync<TabularFileException>(() => TabularFile.OpenAsync(Write("e.csv", []), new(), Ct));
        Assert.Equal("The file is empty.", empty.Message);
        var bom = await Assert.ThrowsAsync<TabularFileException>(() => TabularFile.OpenAsync(Write("b.csv", Encoding.UTF8.GetPreamble()), new(), Ct));
        Assert.Equal("The file is empty.", bom.Message);
    }

    [Fact]
    public async Task AHeaderOnlyFileOpensWithNoRows()
    {
        var file = await TabularFile.OpenAsync(Write("h.csv", Encoding.UTF8.GetBytes("Name,Mobile\n")), new(), Ct);

        Assert.Equal(["Name", "Mobile"], file.Headers);
        Assert.Empty(await RowsAsync(file));
    }

    [Fact]
    public async Task ATenMegabyteLineIsReadAsOneRowWithoutBreakingTheRowsAfterIt()
    {
        var text = "Name,Notes\nAnn Lee," + new string('x', 10 * 1024 * 1024) + "\nBob Ray,short\n";
        var file = await TabularFile.OpenAsync(Write("big.csv", Encoding.UTF8.GetBytes(text)), new(), Ct);

        var rows = await RowsAsync(file);
        Assert.Equal(2, rows.Count);
        Assert.Equal(10 * 1024 * 1024, rows[0].Cells[1].Length);
        Assert.Equal(["Bob Ray", "short"], rows[1].Cells);
    }

    [Fact]
    public async Task FormulaLikeCellsStayText()
    {
        var file = await TabularFile.OpenAsync(Write("f.csv", Encoding.UTF8.GetBytes("Name,Notes\nAnn Lee,=cmd|' /C calc'!A0\n")), new(), Ct);

        Assert.Equal("=cmd|' /C calc'!A0", (await RowsAsync(file))[0].Cells[1]);
    }

    [Fact]
    public async Task AWorkbookOffersItsSheetsAndReadsTheChosenOneWithNumbersInFull()
    {
        var path = Path.Combine(_dir, "customers.xlsx");
        var sheets = new Dictionary<string, object>
        {
            ["Read me"] = new[] { new Dictionary<string, object?> { ["Text"] = "Customers are on the second sheet" } },
            ["Customers"] = Enumerable.Range(0, 300).Select(i => new Dictionary<string, object?>
            {
                ["Name"] = $"Ann Lee {i}", ["Mobile"] = 16175550000d + i, ["Since"] = new DateTime(2020, 1, 2).AddDays(i), ["Empty"] = null,
            }).ToArray(),
        };
        await MiniExcel.SaveAsAsync(path, sheets, cancellationToken: Ct);

        var first = await TabularFile.OpenAsync(path, new(), Ct);
        Assert.Equal(TabularFileKind.Xlsx, first.Kind);
        Assert.Equal(["Read me", "Customers"], first.Sheets);
        Assert.Equal("Read me", first.Sheet);

        var file = await TabularFile.OpenAsync(path, new(Sheet: "Customers"), Ct);
        Assert.Equal(["Name", "Mobile", "Since", "Empty"], file.Headers);
        var rows = await RowsAsync(file);
        Assert.Equal(300, rows.Count);
        Assert.Equal(["Ann Lee 0", "16175550000", "2020-01-02", ""], rows[0].Cells);
        Assert.Equal(2, rows[0].Line);

        var missing = await Assert.ThrowsAsync<TabularFileException>(() => TabularFile.OpenAsync(path, new(Sheet: "Nope"), Ct));
        Assert.Contains("no sheet named \"Nope\"", missing.Message);
    }

    [Fact]
    public async Task AFileThatOnlyLooksLikeAWorkbookIsRefusedWithAReason()
    {
        var error = await Assert.ThrowsAsync<TabularFileException>(() =>
            TabularFile.OpenAsync(Write("fake.xlsx", [0x50, 0x4B, 0x03, 0x04, 1, 2, 3, 4, 5]), new(), Ct));
        Assert.Contains("cannot be read as an Excel .xlsx file", error.Message);
    }
}
