using System.ComponentModel.DataAnnotations;
using CustomerAdmin.Data;

namespace CustomerAdmin.Features.Customers.Documents;

public sealed class DocumentsOptions
{
    public const string Section = "Documents";
    public const long DefaultMaxBytes = 10 * 1024 * 1024;

    /// <summary>
    /// Where new uploads are stored: <c>Database</c> (chunks in the app's database, seen by every instance) or
    /// <c>Folder</c> (files in <see cref="Folder"/>, which several instances must share). <c>documents move</c> moves
    /// existing ones.
    /// </summary>
    public DocumentStorage Store { get; set; } = DocumentStorage.Database;

    /// <summary>Where uploaded files are kept with the folder store; relative to the content root. Never under wwwroot.</summary>
    [Required] public string Folder { get; set; } = "data/documents";

    [Range(1, 1024L * 1024 * 1024)] public long MaxBytes { get; set; } = DefaultMaxBytes;

    public const long DefaultMaxBytesPerCustomer = 100 * 1024 * 1024;

    /// <summary>All of one customer's documents together: one customer cannot fill the disk for everyone.</summary>
    [Range(1, 1024L * 1024 * 1024 * 1024)] public long MaxBytesPerCustomer { get; set; } = DefaultMaxBytesPerCustomer;
}
