using CustomerAdmin.Data;
using CustomerAdmin.Features.Customers.Documents;
using CustomerAdmin.Features.Privacy.Erasure;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CustomerAdmin.Tests.Features.Privacy.Erasure;

/// <summary>
/// "Nothing left in the files": the running app on a SQLite file in WAL mode, a person stored, edited and written about
/// as the app does it; after the erasure neither the database file, nor its write-ahead log, nor the documents folder
/// holds their name or any of their phone numbers, byte for byte.
/// </summary>
public sealed class SqliteFileErasureTests
{
    [Fact]
    public async Task TheDatabaseFileItsLogAndTheDocumentsFolderNoLongerHoldThePerson()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var server = new AppServer();
        await server.InitializeAsync();
        var factory = server.Services.GetRequiredService<IDbContextFactory<AppDbContext>>();
        var documents = server.Services.GetRequiredService<DocumentOperations>();
        var scenario = await PrivacyScenario.CreateAsync(factory, documents, DateTime.UtcNow, ct);
        string database;
        await using (var db = factory.CreateDbContext())
        {
            database = new SqliteConnectionStringBuilder(db.Database.GetConnectionString()).DataSource;
            await using var mode = db.Database.GetDbConnection().CreateCommand();
            await db.Database.OpenConnectionAsync(ct);
            mode.CommandText = "PRAGMA journal_mode";
            Assert.Equal("wal", (string?)await mode.ExecuteScalarAsync(ct));
        }
        List<string> Found() => new[] { database, database + "-wal" }.Concat(Directory.Exists(documents.Folder) ? Directory.EnumerateFiles(documents.Folder, "*", SearchOption.AllDirectories) : [])
            .SelectMany(PrivacyScenario.FindInFile).ToList();
        // The search sees the person before: name and phone, in the database or its log, and in the document's file.
        var before = Found();
        Assert.Contains(before, f => f.EndsWith(": zelphine", StringComparison.Ordinal));
        Assert.Contains(before, f => f.EndsWith(": 2125550143", StringComparison.Ordinal));
        // The document's content is in the database (its chunks), which the search reads with the rest.
        Assert.Empty(Directory.Exists(documents.Folder) ? Directory.EnumerateFiles(documents.Folder) : []);

        var result = await server.Services.GetRequiredService<ErasureOperations>().EraseAsync(scenario.CustomerId, "Request by email", "dpo@test.local", ct);

        Assert.True(result.Purged);
        Assert.Empty(Found());
        // The log was emptied by the erasure's checkpoint; what is in it now came after (the access log's row of the
        // erasure, written by its background writer), and the search above read it too.
    }
}
