using System.Security.Cryptography;
using CustomerAdmin.Data;
using CustomerAdmin.Features.Customers.Documents;
using CustomerAdmin.Security;
using CustomerAdmin.Tests.EndToEnd;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CustomerAdmin.Tests.Features.Customers.Documents;

/// <summary>
/// Chunks an upload wrote before a crash cut it short (no document row ever named them) are deleted when the app starts,
/// once the upload has written nothing for an hour; finished documents, however old, and uploads still under way keep
/// theirs. On both providers, through the app's start-up on Kestrel.
/// </summary>
public sealed class OrphanedChunkPurgeTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory, InlineData(DatabaseProvider.Sqlite), InlineData(DatabaseProvider.Postgres)]
    public async Task AtStartChunksOfUploadsThatNeverFinishedGoAfterAnHourAndDocumentsAndLiveUploadsStay(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider, ct: Ct);
        var customerId = (await database.Data.CustomerAsync()).Id;
        var finished = new List<(int Id, string StoredName, string Sha256)>();
        List<string> crashed = [.. Enumerable.Range(0, 150).Select(_ => Guid.NewGuid().ToString("N"))];
        List<string> recentlyCrashed = [.. Enumerable.Range(0, 50).Select(_ => Guid.NewGuid().ToString("N"))];
        var slowUpload = Guid.NewGuid().ToString("N");
        await using (var first = await AppServer.StartAsync(database))
        {
            var operations = first.Services.GetRequiredService<DocumentOperations>();
            for (var i = 0; i < 5; i++)
            {
                var file = new GeneratedPdf(DocumentChunk.MaxBytes + 1000 * (i + 1));
                var stored = await operations.SaveAsync(customerId, file, $"contract-{i}.pdf", DocumentType.Contract, "ann", Ct);
                finished.Add((stored.Document.Id, stored.Document.StoredName, file.Sha256));
            }
            foreach (var name in crashed.Concat(recentlyCrashed))
                await operations.Store.WriteAsync(DocumentStorage.Database, name, new MemoryStream(new byte[1000]), Ct);
            await operations.Store.WriteAsync(DocumentStorage.Database, slowUpload, new GeneratedPdf(2 * DocumentChunk.MaxBytes + 10), Ct);
        }
        var now = DateTime.UtcNow;
        await using (var db = database.CreateDbContext())
        {
            // The crash two hours ago; the finished documents as old; another crash 50 minutes ago; a slow upload that
            // began two hours ago and wrote its latest chunk a moment ago.
            var old = finished.Select(f => f.StoredName).Concat(crashed).ToList();
            await db.DocumentChunks.Where(c => old.Contains(c.StoredName))
                .ExecuteUpdateAsync(s => s.SetProperty(c => c.WrittenAt, now.AddHours(-2)), Ct);
            await db.DocumentChunks.Where(c => recentlyCrashed.Contains(c.StoredName))
                .ExecuteUpdateAsync(s => s.SetProperty(c => c.WrittenAt, now.AddMinutes(-50)), Ct);
            await db.DocumentChunks.Where(c => c.StoredName == slowUpload && c.Index < 2)
                .ExecuteUpdateAsync(s => s.SetProperty(c => c.WrittenAt, now.AddHours(-2)), Ct);
            Assert.Equal(5 * 2 + 150 + 50 + 3, await db.DocumentChunks.CountAsync(Ct));
        }

        await using var app = await AppServer.StartAsync(database);

        await WaitForAsync(async () =>
        {
            await using var db = database.CreateDbContext();
            return !await db.DocumentChunks.AnyAsync(c => crashed.Contains(c.StoredName), Ct);
        });
        await using (var db = database.CreateDbContext())
        {
            var left = await db.DocumentChunks.GroupBy(c => c.StoredName).Select(g => new { g.Key, Count = g.Count() }).ToDictionaryAsync(g => g.Key, g => g.Count, Ct);
            Assert.Equal(5 + 50 + 1, left.Count);
            Assert.All(finished, f => Assert.Equal(2, left[f.StoredName]));
            Assert.All(recentlyCrashed, name => Assert.Equal(1, left[name]));
            Assert.Equal(3, left[slowUpload]);
        }
        using var staff = await app.SignedInHttpClientAsync(AppRoles.Staff);
        foreach (var (id, _, sha256) in finished)
            Assert.Equal(sha256, Convert.ToHexStringLower(SHA256.HashData(await staff.GetByteArrayAsync($"documents/{id}", Ct))));
    }

    private static async Task WaitForAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "The orphaned chunks were still there 30 s after the app started.");
            await Task.Delay(100, Ct);
        }
    }
}
