using System.ComponentModel.DataAnnotations;

namespace CustomerAdmin.Data;

/// <summary>Which customer a legacy customer id became, so a later file with the same id finds the same customer.</summary>
public class LegacyCustomerLink
{
    public const int LegacyIdMax = 100;

    [MaxLength(LegacyIdMax)] public string LegacyId { get; set; } = "";
    public int CustomerId { get; set; }
    public Customer? Customer { get; set; }
    /// <summary>The run that wrote this link; undoing it removes the link.</summary>
    public int ImportRunId { get; set; }
}
