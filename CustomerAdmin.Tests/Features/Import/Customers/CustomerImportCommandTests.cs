using System.Text;
using CustomerAdmin.Features.Import.Customers;
using Microsoft.Data.Sqlite;

namespace CustomerAdmin.Tests.Features.Import.Customers;

/// <summary>
/// <c>dotnet run --project CustomerAdmin -- import-customers FILE ...</c> and <c>--undo N</c>, run in-process through the
/// entry point Program.cs dispatches to, against a SQLite file of its own.
/// </summary>
public sealed class CustomerImportCommandTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("customeradmin-import-cli-").FullName;

    private string DatabasePath => Path.Combine(_folder, "app.db");

    private Task<int> RunAsync(params string[] args) => CustomerImportCommand.RunAsync(
        [CustomerImportCommand.Name, .. args, "--Database:Provider=Sqlite", $"--ConnectionStrings:Sqlite=Data Source={DatabasePath}"]);

    /// <summary>300 people; the comment column is mapped to the notes by hand (no header suggests it).</summary>
    private string WriteFile()
    {
        var csv = new StringBuilder("Client number;Full name;Cell;E-mail;Remark\n");
        for (var i = 0; i < 300; i++)
        {
            var (first, last) = CustomerImporterTests.Person(i);
            csv.Append($"C{i};{first} {last};{CustomerImporterTests.NewPhone(i)};p{i}@example.com;{(i == 7 ? "" : "remark " + i)}\n");
        }
        csv.Append("C-bad;Nobody;;;\n");
        var path = Path.Combine(_folder, "clients.csv");
        File.WriteAllText(path, csv.ToString());
        return path;
    }

    [Fact]
    public async Task DryRunReportsEveryRowTheImportWritesOnceAndUndoTakesItBack()
    {
        var file = WriteFile();
        var report = Path.Combine(_folder, "report.csv");

        Assert.Equal(0, await RunAsync(file, "--map", "Notes=Remark", "--delimiter", ";", "--source", "crm", "--dry-run", "--report", report));
        Assert.Equal(0, Scalar("""SELECT COUNT(*) FROM "Customers" """));
        var lines = File.ReadAllLines(report);
        Assert.Equal(302, lines.Length);
        Assert.Equal("line,external_reference,action,customer_id,reason,changed_fields", lines[0].TrimStart('\uFEFF'));
        Assert.StartsWith("2,C0,created,", lines[1]);
        Assert.StartsWith("302,C-bad,skipped,,", lines[^1]);

        Assert.Equal(0, await RunAsync(file, "--map", "Notes=Remark", "--source", "crm", "--report", report));
        Assert.Equal(300, Scalar("""SELECT COUNT(*) FROM "Customers" """));
        Assert.Equal("remark 5", Text("""SELECT "Notes" FROM "Customers" WHERE "Email" = 'p5@example.com' """));
        Assert.Equal(300, Scalar("""SELECT COUNT(*) FROM "LegacyCustomerLinks" WHERE "Source" = 'crm' """));

        // Again, overwriting: the same file changes nothing.
        Assert.Equal(0, await RunAsync(file, "--map", "Notes=Remark", "--source", "crm", "--on-match", "overwrite", "--report", report));
        Assert.Equal(300, File.ReadAllLines(report).Count(l => l.Contains(",unchanged,")));

        var runId = Scalar("""SELECT MIN("Id") FROM "ImportRuns" WHERE NOT "DryRun" """);
        Assert.Equal(0, await RunAsync("--undo", runId.ToString()));
        Assert.Equal(0, Scalar("""SELECT COUNT(*) FROM "Customers" """));
        Assert.Equal(1, await RunAsync("--undo", runId.ToString()));
    }

    [Fact]
    public async Task APresetSavedOnThePageMapsTheFileAndGivesItsSourceAndMatchMode()
    {
        var file = WriteFile();
        // The first run creates the database; then a preset is stored as the import page stores it.
        Assert.Equal(0, await RunAsync(file, "--delimiter", ";", "--dry-run"));
        var settings = new CustomerImportPresetSettings(new Dictionary<CustomerImportField, string>
        {
            [CustomerImportField.ExternalReference] = "Client number", [CustomerImportField.FullName] = "Full name",
            [CustomerImportField.PrimaryPhone] = "Cell", [CustomerImportField.Email] = "E-mail", [CustomerImportField.Notes] = "Remark",
        }, Delimiter: ';');
        Execute($"""INSERT INTO "CustomerImportPresets" ("Name", "Mapping", "OnMatch", "Source", "UpdatedAt") VALUES ('Old CRM', '{settings.ToJson()}', 'Overwrite', 'crm', '2026-01-01 00:00:00')""");

        Assert.Equal(1, await RunAsync(file, "--preset", "No such preset"));
        Assert.Equal(0, await RunAsync(file, "--preset", "old crm"));

        Assert.Equal(300, Scalar("""SELECT COUNT(*) FROM "Customers" """));
        Assert.Equal("remark 5", Text("""SELECT "Notes" FROM "Customers" WHERE "Email" = 'p5@example.com' """));
        Assert.Equal(300, Scalar("""SELECT COUNT(*) FROM "LegacyCustomerLinks" WHERE "Source" = 'crm' """));
        Assert.Equal("Overwrite", Text("""SELECT "OnMatch" FROM "ImportRuns" WHERE NOT "DryRun" """));
    }

    [Theory]
    [InlineData("no-such-file.csv")]
    [InlineData("--dry-run")]
    [InlineData("--undo", "not-a-number")]
    [InlineData("FILE", "--on-match", "sometimes")]
    [InlineData("FILE", "--map", "Shoe size=Cell")]
    [InlineData("FILE", "--map", "Email=No such column")]
    [InlineData("HEADER-ONLY")]
    public async Task BadArgumentsOrAnUnusableFileExitWithOneAndCreateNothing(params string[] args)
    {
        var file = WriteFile();
        var headerOnly = Path.Combine(_folder, "header.csv");
        File.WriteAllText(headerOnly, "Name,Cell\n");

        Assert.Equal(1, await RunAsync(args.Select(a => a switch { "FILE" => file, "HEADER-ONLY" => headerOnly, _ => a }).ToArray()));
        Assert.False(File.Exists(DatabasePath));
    }

    private long Scalar(string sql) => Convert.ToInt64(Query(sql));

    private string? Text(string sql) => Query(sql) as string;

    private void Execute(string sql) => Query(sql);

    private object? Query(string sql)
    {
        using var connection = new SqliteConnection($"Data Source={DatabasePath};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }

    public void Dispose()
    {
        // The command's pooled connections (its connection string exactly) hold the file open.
        using (var pooled = new SqliteConnection($"Data Source={DatabasePath}")) SqliteConnection.ClearPool(pooled);
        Directory.Delete(_folder, recursive: true);
    }
}
