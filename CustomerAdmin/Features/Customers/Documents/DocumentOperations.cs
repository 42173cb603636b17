using System.Security.Cryptography;
using CustomerAdmin.Common;
using CustomerAdmin.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using CustomerAdmin.Features.Customers;

namespace CustomerAdmin.Features.Customers.Documents;

/// <summary>An upload the app refused; the message is for the user.</summary>
public sealed class DocumentRejectedException(string message) : Exception(message);

public sealed record StoredDocument(CustomerDocument Document, string? Notice);

public sealed record DocumentSummary(int Id, DocumentType Type, string FileName, string ContentType, long Size, string Sha256,
    DateTime UploadedAt, string? UploadedBy);

/// <summary>
/// Document content and rows, kept in step: the upload is spooled to a private temporary file while it is hashed and
/// measured, checked, stored (<see cref="DocumentStore"/>: chunks in the database, or a file in the shared folder), and
/// only then is the row inserted; if the insert fails the content goes again. A refused or failed upload leaves
/// neither a row nor content behind.
/// </summary>
public sealed class DocumentOperations(IDbContextFactory<AppDbContext> factory, IOptions<DocumentsOptions> options,
    IHostEnvironment environment, TimeProvider time, ILogger<DocumentOperations> logger)
{
    private const int BufferSize = 81920;

    public DocumentStore Store { get; } = new(factory, options, environment, time, logger);

    public long MaxBytes => options.Value.MaxBytes;

    public long MaxBytesPerCustomer => options.Value.MaxBytesPerCustomer;

    public string Folder => Store.Folder;

    /// <summary>The file of a document kept in the folder store.</summary>
    public string PathOf(CustomerDocument document) => Store.PathOf(document.StoredName);

    public static string FormatSize(long bytes) => bytes switch
    {
        < 1024 => $"{bytes} B",
        < 1024 * 1024 => $"{bytes / 1024.0:0.#} KB",
        < 1024L * 1024 * 1024 => $"{bytes / (1024.0 * 1024):0.#} MB",
        _ => $"{bytes / (1024.0 * 1024 * 1024):0.#} GB",
    };

    /// <summary>Refuses a file the browser already says is too large, before a byte is sent.</summary>
    public string? CheckDeclaredSize(long size) =>
        size > MaxBytes ? $"This file is {FormatSize(size)}; the limit is {FormatSize(MaxBytes)}." :
        size == 0 ? "This file is empty." : null;

    public async Task<StoredDocument> SaveAsync(int customerId, Stream content, string? fileName, DocumentType type,
        string uploader, CancellationToken ct = default)
    {
        if (!Enum.IsDefined(type)) throw new DocumentRejectedException("Choose the document's type.");
        var (name, renamed) = DocumentFileName.Sanitize(fileName);
        var storage = Store.Default;
        var storedName = Guid.NewGuid().ToString("N");
        // Checked before the first byte is read, so a customer at the quota costs no disk at all; checked again at the
        // insert, under a lock, for uploads to the same customer running side by side.
        var used = await UsedBytesAsync(customerId, ct);
        if (used >= MaxBytesPerCustomer) throw new DocumentRejectedException(QuotaMessage(used));
        var spool = Store.SpoolPathOf(storage, storedName);
        var stored = false;
        try
        {
            var (size, hash, format) = await WriteCheckedAsync(content, spool, name, MaxBytesPerCustomer - used, used, ct);
            stored = true;
            await Store.CommitAsync(storage, storedName, spool, ct);
            var document = new CustomerDocument
            {
                CustomerId = customerId, Type = type, FileName = name, StoredName = storedName, Storage = storage,
                ContentType = format.ContentType, Size = size, Sha256 = hash, UploadedAt = time.GetUtcNow().UtcDateTime, UploadedBy = uploader,
            };
            await InsertAsync(document, ct);
            return new StoredDocument(document, renamed ? $"The file name was changed to \"{name}\" to make it safe." : null);
        }
        catch
        {
            TryDelete(spool);
            if (stored) await Store.DeleteAsync(storage, storedName);
            throw;
        }
    }

    /// <summary>How many bytes this customer's documents take now.</summary>
    public async Task<long> UsedBytesAsync(int customerId, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        return await UsedBytesAsync(db, customerId, ct);
    }

    private static async Task<long> UsedBytesAsync(AppDbContext db, int customerId, CancellationToken ct) =>
        await db.Documents.Where(d => d.CustomerId == customerId).SumAsync(d => (long?)d.Size, ct) ?? 0;

    private string QuotaMessage(long used) =>
        $"This customer's documents already take {FormatSize(used)} of the {FormatSize(MaxBytesPerCustomer)} allowed per customer, " +
        "so this file does not fit. Nothing was saved; delete documents they no longer need first.";

    private async Task<(long Size, string Hash, DocumentFormat Format)> WriteCheckedAsync(Stream content, string temp, string name,
        long room, long used, CancellationToken ct)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var head = new byte[DocumentContent.HeaderLength];
        var headLength = 0;
        long size = 0;
        DocumentFormat? format = null;
        await using (var file = PrivateFile.Create(temp, BufferSize))
        {
            var buffer = new byte[BufferSize];
            int read;
            while ((read = await content.ReadAsync(buffer, ct)) > 0)
            {
                size += read;
                // Counted while streaming: the declared size is the client's word, this is the fact.
                if (size > MaxBytes) throw new DocumentRejectedException($"This file is larger than the limit of {FormatSize(MaxBytes)}.");
                if (size > room) throw new DocumentRejectedException(QuotaMessage(used));
                if (headLength < head.Length)
                {
                    var take = Math.Min(read, head.Length - headLength);
                    buffer.AsSpan(0, take).CopyTo(head.AsSpan(headLength));
                    headLength += take;
                    // Refuse an executable as soon as its first bytes arrive instead of after all of it.
                    if (headLength == head.Length) format = Sniff(head, name);
                }
                sha.AppendData(buffer, 0, read);
                await file.WriteAsync(buffer.AsMemory(0, read), ct);
            }
        }
        if (size == 0) throw new DocumentRejectedException("This file is empty.");
        format ??= Sniff(head.AsSpan(0, headLength), name);
        if (format == DocumentContent.Docx || format == DocumentContent.Xlsx || format == DocumentContent.Pptx)
        {
            await using var file = File.OpenRead(temp);
            if (DocumentContent.CheckOfficePackage(file, format) is { } error) throw new DocumentRejectedException(error);
        }
        return (size, Convert.ToHexStringLower(sha.GetHashAndReset()), format);
    }

    private static DocumentFormat Sniff(ReadOnlySpan<byte> head, string name)
    {
        var (format, error) = DocumentContent.Sniff(head, name);
        return format ?? throw new DocumentRejectedException(error!);
    }

    private async Task InsertAsync(CustomerDocument document, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        db.Actor = document.UploadedBy ?? "system";
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        // A no-op write on the customer's row: two uploads for one customer queue here, so both cannot pass the quota.
        var live = await db.Customers.Live().Where(c => c.Id == document.CustomerId)
            .ExecuteUpdateAsync(s => s.SetProperty(c => c.Version, c => c.Version), ct);
        if (live == 0)
            throw new DocumentRejectedException("This customer has been deleted, so no document can be added.");
        var used = await UsedBytesAsync(db, document.CustomerId, ct);
        if (used + document.Size > MaxBytesPerCustomer) throw new DocumentRejectedException(QuotaMessage(used));
        db.Documents.Add(document);
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
    }

    /// <summary>The row goes first, in its own transaction; content left behind by a failed delete is harmless, a row without its content is not.</summary>
    public async Task<bool> DeleteAsync(int documentId, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var document = await db.Documents.FirstOrDefaultAsync(d => d.Id == documentId, ct);
        if (document is null) return false;
        db.Documents.Remove(document);
        await db.SaveChangesAsync(ct);
        await Store.DeleteAsync(document.Storage, document.StoredName);
        return true;
    }

    /// <summary>
    /// Removes the stored content of a document whose row is already gone (the privacy erasure deletes the rows in its
    /// own transaction, then the content). A content left behind by a failed delete is logged, as in <see cref="DeleteAsync"/>.
    /// </summary>
    public Task DeleteContentAsync(CustomerDocument document) => Store.DeleteAsync(document.Storage, document.StoredName);

    /// <summary>
    /// Moves every document whose content is not in <paramref name="to"/> there (the <c>documents move</c> command): copy,
    /// then switch the row, then remove the old copy, one document at a time. A crash leaves at worst an unused copy;
    /// a document deleted meanwhile has its new copy removed. Safe to run while the app serves users and to run again.
    /// </summary>
    /// <returns>Documents moved, and those whose content was missing where their row said (left as they are).</returns>
    public async Task<(int Moved, int Missing)> MoveAsync(DocumentStorage to, IProgress<(int Done, int Total)>? progress = null,
        CancellationToken ct = default)
    {
        var from = to == DocumentStorage.Database ? DocumentStorage.Folder : DocumentStorage.Database;
        int total, moved = 0, missing = 0, lastId = 0;
        await using (var db = await factory.CreateDbContextAsync(ct))
            total = await db.Documents.CountAsync(d => d.Storage == from, ct);
        while (true)
        {
            List<CustomerDocument> batch;
            await using (var db = await factory.CreateDbContextAsync(ct))
                batch = await db.Documents.AsNoTracking().Where(d => d.Storage == from && d.Id > lastId).OrderBy(d => d.Id).Take(100).ToListAsync(ct);
            if (batch.Count == 0) return (moved, missing);
            foreach (var document in batch)
            {
                lastId = document.Id;
                if (!await Store.ExistsAsync(document, ct))
                {
                    logger.LogWarning("Document {DocumentId} has no content in the {Storage} store; left as it is", document.Id, from);
                    missing++;
                    continue;
                }
                await using (var content = Store.OpenRead(document))
                    await Store.WriteAsync(to, document.StoredName, content, ct);
                await using var db = await factory.CreateDbContextAsync(ct);
                var switched = await db.Documents.Where(d => d.Id == document.Id && d.Storage == from)
                    .ExecuteUpdateAsync(s => s.SetProperty(d => d.Storage, to), ct);
                // Deleted (or moved by another run) meanwhile: the copy just written belongs to nobody.
                await Store.DeleteAsync(switched == 1 ? from : to, document.StoredName);
                if (switched == 1) moved++;
                progress?.Report((moved + missing, total));
            }
        }
    }

    private void TryDelete(string path)
    {
        try
        {
            if (File.Exists(path)) File.Delete(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            logger.LogWarning(ex, "Could not delete document file {Path}", path);
        }
    }
}
