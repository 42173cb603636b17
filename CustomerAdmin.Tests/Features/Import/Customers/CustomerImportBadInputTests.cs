using System.Text;
using CustomerAdmin.Data;
using CustomerAdmin.Features.Import.Customers;
using CustomerAdmin.Features.Import.Files;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.Time.Testing;
using MiniExcelLibs;

namespace CustomerAdmin.Tests.Features.Import.Customers;

/// <summary>
/// Files as they arrive: empty, a header only, odd headers, other delimiters and encodings, quoted newlines, a 10 MB
/// line, formula-looking cells, a workbook; and a run that dies half-way, which leaves whole batches only.
/// </summary>
public sealed class CustomerImportBadInputTests : IDisposable
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 3, 1, 9, 0, 0, TimeSpan.Zero));
    private readonly string _dir = Directory.CreateTempSubdirectory("customer-import-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string WriteFile(string content, Encoding? encoding = null)
    {
        var path = Path.Combine(_dir, $"{Guid.NewGuid():N}.csv");
        File.WriteAllBytes(path, [.. (encoding ?? new UTF8Encoding(false)).GetPreamble(), .. (encoding ?? new UTF8Encoding(false)).GetBytes(content)]);
        return path;
    }

    private CustomerImporter Importer(IDbContextFactory<AppDbContext> factory, int batchSize = 40) =>
        CustomerImporterTests.NewImporter(factory, _time, batchSize);

    private static string People(int count, char delimiter = ',', Func<int, string>? notes = null)
    {
        var csv = new StringBuilder($"Name{delimiter}Mobile{delimiter}Notes\n");
        for (var i = 0; i < count; i++)
        {
            var (first, last) = CustomerImporterTests.Person(i);
            csv.Append($"{first} {last}{delimiter}{CustomerImporterTests.NewPhone(i)}{delimiter}{notes?.Invoke(i) ?? ""}\n");
        }
        return csv.ToString();
    }

    [Theory, InlineData(DatabaseProvider.Sqlite), InlineData(DatabaseProvider.Postgres)]
    public async Task AnEmptyFileOrAHeaderOnlyIsRefusedWithItsReasonAndNothingIsWritten(DatabaseProvider provider)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var database = await TestDatabase.CreateAsync(provider, _time, ct: ct);
        var importer = Importer(database.Factory);
        var empty = WriteFile("");
        var headerOnly = WriteFile("Name,Mobile,Email\n");

        var e1 = await Assert.ThrowsAsync<TabularFileException>(() => importer.RunAsync(
            new CustomerImportRequest(empty, "empty.csv", new(), new CustomerImportMapping(new Dictionary<CustomerImportField, int>())), null, ct));
        Assert.Contains("empty", e1.Message);
        var e2 = await Assert.ThrowsAsync<TabularFileException>(async () => await importer.RunAsync(
            await CustomerImporterTests.RequestAsync(headerOnly), null, ct));
        Assert.Contains("no customers", e2.Message);

        await using var db = database.CreateDbContext();
        Assert.Equal(0, await db.ImportRuns.CountAsync(ct));
        Assert.Equal(0, await db.Customers.CountAsync(ct));
    }

    public static TheoryData<string, string> Encodings => new()
    {
        { "utf-8 with BOM", "," }, { "utf-16", ";" }, { "windows-1252", "\t" },
    };

    [Theory, MemberData(nameof(Encodings))]
    public async Task EncodingsDelimitersQuotedNewlinesAndOddHeadersAreRead(string encodingName, string delimiter)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite, _time, ct: ct);
        var d = delimiter[0];
        var encoding = encodingName switch
        {
            "utf-8 with BOM" => new UTF8Encoding(true),
            "utf-16" => (Encoding)new UnicodeEncoding(false, true),
            _ => CodePagesEncoding(1252),
        };
        // Two columns named alike and one unnamed: the headers are made unique, and the mapping says which is which.
        var csv = new StringBuilder($"Name{d}Name{d}{d}Mobile\n");
        csv.Append($"José Müller{d}\"not{d} this\"{d}x{d}{CustomerImporterTests.NewPhone(1)}\n");
        csv.Append($"\"Zoë\nSecond\"{d}{d}{d}{CustomerImporterTests.NewPhone(2)}\n");
        for (var i = 10; i < 210; i++)
            csv.Append($"{CustomerImporterTests.Person(i).First} {CustomerImporterTests.Person(i).Last}{d}{d}{d}{CustomerImporterTests.NewPhone(i)}\n");
        var path = WriteFile(csv.ToString(), encoding);
        var file = await TabularFile.OpenAsync(path, new(), ct);
        Assert.Equal(["Name", "Name (2)", "Column 3", "Mobile"], file.Headers);

        var mapping = new CustomerImportMapping(new Dictionary<CustomerImportField, int> { [CustomerImportField.FullName] = 0, [CustomerImportField.PrimaryPhone] = 3 });
        var run = await Importer(database.Factory).RunAsync(new CustomerImportRequest(path, "odd.csv", new(), mapping), null, ct);

        Assert.Equal((202, 202), (run.RowsRead, run.Created));
        await using var db = database.CreateDbContext();
        var jose = await db.Customers.SingleAsync(c => c.PrimaryPhone == CustomerImporterTests.NewPhone(1), ct);
        Assert.Equal(("José", "Müller"), (jose.FirstName, jose.LastName));
        var zoe = await db.Customers.SingleAsync(c => c.PrimaryPhone == CustomerImporterTests.NewPhone(2), ct);
        Assert.Equal(("Zoë", "Second"), (zoe.FirstName, zoe.LastName));
        // The report points at the line an editor shows: the quoted newline counts.
        var third = await db.Customers.SingleAsync(c => c.PrimaryPhone == CustomerImporterTests.NewPhone(10), ct);
        Assert.Equal(5, (await db.ImportReportRows.SingleAsync(r => r.CustomerId == third.Id, ct)).Line);
    }

    private static Encoding CodePagesEncoding(int codePage)
    {
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
        return Encoding.GetEncoding(codePage);
    }

    [Theory, InlineData(DatabaseProvider.Sqlite), InlineData(DatabaseProvider.Postgres)]
    public async Task ATenMegabyteLineAndFormulaCellsAreStoredAsTextAndTheRestImports(DatabaseProvider provider)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var database = await TestDatabase.CreateAsync(provider, _time, ct: ct);
        const string formula = "=cmd|' /C calc'!A0";
        var path = WriteFile(People(300, notes: i => i switch { 5 => new string('x', 10 * 1024 * 1024), 6 => "\"" + formula + "\"", 7 => "@SUM(A1:A9)", _ => "" }));

        var run = await Importer(database.Factory).RunAsync(await CustomerImporterTests.RequestAsync(path), null, ct);

        Assert.Equal((300, 300), (run.RowsRead, run.Created));
        await using var db = database.CreateDbContext();
        var notes = await db.Customers.Where(c => c.Notes != null).OrderBy(c => c.Id).Select(c => c.Notes!).ToListAsync(ct);
        Assert.Equal([Customer.NotesMax, formula.Length, "@SUM(A1:A9)".Length], notes.Select(n => n.Length));
        Assert.Equal(formula, notes[1]);
    }

    [Theory, InlineData(DatabaseProvider.Sqlite), InlineData(DatabaseProvider.Postgres)]
    public async Task AWorkbookImportsWithItsNumberPhonesInFullAndShortenedOnesRefused(DatabaseProvider provider)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var database = await TestDatabase.CreateAsync(provider, _time, ct: ct);
        var path = Path.Combine(_dir, "customers.xlsx");
        var rows = Enumerable.Range(0, 250).Select(i => new Dictionary<string, object?>
        {
            ["First name"] = CustomerImporterTests.Person(i).First, ["Last name"] = CustomerImporterTests.Person(i).Last,
            ["Cell"] = i == 3 ? "1.23457E+11" : double.Parse(CustomerImporterTests.NewPhone(i)[1..], System.Globalization.CultureInfo.InvariantCulture),
            ["E-mail"] = $"p{i}@example.com",
        }).ToArray();
        await MiniExcel.SaveAsAsync(path, rows, cancellationToken: ct);

        var run = await Importer(database.Factory).RunAsync(await CustomerImporterTests.RequestAsync(path), null, ct);

        Assert.Equal((250, 249, 1), (run.RowsRead, run.Created, run.Skipped));
        await using var db = database.CreateDbContext();
        var last = CustomerImporterTests.NewPhone(249);
        Assert.True(await db.Customers.AnyAsync(c => c.PrimaryPhone == last, ct));
        Assert.Contains("Excel shortened", (await db.ImportReportRows.SingleAsync(r => r.Action == ImportRowAction.Skipped, ct)).Reason);
    }

    [Theory, InlineData(DatabaseProvider.Sqlite), InlineData(DatabaseProvider.Postgres)]
    public async Task ARunThatDiesHalfWayLeavesWholeBatchesOnlyIsShownInterruptedAndCanBeUndone(DatabaseProvider provider)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var database = await TestDatabase.CreateAsync(provider, _time, ct: ct);
        var dying = new DieAtSave(3);
        var path = WriteFile(People(200));

        var run = await Importer(database.FactoryWith(dying), batchSize: 50).RunAsync(await CustomerImporterTests.RequestAsync(path), null, ct);

        // Two batches committed, the third rolled back whole (it died at its first write).
        Assert.Equal(ImportRunStatus.Failed, run.Status);
        Assert.Contains("rolled back", run.Error);
        Assert.Equal((100, 100), (run.RowsRead, run.Created));
        await using (var db = database.CreateDbContext())
        {
            Assert.Equal(100, await db.Customers.CountAsync(ct));
            Assert.Equal(100, await db.ImportReportRows.CountAsync(ct));
            Assert.Equal(100, await db.CustomerSearchTokens.Select(t => t.CustomerId).Distinct().CountAsync(ct));
            // As if the process had died there: still "running", silent.
            await db.ImportRuns.ExecuteUpdateAsync(s => s.SetProperty(r => r.Status, ImportRunStatus.Running), ct);
        }
        var importer = Importer(database.Factory);
        _time.Advance(TimeSpan.FromMinutes(3));
        Assert.Equal(ImportRunStatus.Interrupted, (await importer.FindAsync(run.RunId, ct))!.Status);

        var undo = await importer.UndoAsync(run.RunId, "admin", ct);

        Assert.True(undo.Done, undo.Message);
        await using var check = database.CreateDbContext();
        Assert.Equal(0, await check.Customers.CountAsync(ct));
        Assert.Equal(0, await check.CustomerSearchTokens.CountAsync(ct));
    }

    [Theory, InlineData(DatabaseProvider.Sqlite), InlineData(DatabaseProvider.Postgres)]
    public async Task BatchesGatheredInOneTransactionShowTheirProgressAtOnceAndRollBackTogether(DatabaseProvider provider)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var database = await TestDatabase.CreateAsync(provider, _time, ct: ct);
        var dying = new DieAtSave(4);
        var path = WriteFile(People(200));
        // Batches of 50 gathered for up to a minute per transaction (CustomerImportOptions.CommitTime).
        var importer = CustomerImporterTests.NewImporter(database.FactoryWith(dying), _time, 50, TimeSpan.FromMinutes(1));
        var elsewhere = CustomerImporterTests.NewImporter(database.Factory, _time, 50);
        var seen = new List<(int Reported, int Here, int Elsewhere)>();

        var run = await importer.RunAsync(await CustomerImporterTests.RequestAsync(path), new Progress(p =>
        {
            // The in-memory SQLite of the tests locks its tables for readers while a write transaction is open (a
            // database file in WAL mode, as the app runs, does not): the pages' reads are checked on PostgreSQL.
            if (provider == DatabaseProvider.Sqlite) seen.Add((p.Rows, p.Rows, 0));
            else seen.Add((p.Rows, importer.FindAsync(p.RunId, ct).GetAwaiter().GetResult()!.RowsRead,
                elsewhere.FindAsync(p.RunId, ct).GetAwaiter().GetResult()!.RowsRead));
        }), ct);

        // Each batch's progress shown at once where the import runs; the run's row (another instance's view) moves at a commit.
        Assert.Equal([(50, 50, 0), (100, 100, 0), (150, 150, 0)], seen);
        // The fourth batch died: the three before it were in the same transaction, so nothing was kept.
        Assert.Equal(ImportRunStatus.Failed, run.Status);
        Assert.Contains("Nothing was changed", run.Error);
        Assert.Equal((0, 0), (run.RowsRead, run.Created));
        await using var db = database.CreateDbContext();
        Assert.Equal(0, await db.Customers.CountAsync(ct));
        Assert.Equal(0, await db.ImportReportRows.CountAsync(ct));
        Assert.Equal(0, await db.CustomerSearchTokens.CountAsync(ct));
    }

    private sealed class Progress(Action<CustomerImportProgress> report) : IProgress<CustomerImportProgress>
    {
        public void Report(CustomerImportProgress value) => report(value);
    }

    /// <summary>Fails the <paramref name="failing"/>-th save of report rows, after the batch's customers were saved in its transaction.</summary>
    private sealed class DieAtSave(int failing) : SaveChangesInterceptor
    {
        private int _batches;

        public override ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result,
            CancellationToken cancellationToken = default)
        {
            // A batch's first save (its matched customers; its new customers and report follow in bulk): the batch dies there.
            if (eventData.Context is AppDbContext { Actor: var actor } && actor.StartsWith("import #", StringComparison.Ordinal) && ++_batches == failing)
                throw new IOException("The process was killed.");
            return base.SavingChangesAsync(eventData, result, cancellationToken);
        }
    }
}
