namespace CustomerAdmin.Data;

/// <summary>What a run imported: one engine, two kinds of file.</summary>
public enum ImportRunKind
{
    /// <summary>The legacy ticket CSV (tickets with their customers' details).</summary>
    LegacyTickets,
    /// <summary>A spreadsheet of customers, mapped column by column.</summary>
    Customers,
}
