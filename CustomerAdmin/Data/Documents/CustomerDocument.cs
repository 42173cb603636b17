using System.ComponentModel.DataAnnotations;

namespace CustomerAdmin.Data;

/// <summary>
/// A file attached to a customer. The bytes live under <see cref="StoredName"/>: as <see cref="DocumentChunk"/> rows or as
/// a file of that name in the documents folder (outside wwwroot), as <see cref="Storage"/> says.
/// </summary>
public class CustomerDocument
{
    public const int FileNameMax = 200;

    public int Id { get; set; }
    public int CustomerId { get; set; }
    public Customer? Customer { get; set; }
    public DocumentType Type { get; set; }
    /// <summary>The uploader's file name, sanitised; for display and the download's name only, never a path.</summary>
    [MaxLength(FileNameMax)] public string FileName { get; set; } = "";
    /// <summary>Generated (a GUID), the only name used on disk and the key of the content's chunks.</summary>
    [MaxLength(64)] public string StoredName { get; set; } = "";
    /// <summary>Where the bytes are; <c>documents move</c> changes it.</summary>
    public DocumentStorage Storage { get; set; }
    /// <summary>Detected from the content, not taken from the browser.</summary>
    [MaxLength(100)] public string ContentType { get; set; } = "";
    public long Size { get; set; }
    /// <summary>Lower-case hex SHA-256 of the content.</summary>
    [MaxLength(64)] public string Sha256 { get; set; } = "";
    public DateTime UploadedAt { get; set; }
    [MaxLength(100)] public string? UploadedBy { get; set; }
}
