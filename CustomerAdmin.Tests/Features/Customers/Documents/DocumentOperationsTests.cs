using CustomerAdmin.Features.Customers.Documents;
using CustomerAdmin.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace CustomerAdmin.Tests.Features.Customers.Documents;

public sealed class DocumentOperationsTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), $"customeradmin-docs-{Guid.NewGuid():N}");

    public void Dispose()
    {
        if (Directory.Exists(_folder)) Directory.Delete(_folder, recursive: true);
    }

    private DocumentOperations Store(TestDatabase database, long maxBytes = DocumentsOptions.DefaultMaxBytes) =>
        new(database.Factory, Options.Create(new DocumentsOptions { Store = DocumentStorage.Folder, Folder = _folder, MaxBytes = maxBytes }),
            new Env(), TimeProvider.System, NullLogger<DocumentOperations>.Instance);

    private const long Megabyte = 1024 * 1024;

    [Theory, InlineData(DatabaseProvider.Sqlite), InlineData(DatabaseProvider.Postgres)]
    public async Task UploadsStopAtTheDefaultPerCustomerQuotaWithNothingStoredForTheRefusedOne(DatabaseProvider provider)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var database = await TestDatabase.CreateAsync(provider, ct: ct);
        var customerId = (await database.Data.CustomerAsync()).Id;
        var store = Store(database);
        Assert.Equal(100 * Megabyte, store.MaxBytesPerCustomer);
        for (var i = 1; i <= 9; i++)
            await store.SaveAsync(customerId, new EndlessPdfStream(10 * Megabyte), $"scan-{i}.pdf", DocumentType.Other, "ann", ct);
        await store.SaveAsync(customerId, new EndlessPdfStream(6 * Megabyte), "scan-10.pdf", DocumentType.Other, "ann", ct);

        // 96 MB stored: an 8 MB file is cut off once it passes the 4 MB left.
        var eightMegabytes = new EndlessPdfStream(8 * Megabyte);
        var refused = await Assert.ThrowsAsync<DocumentRejectedException>(() =>
            store.SaveAsync(customerId, eightMegabytes, "big.pdf", DocumentType.Other, "ann", ct));
        Assert.Equal("This customer's documents already take 96 MB of the 100 MB allowed per customer, so this file does not fit. " +
            "Nothing was saved; delete documents they no longer need first.", refused.Message);
        Assert.InRange(eightMegabytes.Position, 4 * Megabyte, 5 * Megabyte);
        Assert.Equal(10, FilesOnDisk().Length);

        // What is left still fits, to the byte.
        await store.SaveAsync(customerId, new EndlessPdfStream(4 * Megabyte), "last.pdf", DocumentType.Other, "ann", ct);
        Assert.Equal(100 * Megabyte, await store.UsedBytesAsync(customerId, ct));

        var atQuota = new EndlessPdfStream(1024);
        var full = await Assert.ThrowsAsync<DocumentRejectedException>(() =>
            store.SaveAsync(customerId, atQuota, "note.pdf", DocumentType.Other, "ann", ct));
        Assert.Contains("100 MB of the 100 MB allowed per customer", full.Message);
        Assert.Equal(0, atQuota.Position);
        await using (var db = database.CreateDbContext())
            Assert.Equal(11, await db.Documents.CountAsync(d => d.CustomerId == customerId, ct));
        Assert.Equal(11, FilesOnDisk().Length);

        // The quota is per customer: another one still uploads.
        var otherId = (await database.Data.CustomerAsync(phoneE164: "+12127365001")).Id;
        await store.SaveAsync(otherId, new MemoryStream(DocumentContentTests.PdfBytes), "contract.pdf", DocumentType.Contract, "ann", ct);
    }

    [Theory, InlineData(DatabaseProvider.Sqlite), InlineData(DatabaseProvider.Postgres)]
    public async Task TheQuotaIsCheckedAgainAtTheInsert(DatabaseProvider provider)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var database = await TestDatabase.CreateAsync(provider, ct: ct);
        var customerId = (await database.Data.CustomerAsync()).Id;
        var store = StoreWithQuota(database, perCustomer: 3 * Megabyte);
        // Another upload for the same customer finishes while this one is still streaming.
        var stream = new EndlessPdfStream(2 * Megabyte, atHalf: () =>
            store.SaveAsync(customerId, new EndlessPdfStream(2 * Megabyte), "first.pdf", DocumentType.Other, "ann", ct).GetAwaiter().GetResult());

        var refused = await Assert.ThrowsAsync<DocumentRejectedException>(() =>
            store.SaveAsync(customerId, stream, "second.pdf", DocumentType.Other, "ann", ct));

        Assert.Contains("2 MB of the 3 MB allowed per customer", refused.Message);
        await using var db = database.CreateDbContext();
        Assert.Equal("first.pdf", (await db.Documents.SingleAsync(ct)).FileName);
        Assert.Single(FilesOnDisk());
    }

    private DocumentOperations StoreWithQuota(TestDatabase database, long perCustomer) =>
        new(database.Factory, Options.Create(new DocumentsOptions { Store = DocumentStorage.Folder, Folder = _folder, MaxBytesPerCustomer = perCustomer }),
            new Env(), TimeProvider.System, NullLogger<DocumentOperations>.Instance);

    private string[] FilesOnDisk() => Directory.Exists(_folder) ? Directory.GetFiles(_folder) : [];

    [Theory, InlineData(DatabaseProvider.Sqlite), InlineData(DatabaseProvider.Postgres)]
    public async Task UploadStoresFileAndRowAndDeleteRemovesBoth(DatabaseProvider provider)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var database = await TestDatabase.CreateAsync(provider, ct: ct);
        var customerId = (await database.Data.CustomerAsync()).Id;
        var store = Store(database);
        var bytes = DocumentContentTests.PdfBytes;

        var stored = await store.SaveAsync(customerId, new MemoryStream(bytes), "Contract 2026.pdf", DocumentType.Contract, "ann", ct);

        Assert.Null(stored.Notice);
        await using (var db = database.CreateDbContext())
        {
            var row = await db.Documents.SingleAsync(ct);
            Assert.Equal("Contract 2026.pdf", row.FileName);
            Assert.Equal(DocumentType.Contract, row.Type);
            Assert.Equal(bytes.Length, row.Size);
            Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes)), row.Sha256);
            Assert.Equal("ann", row.UploadedBy);
            Assert.Equal("application/pdf", row.ContentType);
            var file = Assert.Single(FilesOnDisk());
            Assert.Equal(row.StoredName, Path.GetFileName(file));
            Assert.Equal(bytes, await File.ReadAllBytesAsync(file, ct));
            // Written as a temporary file and renamed, which keeps its mode: only the app's user may read it.
            if (!OperatingSystem.IsWindows())
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        }

        Assert.True(await store.DeleteAsync(stored.Document.Id, ct));
        await using var read = database.CreateDbContext();
        Assert.Equal(0, await read.Documents.CountAsync(ct));
        Assert.Empty(FilesOnDisk());
    }

    [Theory, InlineData(DatabaseProvider.Sqlite), InlineData(DatabaseProvider.Postgres)]
    public async Task ExecutableClaimingToBeAPdfLeavesNothingBehind(DatabaseProvider provider)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var database = await TestDatabase.CreateAsync(provider, ct: ct);
        var customerId = (await database.Data.CustomerAsync()).Id;

        var refused = await Assert.ThrowsAsync<DocumentRejectedException>(() =>
            Store(database).SaveAsync(customerId, new MemoryStream(DocumentContentTests.ExeBytes), "invoice.pdf", DocumentType.Invoice, "ann", ct));

        Assert.Contains("program", refused.Message);
        await AssertNothingStoredAsync(database, ct);
    }

    [Theory, InlineData(DatabaseProvider.Sqlite), InlineData(DatabaseProvider.Postgres)]
    public async Task HugeUploadIsCutOffAtTheLimitWhileStreaming(DatabaseProvider provider)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var database = await TestDatabase.CreateAsync(provider, ct: ct);
        var customerId = (await database.Data.CustomerAsync()).Id;
        var twoGigabytes = new EndlessPdfStream(2L * 1024 * 1024 * 1024);

        var refused = await Assert.ThrowsAsync<DocumentRejectedException>(() =>
            Store(database, maxBytes: 1024 * 1024).SaveAsync(customerId, twoGigabytes, "scan.pdf", DocumentType.Other, "ann", ct));

        Assert.Contains("larger than the limit of 1 MB", refused.Message);
        Assert.InRange(twoGigabytes.Position, 1024 * 1024, 2 * 1024 * 1024);
        Assert.Equal("This file is 2 GB; the limit is 1 MB.", Store(database, maxBytes: 1024 * 1024).CheckDeclaredSize(twoGigabytes.Length));
        await AssertNothingStoredAsync(database, ct);
    }

    [Theory, InlineData(DatabaseProvider.Sqlite), InlineData(DatabaseProvider.Postgres)]
    public async Task PathInTheFileNameIsDroppedAndTheUserIsTold(DatabaseProvider provider)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var database = await TestDatabase.CreateAsync(provider, ct: ct);
        var customerId = (await database.Data.CustomerAsync()).Id;

        var stored = await Store(database).SaveAsync(customerId, new MemoryStream(DocumentContentTests.PdfBytes), "../../appsettings.pdf",
            DocumentType.Other, "ann", ct);

        Assert.Equal("appsettings.pdf", stored.Document.FileName);
        Assert.Contains("appsettings.pdf", stored.Notice);
        var file = Assert.Single(FilesOnDisk());
        Assert.Equal(stored.Document.StoredName, Path.GetFileName(file));
        Assert.False(File.Exists(Path.Combine(_folder, "..", "..", "appsettings.pdf")));
    }

    [Theory, InlineData(DatabaseProvider.Sqlite), InlineData(DatabaseProvider.Postgres)]
    public async Task FailedInsertRemovesTheFile(DatabaseProvider provider)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var database = await TestDatabase.CreateAsync(provider, ct: ct);

        await Assert.ThrowsAsync<DocumentRejectedException>(() =>
            Store(database).SaveAsync(customerId: 12345, new MemoryStream(DocumentContentTests.PdfBytes), "a.pdf", DocumentType.Other, "ann", ct));

        await AssertNothingStoredAsync(database, ct);
    }

    private async Task AssertNothingStoredAsync(TestDatabase database, CancellationToken ct)
    {
        await using var db = database.CreateDbContext();
        Assert.Equal(0, await db.Documents.CountAsync(ct));
        Assert.Empty(FilesOnDisk());
    }

    /// <summary>A PDF header followed by as many bytes as asked for, produced on demand so the test never holds them.</summary>
    private sealed class EndlessPdfStream(long length, Action? atHalf = null) : Stream
    {
        private long _position;
        private Action? _atHalf = atHalf;
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => length;
        public override long Position { get => _position; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            var n = (int)Math.Min(count, length - _position);
            buffer.AsSpan(offset, n).Fill((byte)'x');
            if (_position == 0) "%PDF-1.7\n"u8[..Math.Min(n, 9)].CopyTo(buffer.AsSpan(offset));
            _position += n;
            if (_atHalf is { } run && _position >= length / 2)
            {
                _atHalf = null;
                run();
            }
            return n;
        }

        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    private sealed class Env : IHostEnvironment
    {
        public string EnvironmentName { get; set; } = "Test";
        public string ApplicationName { get; set; } = "CustomerAdmin";
        public string ContentRootPath { get; set; } = Path.GetTempPath();
        public Microsoft.Extensions.FileProviders.IFileProvider ContentRootFileProvider { get; set; } = null!;
    }
}
