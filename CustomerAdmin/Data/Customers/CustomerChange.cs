using System.ComponentModel.DataAnnotations;

namespace CustomerAdmin.Data;

/// <summary>Field-level history of a customer, written automatically on save.</summary>
public class CustomerChange
{
    public const string CreatedField = "(created)";
    /// <summary>A merge, on both records' histories: what was merged into what, and what moved.</summary>
    public const string MergedField = "(merged)";
    public const string MergeUndoneField = "(merge undone)";
    public const int ReasonMax = 500;

    public long Id { get; set; }
    public int CustomerId { get; set; }
    public Customer? Customer { get; set; }
    [MaxLength(100)] public string Field { get; set; } = "";
    public string? OldValue { get; set; }
    public string? NewValue { get; set; }
    public DateTime ChangedAt { get; set; }
    [MaxLength(100)] public string? ChangedBy { get; set; }
    /// <summary>Why, when the change asked for one (a status change): <see cref="AppDbContext.ChangeReason"/> at the save.</summary>
    [MaxLength(ReasonMax)] public string? Reason { get; set; }
}
