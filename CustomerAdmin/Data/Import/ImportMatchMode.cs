namespace CustomerAdmin.Data;

/// <summary>What a customer import does with a row that matches an existing customer.</summary>
public enum ImportMatchMode
{
    /// <summary>Fills the customer's empty fields from the row; what is already there stays.</summary>
    Fill,
    /// <summary>Replaces the customer's fields with the row's non-empty values.</summary>
    Overwrite,
    /// <summary>Leaves the customer as it is; the row is reported as skipped.</summary>
    Skip,
}
