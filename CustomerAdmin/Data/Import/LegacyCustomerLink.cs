using System.ComponentModel.DataAnnotations;

namespace CustomerAdmin.Data;

/// <summary>
/// A customer's external reference: its id in a source system (<see cref="Source"/>: "legacy" for the legacy ticket
/// import, or the name a customer import gives), so a later file with the same id finds the same customer. Unique per
/// source.
/// </summary>
public class LegacyCustomerLink
{
    public const int LegacyIdMax = 100;
    public const int SourceMax = 50;
    /// <summary>The source of the legacy ticket import's customer ids.</summary>
    public const string LegacySource = "legacy";

    [MaxLength(SourceMax)] public string Source { get; set; } = LegacySource;

    [MaxLength(LegacyIdMax)] public string LegacyId { get; set; } = "";
    public int CustomerId { get; set; }
    public Customer? Customer { get; set; }
    /// <summary>The run that wrote this link; undoing it removes the link.</summary>
    public int ImportRunId { get; set; }
}
