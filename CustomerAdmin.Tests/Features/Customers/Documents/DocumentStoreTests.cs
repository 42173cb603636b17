using System.Net;
using System.Security.Cryptography;
using CustomerAdmin.Data;
using CustomerAdmin.Features.Customers.Documents;
using CustomerAdmin.Security;
using CustomerAdmin.Tests.EndToEnd;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CustomerAdmin.Tests.Features.Customers.Documents;

/// <summary>Tests that measure the process's memory run alone, so no other test's allocations are counted.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class MemoryMeasuredCollection
{
    public const string Name = "Memory measured";
}

/// <summary>
/// Documents in the database (the default store, which every app instance sees) and the move between it and the
/// folder, on both providers over Kestrel: a 20 MB file goes in as 256 KB chunks and comes out whole over HTTP
/// without the app ever holding it in memory.
/// </summary>
[Collection(MemoryMeasuredCollection.Name)]
public sealed class DocumentStoreTests : IDisposable
{
    private const long Megabyte = 1024 * 1024;
    private readonly string _folder = Directory.CreateTempSubdirectory("customeradmin-store-").FullName;

    public void Dispose()
    {
        if (Directory.Exists(_folder)) Directory.Delete(_folder, recursive: true);
    }

    [Theory, InlineData(DatabaseProvider.Sqlite), InlineData(DatabaseProvider.Postgres)]
    public async Task TwentyMegabytesAreStoredInChunksAndDownloadWholeWithoutBeingHeldInMemory(DatabaseProvider provider)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var database = await TestDatabase.CreateAsync(provider, ct: ct);
        await using var server = await AppServer.StartAsync(database, new Dictionary<string, string?>
        {
            ["Documents:Folder"] = _folder, ["Documents:MaxBytes"] = (32 * Megabyte).ToString(),
        });
        var customerId = (await database.Data.CustomerAsync()).Id;
        var operations = server.Services.GetRequiredService<DocumentOperations>();
        var upload = new GeneratedPdf(20 * Megabyte);
        var stored = await operations.SaveAsync(customerId, upload, "survey.pdf", DocumentType.Other, "ann", ct);

        Assert.Equal(DocumentStorage.Database, stored.Document.Storage);
        Assert.Equal(upload.Sha256, stored.Document.Sha256);
        Assert.Empty(Directory.GetFiles(_folder, "*", SearchOption.AllDirectories));
        await using (var db = database.CreateDbContext())
        {
            var chunks = await db.DocumentChunks.Where(c => c.StoredName == stored.Document.StoredName)
                .Select(c => new { c.Index, c.Bytes.Length }).OrderBy(c => c.Index).ToListAsync(ct);
            Assert.Equal(80, chunks.Count);
            Assert.Equal(Enumerable.Range(0, 80), chunks.Select(c => c.Index));
            Assert.All(chunks, c => Assert.Equal(DocumentChunk.MaxBytes, c.Length));
        }

        using var staff = await server.SignedInHttpClientAsync(AppRoles.Staff);
        using var response = await staff.GetAsync($"documents/{stored.Document.Id}", HttpCompletionOption.ResponseHeadersRead, ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(20 * Megabyte, response.Content.Headers.ContentLength);
        Assert.Equal("application/pdf", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("survey.pdf", response.Content.Headers.ContentDisposition?.FileNameStar);
        Assert.True(response.Headers.CacheControl?.NoStore);
        var baseline = RetainedBytes();
        long retainedEarly = 0, received = 0;
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        await using (var body = await response.Content.ReadAsStreamAsync(ct))
        {
            var buffer = new byte[64 * 1024];
            int read;
            while ((read = await body.ReadAsync(buffer, ct)) > 0)
            {
                // Early: loopback socket buffers hold megabytes, so a server that read the file whole may already have
                // handed all of it to the kernel (and let go of it) by the time the client is half-way.
                if (received < Megabyte && received + read >= Megabyte) retainedEarly = RetainedBytes() - baseline;
                received += read;
                sha.AppendData(buffer, 0, read);
            }
        }
        Assert.Equal(20 * Megabyte, received);
        Assert.Equal(upload.Sha256, Convert.ToHexStringLower(sha.GetHashAndReset()));
        // A megabyte in, the server holds a chunk or two, not the file: reading it whole would keep 20 MB alive here.
        Assert.True(retainedEarly < 8 * Megabyte, $"{retainedEarly / Megabyte} MB more retained a megabyte into the download");

        Assert.True(await operations.DeleteAsync(stored.Document.Id, ct));
        await using (var db = database.CreateDbContext())
            Assert.Equal(0, await db.DocumentChunks.CountAsync(ct));
        using var gone = await staff.GetAsync($"documents/{stored.Document.Id}", ct);
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
    }

    [Theory, InlineData(DatabaseProvider.Sqlite), InlineData(DatabaseProvider.Postgres)]
    public async Task MoveCommandTakesFolderDocumentsIntoTheDatabaseAndBackAndEachStillDownloads(DatabaseProvider provider)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var database = await TestDatabase.CreateAsync(provider, ct: ct);
        var customerId = (await database.Data.CustomerAsync()).Id;
        var files = new List<(int Id, string Sha256)>();
        await using (var folderApp = await AppServer.StartAsync(database, new Dictionary<string, string?>
                     {
                         ["Documents:Folder"] = _folder, ["Documents:Store"] = "Folder",
                     }))
        {
            var operations = folderApp.Services.GetRequiredService<DocumentOperations>();
            foreach (var size in new[] { 1000L, DocumentChunk.MaxBytes, 3 * Megabyte + 17 })
            {
                var file = new GeneratedPdf(size);
                var stored = await operations.SaveAsync(customerId, file, $"file-{size}.pdf", DocumentType.Contract, "ann", ct);
                Assert.Equal(DocumentStorage.Folder, stored.Document.Storage);
                files.Add((stored.Document.Id, file.Sha256));
            }
        }
        Assert.Equal(3, Directory.GetFiles(_folder).Length);

        Assert.Equal(0, await DocumentsCommand.RunAsync(["documents", "move", "--to", "database", .. Settings(database)]));
        Assert.Empty(Directory.GetFiles(_folder));
        await using (var db = database.CreateDbContext())
        {
            Assert.All(await db.Documents.ToListAsync(ct), d => Assert.Equal(DocumentStorage.Database, d.Storage));
            Assert.Equal(1 + 1 + 13, await db.DocumentChunks.CountAsync(ct));
        }
        await using (var app = await AppServer.StartAsync(database, new Dictionary<string, string?> { ["Documents:Folder"] = _folder }))
            await AssertDownloadsAsync(app, files);

        Assert.Equal(0, await DocumentsCommand.RunAsync(["documents", "move", "--to", "folder", .. Settings(database)]));
        Assert.Equal(3, Directory.GetFiles(_folder).Length);
        await using (var db = database.CreateDbContext())
            Assert.Equal(0, await db.DocumentChunks.CountAsync(ct));
        await using (var app = await AppServer.StartAsync(database, new Dictionary<string, string?> { ["Documents:Folder"] = _folder }))
            await AssertDownloadsAsync(app, files);

        Assert.Equal(1, await DocumentsCommand.RunAsync(["documents", "move", "--to", "nowhere", .. Settings(database)]));
    }

    private string[] Settings(TestDatabase database) =>
    [
        $"--Database:Provider={database.Provider}",
        $"--ConnectionStrings:{(database.Provider == DatabaseProvider.Sqlite ? "Sqlite" : "Postgres")}={database.ConnectionString}",
        $"--Documents:Folder={_folder}",
    ];

    private static async Task AssertDownloadsAsync(AppServer app, List<(int Id, string Sha256)> files)
    {
        var ct = TestContext.Current.CancellationToken;
        using var staff = await app.SignedInHttpClientAsync(AppRoles.Staff);
        foreach (var (id, sha256) in files)
        {
            var bytes = await staff.GetByteArrayAsync($"documents/{id}", ct);
            Assert.Equal(sha256, Convert.ToHexStringLower(SHA256.HashData(bytes)));
        }
    }

    private static long RetainedBytes()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        return GC.GetTotalMemory(forceFullCollection: true);
    }
}

/// <summary>A PDF-headed file of any size made on the fly (never whole in memory), with its SHA-256 known at the end.</summary>
public sealed class GeneratedPdf(long length) : Stream
{
    private static readonly byte[] Head = "%PDF-1.7\n%generated\n"u8.ToArray();
    private readonly IncrementalHash _sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private long _position;
    private string? _sha256;

    /// <summary>Valid once the whole stream has been read.</summary>
    public string Sha256 => _sha256 ?? throw new InvalidOperationException("Not read to the end yet.");

    public override int Read(byte[] buffer, int offset, int count)
    {
        var n = (int)Math.Min(count, length - _position);
        for (var i = 0; i < n; i++)
        {
            var at = _position + i;
            buffer[offset + i] = at < Head.Length ? Head[at] : (byte)((at * 2654435761L) >> 13);
        }
        _sha.AppendData(buffer, offset, n);
        _position += n;
        if (_position == length) _sha256 ??= Convert.ToHexStringLower(_sha.GetHashAndReset());
        return n;
    }

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => length;
    public override long Position { get => _position; set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing) _sha.Dispose();
        base.Dispose(disposing);
    }
}
