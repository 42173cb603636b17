using System.ComponentModel.DataAnnotations;
using Microsoft.EntityFrameworkCore;

namespace CustomerAdmin.Data;

/// <summary>
/// One merge of a customer into another, kept so it can be undone: exactly which rows moved (ids per table), both
/// records' values before it, what the survivor looked like right after it, and how bookings of one event by both were
/// resolved. Written in the merge's transaction; undoing it stamps <see cref="UndoneAt"/>. The details are JSON whose
/// shape belongs to the merge feature; this table only keeps them.
/// </summary>
public class CustomerMerge
{
    /// <summary>How long a merge can be undone from the survivor's history.</summary>
    public static readonly TimeSpan UndoWindow = TimeSpan.FromDays(30);

    public int Id { get; set; }
    /// <summary>The record that stays.</summary>
    public int SurvivorId { get; set; }
    public Customer? Survivor { get; set; }
    /// <summary>The record that became <see cref="CustomerStatus.Merged"/>.</summary>
    public int MergedId { get; set; }
    public Customer? Merged { get; set; }
    /// <summary>The review-queue pair the merge came from, if any (not a foreign key: pairs are rescored and removed).</summary>
    public long? PairId { get; set; }

    public DateTime MergedAt { get; set; }
    [MaxLength(100)] public string? MergedBy { get; set; }
    public DateTime? UndoneAt { get; set; }
    [MaxLength(100)] public string? UndoneBy { get; set; }

    /// <summary>JSON: table (entity name) to the keys of the rows that moved from the merged record to the survivor.</summary>
    public string MovedRows { get; set; } = "{}";
    /// <summary>JSON: the merged record's values before the merge.</summary>
    public string MergedBefore { get; set; } = "{}";
    /// <summary>JSON: the survivor's values before the merge.</summary>
    public string SurvivorBefore { get; set; } = "{}";
    /// <summary>JSON: the survivor's values right after the merge (undo restores only fields nobody changed since).</summary>
    public string SurvivorAfter { get; set; } = "{}";
    /// <summary>JSON: bookings of one event by both records, how they became one, and the SMS of the booking removed.</summary>
    public string Bookings { get; set; } = "[]";
    /// <summary>JSON: the merged record's other review-queue pairs, as they were before they were re-pointed or removed.</summary>
    public string Pairs { get; set; } = "[]";

    public int Version { get; set; }

    public bool CanBeUndoneAt(DateTime nowUtc) => UndoneAt is null && nowUtc - MergedAt <= UndoWindow;

    internal static void Configure(ModelBuilder b)
    {
        // An index, not a foreign key: adding a key to an existing table makes SQLite rebuild it, which EF runs with
        // foreign keys off outside the migration's transaction and warns about at every fresh start. The pointer is
        // written and cleared only by MergeOperations, with the CustomerMerge row (whose keys do hold) beside it.
        b.Entity<Customer>().HasIndex(c => c.MergedIntoId);
        b.Entity<CustomerMerge>(e =>
        {
            e.Property(m => m.Version).IsConcurrencyToken();
            e.HasIndex(m => new { m.SurvivorId, m.MergedAt });
            e.HasIndex(m => new { m.MergedId, m.MergedAt });
            e.HasOne(m => m.Survivor).WithMany().HasForeignKey(m => m.SurvivorId).OnDelete(DeleteBehavior.Restrict);
            e.HasOne(m => m.Merged).WithMany().HasForeignKey(m => m.MergedId).OnDelete(DeleteBehavior.Restrict);
        });
    }
}
