using System.IO.Compression;
using System.Text.Json;
using CustomerAdmin.Data;
using CustomerAdmin.Features;
using CustomerAdmin.Features.Customers.Documents;
using CustomerAdmin.Features.Privacy.Export;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace CustomerAdmin.Tests.Features.Privacy;

/// <summary>
/// <c>dotnet CustomerAdmin.dll privacy export|erase</c> run as its own process, as a data-protection officer runs it,
/// against a SQLite file holding the privacy scenario.
/// </summary>
public sealed class PrivacyCommandTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("customeradmin-privacy-cli-").FullName;

    private string ConnectionString => $"Data Source={Path.Combine(_folder, "app.db")}";
    private string DocumentsFolder => Path.Combine(_folder, "documents");

    [Fact]
    public async Task ExportWritesTheZipAndEraseNeedsYesThenLeavesNothing()
    {
        var ct = TestContext.Current.CancellationToken;
        var options = new DbContextOptionsBuilder<SqliteAppDbContext>().UseSqlite(ConnectionString).UseCustomerAdmin(null).Options;
        await using (var db = new SqliteAppDbContext(options))
            await db.Database.MigrateAsync(ct);
        var factory = new Factory(() => new SqliteAppDbContext(options));
        var documents = new DocumentOperations(factory, Options.Create(new DocumentsOptions { Folder = DocumentsFolder }), new Env(),
            TimeProvider.System, NullLogger<DocumentOperations>.Instance);
        var scenario = await PrivacyScenario.CreateAsync(factory, documents, DateTime.UtcNow, ct);
        var zip = Path.Combine(_folder, "person.zip");

        var (exported, exportOutput) = await RunAsync(ct, "privacy", "export", "--customer", scenario.CustomerId.ToString(), "--output", zip);

        Assert.True(exported == 0, exportOutput);
        using (var archive = ZipFile.OpenRead(zip))
        {
            using var json = await JsonDocument.ParseAsync(archive.GetEntry(SubjectAccessExport.JsonEntry)!.Open(), cancellationToken: ct);
            Assert.Equal(PrivacyScenario.Sms, json.RootElement.GetProperty("tables").GetProperty("SmsMessage").GetArrayLength());
            Assert.Single(archive.Entries, e => e.FullName.StartsWith(SubjectAccessExport.DocumentsFolder, StringComparison.Ordinal));
        }

        var (unconfirmed, refusal) = await RunAsync(ct, "privacy", "erase", "--customer", scenario.CustomerId.ToString(), "--reason", "Letter of 2 December");
        Assert.Equal(1, unconfirmed);
        Assert.Contains("--yes", refusal);
        Assert.NotEmpty(await PrivacyScenario.FindAsync(factory, ct));

        var (erased, output) = await RunAsync(ct, "privacy", "erase", "--customer", scenario.CustomerId.ToString(), "--reason", "Letter of 2 December", "--yes");

        Assert.True(erased == 0, output);
        Assert.Contains($"Erased customer #{scenario.CustomerId}", output);
        Assert.Empty(await PrivacyScenario.FindAsync(factory, ct));
        Assert.False(File.Exists(scenario.DocumentFile));
    }

    private Task<(int Exit, string Output)> RunAsync(CancellationToken ct, params string[] args) =>
        AppCommand.RunAsync(ConnectionString, new Dictionary<string, string> { ["Documents__Folder"] = DocumentsFolder }, ct, args);

    public void Dispose()
    {
        using (var pooled = new SqliteConnection(ConnectionString)) SqliteConnection.ClearPool(pooled);
        Directory.Delete(_folder, recursive: true);
    }

    private sealed class Factory(Func<AppDbContext> create) : IDbContextFactory<AppDbContext>
    {
        public AppDbContext CreateDbContext() => create();
    }

    private sealed class Env : IHostEnvironment
    {
        public string EnvironmentName { get; set; } = "Test";
        public string ApplicationName { get; set; } = "CustomerAdmin";
        public string ContentRootPath { get; set; } = Path.GetTempPath();
        public Microsoft.Extensions.FileProviders.IFileProvider ContentRootFileProvider { get; set; } = null!;
    }
}
