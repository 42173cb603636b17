using CustomerAdmin.Features.Import.Legacy;
using Microsoft.Data.Sqlite;

namespace CustomerAdmin.Tests.Features.Import.Legacy;

/// <summary>
/// <c>dotnet run --project CustomerAdmin -- import-legacy-tickets FILE [--dry-run]</c> and <c>--undo RUN-ID</c>, run
/// in-process through the same entry point Program.cs dispatches to, against a SQLite file of its own.
/// </summary>
public sealed class LegacyImportCommandTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("customeradmin-cli-").FullName;

    private string DatabasePath => Path.Combine(_folder, "app.db");

    private Task<int> RunAsync(params string[] args) => LegacyImportCommand.RunAsync(
        [LegacyImportCommand.Name, .. args, "--Database:Provider=Sqlite", $"--ConnectionStrings:Sqlite=Data Source={DatabasePath}"]);

    [Fact]
    public async Task DryRunWritesNothingTheRunImportsOnceAndUndoTakesItBack()
    {
        Assert.Equal(0, await RunAsync(SampleFiles.LegacyTickets, "--dry-run"));
        Assert.Equal((0, 0), Counts());

        // The sample: 11 importable tickets of 7 customers; its bad rows are listed, not imported.
        Assert.Equal(0, await RunAsync(SampleFiles.LegacyTickets));
        Assert.Equal((12, 8), Counts());
        Assert.Equal(0, await RunAsync(SampleFiles.LegacyTickets));
        Assert.Equal((12, 8), Counts());

        var runId = Scalar("""SELECT MIN("Id") FROM "ImportRuns" """);
        Assert.Equal(0, await RunAsync("--undo", runId.ToString()));
        Assert.Equal((0, 0), Counts());
    }

    [Theory]
    [InlineData("no-such-file.csv")]
    [InlineData("--dry-run")]
    [InlineData("--undo", "not-a-number")]
    public async Task MissingFileOrBadArgumentsExitWithOneAndCreateNothing(params string[] args)
    {
        Assert.Equal(1, await RunAsync(args));
        Assert.False(File.Exists(DatabasePath));
    }

    private (long Tickets, long Customers) Counts() =>
        (Scalar("""SELECT COUNT(*) FROM "Tickets" """), Scalar("""SELECT COUNT(*) FROM "Customers" """));

    private long Scalar(string sql)
    {
        using var connection = new SqliteConnection($"Data Source={DatabasePath};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToInt64(command.ExecuteScalar());
    }

    public void Dispose()
    {
        // The command's pooled connections (its connection string exactly) hold the file open.
        using (var pooled = new SqliteConnection($"Data Source={DatabasePath}")) SqliteConnection.ClearPool(pooled);
        Directory.Delete(_folder, recursive: true);
    }
}
