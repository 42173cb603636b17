using System.ComponentModel.DataAnnotations;
using Microsoft.EntityFrameworkCore;

namespace CustomerAdmin.Data;

/// <summary>
/// A named column mapping of the customer import, saved from the mapping step and loaded for the next file of the
/// same kind (or named on the command line). <see cref="Mapping"/> is JSON whose shape belongs to the import feature
/// (columns by header name, so the next file may order them differently); this table only keeps it, with the run
/// options the user chose beside it.
/// </summary>
public class CustomerImportPreset
{
    public const int NameMax = 100;
    public const int SourceMax = LegacyCustomerLink.SourceMax;

    public int Id { get; set; }
    [MaxLength(NameMax)] public string Name { get; set; } = "";
    /// <summary>JSON: field to column header, what becomes of unmapped columns, the date order, the delimiter and sheet.</summary>
    public string Mapping { get; set; } = "{}";
    /// <summary>What a row that matches an existing customer does (fill, overwrite, skip); null for the default.</summary>
    public ImportMatchMode? OnMatch { get; set; }
    /// <summary>The source system the file's external references belong to.</summary>
    [MaxLength(SourceMax)] public string? Source { get; set; }
    public DateTime UpdatedAt { get; set; }
    [MaxLength(100)] public string? UpdatedBy { get; set; }

    internal static void Configure(ModelBuilder b) =>
        b.Entity<CustomerImportPreset>(e =>
        {
            e.HasIndex(p => p.Name).IsUnique();
            e.Property(p => p.OnMatch).HasConversion<string>().HasMaxLength(20);
        });
}
