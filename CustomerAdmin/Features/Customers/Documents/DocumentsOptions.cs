using System.ComponentModel.DataAnnotations;
using CustomerAdmin.Features.Customers;

namespace CustomerAdmin.Features.Customers.Documents;

public sealed class DocumentsOptions
{
    public const string Section = "Documents";
    public const long DefaultMaxBytes = 10 * 1024 * 1024;

    /// <summary>Where uploaded files are kept; relative to the content root. Never under wwwroot.</summary>
    [Required] public string Folder { get; set; } = "data/documents";

    [Range(1, 1024L * 1024 * 1024)] public long MaxBytes { get; set; } = DefaultMaxBytes;

    public const long DefaultMaxBytesPerCustomer = 100 * 1024 * 1024;

    /// <summary>All of one customer's documents together: one customer cannot fill the disk for everyone.</summary>
    [Range(1, 1024L * 1024 * 1024 * 1024)] public long MaxBytesPerCustomer { get; set; } = DefaultMaxBytesPerCustomer;
}
