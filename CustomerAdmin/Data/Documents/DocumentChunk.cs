using Microsoft.EntityFrameworkCore;

namespace CustomerAdmin.Data;

/// <summary>
/// One piece of a document stored in the database, so every app instance on the database sees every document. Written
/// and read one chunk at a time: no whole file is ever in memory. Keyed by the document's generated
/// <see cref="CustomerDocument.StoredName"/>, not its id, because the chunks are written before the document's row
/// (the row appears only once its content is complete and checked).
/// </summary>
public class DocumentChunk
{
    /// <summary>256 KB: few rows per file, and small enough that one row never weighs on memory.</summary>
    public const int MaxBytes = 256 * 1024;

    public string StoredName { get; set; } = "";
    /// <summary>0, 1, 2, ... in the file's order; every chunk but the last is <see cref="MaxBytes"/> long.</summary>
    public int Index { get; set; }
    public byte[] Bytes { get; set; } = [];
    /// <summary>
    /// When the chunk was written (UTC): chunks of an upload that never got its document row (a crash mid-upload) are
    /// removed once the newest of them is an hour old.
    /// </summary>
    public DateTime WrittenAt { get; set; }

    internal static void Configure(ModelBuilder b) =>
        b.Entity<DocumentChunk>(e =>
        {
            e.HasKey(c => new { c.StoredName, c.Index });
            e.Property(c => c.StoredName).HasMaxLength(64);
        });
}
