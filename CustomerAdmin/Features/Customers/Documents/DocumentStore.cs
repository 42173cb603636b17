using CustomerAdmin.Common;
using CustomerAdmin.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace CustomerAdmin.Features.Customers.Documents;

/// <summary>
/// Where document bytes live, and the one place that reads, writes and deletes them: in the database as 256 KB
/// <see cref="DocumentChunk"/> rows (the default, seen by every instance on the database) or as files in
/// <c>Documents:Folder</c> (which must then be a folder every instance shares). Content is always streamed a buffer or a
/// chunk at a time. Which rows a document has is <see cref="DocumentOperations"/>' business.
/// </summary>
public sealed class DocumentStore(IDbContextFactory<AppDbContext> factory, IOptions<DocumentsOptions> options,
    IHostEnvironment environment, TimeProvider time, ILogger logger)
{
    private const int BufferSize = 81920;

    /// <summary>Where new uploads go (<c>Documents:Store</c>).</summary>
    public DocumentStorage Default => options.Value.Store;

    public string Folder => Path.GetFullPath(options.Value.Folder, environment.ContentRootPath);

    public string PathOf(string storedName)
    {
        // Stored names are generated GUIDs; refuse anything else rather than trusting a row that was tampered with.
        if (!Guid.TryParseExact(storedName, "N", out _)) throw new InvalidOperationException("Not a stored document name.");
        return Path.Combine(Folder, storedName);
    }

    /// <summary>
    /// Where an upload is spooled while it is checked: in the documents folder when it is to stay there (a rename then
    /// stores it), else in the system's temp folder, from which <see cref="CommitAsync"/> streams it into chunks.
    /// </summary>
    public string SpoolPathOf(DocumentStorage storage, string storedName)
    {
        var folder = storage == DocumentStorage.Folder ? Folder : Path.GetTempPath();
        Directory.CreateDirectory(folder);
        return Path.Combine(folder, storage == DocumentStorage.Folder ? $".{storedName}.part" : $"customeradmin-upload-{storedName}.part");
    }

    /// <summary>Stores a checked spool file as <paramref name="storedName"/>; the spool file is gone afterwards.</summary>
    public async Task CommitAsync(DocumentStorage storage, string storedName, string spoolPath, CancellationToken ct)
    {
        if (storage == DocumentStorage.Folder)
        {
            File.Move(spoolPath, PathOf(storedName));
            return;
        }
        try
        {
            await using var file = new FileStream(spoolPath, FileMode.Open, FileAccess.Read, FileShare.Read, BufferSize, useAsync: true);
            await WriteAsync(storage, storedName, file, ct);
        }
        finally
        {
            TryDelete(spoolPath);
        }
    }

    /// <summary>Writes <paramref name="content"/> as <paramref name="storedName"/>; on failure nothing of it is left.</summary>
    public async Task WriteAsync(DocumentStorage storage, string storedName, Stream content, CancellationToken ct)
    {
        try
        {
            if (storage == DocumentStorage.Database) await WriteChunksAsync(storedName, content, ct);
            else await WriteFileAsync(storedName, content, ct);
        }
        catch
        {
            await DeleteAsync(storage, storedName);
            throw;
        }
    }

    private async Task WriteFileAsync(string storedName, Stream content, CancellationToken ct)
    {
        Directory.CreateDirectory(Folder);
        var part = SpoolPathOf(DocumentStorage.Folder, storedName);
        try
        {
            await using (var file = PrivateFile.Create(part, BufferSize))
                await content.CopyToAsync(file, BufferSize, ct);
            File.Move(part, PathOf(storedName));
        }
        finally
        {
            if (File.Exists(part)) TryDelete(part);
        }
    }

    private async Task WriteChunksAsync(string storedName, Stream content, CancellationToken ct)
    {
        // One buffer for every chunk, and one short transaction per chunk: a slow upload never holds a write lock
        // (SQLite has one writer for the whole database) for longer than a 256 KB insert.
        var buffer = new byte[DocumentChunk.MaxBytes];
        await using var db = await factory.CreateDbContextAsync(ct);
        for (var index = 0; ; index++)
        {
            var filled = await content.ReadAtLeastAsync(buffer, buffer.Length, throwOnEndOfStream: false, ct);
            if (filled == 0) break;
            db.DocumentChunks.Add(new DocumentChunk
            {
                StoredName = storedName, Index = index, Bytes = filled == buffer.Length ? buffer : buffer[..filled], WrittenAt = time.GetUtcNow().UtcDateTime,
            });
            await db.SaveChangesAsync(ct);
            db.ChangeTracker.Clear();
            if (filled < buffer.Length) break;
        }
    }

    /// <summary>True when the content of <paramref name="document"/> is where its row says.</summary>
    public async Task<bool> ExistsAsync(CustomerDocument document, CancellationToken ct)
    {
        if (document.Storage == DocumentStorage.Folder) return File.Exists(PathOf(document.StoredName));
        await using var db = await factory.CreateDbContextAsync(ct);
        return await db.DocumentChunks.AnyAsync(c => c.StoredName == document.StoredName && c.Index == 0, ct);
    }

    /// <summary>The content of <paramref name="document"/>, read a buffer (file) or a chunk (database) at a time.</summary>
    public Stream OpenRead(CustomerDocument document) => document.Storage == DocumentStorage.Folder
        ? new FileStream(PathOf(document.StoredName), FileMode.Open, FileAccess.Read, FileShare.Read, BufferSize, useAsync: true)
        : new ChunkReadStream(factory, document);

    /// <summary>Streams the content of <paramref name="document"/> to <paramref name="destination"/>.</summary>
    public async Task CopyToAsync(CustomerDocument document, Stream destination, CancellationToken ct)
    {
        await using var content = OpenRead(document);
        await content.CopyToAsync(destination, BufferSize, ct);
    }

    /// <summary>Best effort: content left behind by a failed delete is harmless, and logged.</summary>
    public async Task DeleteAsync(DocumentStorage storage, string storedName)
    {
        if (storage == DocumentStorage.Folder)
        {
            TryDelete(PathOf(storedName));
            return;
        }
        try
        {
            await using var db = await factory.CreateDbContextAsync();
            await db.DocumentChunks.Where(c => c.StoredName == storedName).ExecuteDeleteAsync();
        }
        catch (Exception ex) when (ex is DbUpdateException or System.Data.Common.DbException)
        {
            logger.LogWarning(ex, "Could not delete the chunks of document content {StoredName}", storedName);
        }
    }

    private void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            logger.LogWarning(ex, "Could not delete document file {Path}", path);
        }
    }
}

/// <summary>
/// A document's chunks as a read-only stream, one chunk in memory at a time. One query per chunk rather than one open
/// reader: a slow download then holds no database connection between chunks.
/// </summary>
internal sealed class ChunkReadStream(IDbContextFactory<AppDbContext> factory, CustomerDocument document) : Stream
{
    private AppDbContext? _db;
    private byte[] _chunk = [];
    private int _offset;
    private int _nextIndex;
    private long _position;

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => document.Size;
    public override long Position { get => _position; set => throw new NotSupportedException(); }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_offset == _chunk.Length)
        {
            if (_position >= document.Size) return 0;
            _db ??= await factory.CreateDbContextAsync(cancellationToken);
            var index = _nextIndex++;
            _chunk = await _db.DocumentChunks.AsNoTracking()
                .Where(c => c.StoredName == document.StoredName && c.Index == index)
                .Select(c => c.Bytes).FirstOrDefaultAsync(cancellationToken)
                ?? throw new InvalidDataException($"Document {document.Id} has no chunk {index} in the database.");
            _offset = 0;
            if (_chunk.Length == 0) return 0;
        }
        var count = Math.Min(buffer.Length, _chunk.Length - _offset);
        _chunk.AsMemory(_offset, count).CopyTo(buffer);
        _offset += count;
        _position += count;
        return count;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer, offset, count).GetAwaiter().GetResult();

    public override async ValueTask DisposeAsync()
    {
        if (_db is not null) await _db.DisposeAsync();
        await base.DisposeAsync();
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) _db?.Dispose();
        base.Dispose(disposing);
    }

    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
