using System.ComponentModel.DataAnnotations;

namespace CustomerAdmin.Data;

/// <summary>
/// One access to personal data: who (the signed-in user's name), when, what kind, which customer if one, and what
/// exactly (a list export's filter, a document's name) with how many rows it carried. No foreign key to the customer:
/// the log outlives a merge or an erasure of the record it names.
/// </summary>
public class AccessLogEntry
{
    public const int UserMax = 100;
    public const int DetailMax = 1000;

    public long Id { get; set; }
    public DateTime At { get; set; }
    [MaxLength(UserMax)] public string UserName { get; set; } = "";
    public AccessKind Kind { get; set; }
    public int? CustomerId { get; set; }
    [MaxLength(DetailMax)] public string? Detail { get; set; }
    public int? RowCount { get; set; }
}
