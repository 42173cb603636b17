using System.ComponentModel.DataAnnotations;
using Microsoft.EntityFrameworkCore;

namespace CustomerAdmin.Data;

/// <summary>
/// The log of one erasure of a customer's personal data: which record, when, by whom and why, and how many rows it
/// changed per table. It holds no personal value of the customer (the reason is the requester's words about the request,
/// and the form says so). No foreign key: the log must outlive anything that later happens to the record.
/// </summary>
public class CustomerErasure
{
    public const int ReasonMax = 500;

    public int Id { get; set; }
    /// <summary>The record that was erased (the survivor, when other records had been merged into it).</summary>
    public int CustomerId { get; set; }
    /// <summary>Every record erased with it (merged into it before), comma-separated ids.</summary>
    [MaxLength(1000)] public string CustomerIds { get; set; } = "";
    public DateTime ErasedAt { get; set; }
    [MaxLength(100)] public string ErasedBy { get; set; } = "";
    [MaxLength(ReasonMax)] public string Reason { get; set; } = "";
    /// <summary>JSON: table (entity name) to the number of its rows changed or removed.</summary>
    public string Rows { get; set; } = "{}";
    /// <summary>Files removed with the customer's documents.</summary>
    public int DocumentsDeleted { get; set; }

    internal static void Configure(ModelBuilder b) =>
        b.Entity<CustomerErasure>(e =>
        {
            e.ToTable("CustomerErasures");
            e.HasIndex(x => x.CustomerId);
            e.HasIndex(x => x.ErasedAt);
        });
}
