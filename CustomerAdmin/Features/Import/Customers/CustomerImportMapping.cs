using CustomerAdmin.Features.Import.Values;

namespace CustomerAdmin.Features.Import.Customers;

/// <summary>What becomes of columns no field takes.</summary>
public enum UnmappedColumns { Ignore, AddToNotes }

/// <summary>
/// The user's mapping of a file's columns to customer fields (column indexes into the header), how unmapped columns
/// are treated, and how the file writes dates when it cannot tell by itself. Saved as a named preset.
/// </summary>
public sealed record CustomerImportMapping(
    IReadOnlyDictionary<CustomerImportField, int> Columns,
    UnmappedColumns Unmapped = UnmappedColumns.Ignore,
    DateOrder? Dates = null)
{
    public int? ColumnOf(CustomerImportField field) => Columns.TryGetValue(field, out var i) ? i : null;

    /// <summary>What the mapping cannot work with, in words; empty when it is usable.</summary>
    public List<string> Problems(IReadOnlyList<string> headers)
    {
        var problems = new List<string>();
        foreach (var (field, column) in Columns)
        {
            if (column < 0 || column >= headers.Count) problems.Add($"{CustomerImportLabels.Of(field)} is mapped to a column the file does not have.");
        }
        foreach (var group in Columns.GroupBy(c => c.Value).Where(g => g.Count() > 1))
            problems.Add($"The column \"{Header(headers, group.Key)}\" is mapped to more than one field ({string.Join(", ", group.Select(g => CustomerImportLabels.Of(g.Key)))}).");
        var hasName = Columns.ContainsKey(CustomerImportField.FullName) || Columns.ContainsKey(CustomerImportField.LastName)
            || Columns.ContainsKey(CustomerImportField.FirstName) || Columns.ContainsKey(CustomerImportField.OrganizationName);
        if (!hasName) problems.Add("Map a name: a full name, first and last name, or a company.");
        if (!Columns.ContainsKey(CustomerImportField.PrimaryPhone) && !Columns.ContainsKey(CustomerImportField.Email))
            problems.Add("Map a phone or an email: a customer is found and contacted by one of them.");
        return problems;
    }

    private static string Header(IReadOnlyList<string> headers, int i) => i >= 0 && i < headers.Count ? headers[i] : $"#{i + 1}";
}

/// <summary>The names staff see for the fields.</summary>
public static class CustomerImportLabels
{
    public static string Of(CustomerImportField field) => field switch
    {
        CustomerImportField.ExternalReference => "External reference",
        CustomerImportField.Type => "Customer type",
        CustomerImportField.FullName => "Full name",
        CustomerImportField.FirstName => "First name",
        CustomerImportField.LastName => "Last name",
        CustomerImportField.OrganizationName => "Company",
        CustomerImportField.PrimaryPhone => "Mobile phone",
        CustomerImportField.SecondaryPhone => "Other phone",
        CustomerImportField.WhatsAppPhone => "WhatsApp",
        CustomerImportField.Email => "Email",
        CustomerImportField.AddressLine1 => "Address line 1",
        CustomerImportField.AddressLine2 => "Address line 2",
        CustomerImportField.City => "City",
        CustomerImportField.State => "State or region",
        CustomerImportField.PostalCode => "Postal code",
        CustomerImportField.Country => "Country",
        CustomerImportField.Notes => "Notes",
        CustomerImportField.Tags => "Tags",
        CustomerImportField.CustomerSince => "Customer since",
        CustomerImportField.PreferredLanguage => "Preferred language",
        CustomerImportField.Website => "Website",
        CustomerImportField.TaxId => "Tax id",
        CustomerImportField.RegistrationNumber => "Registration number",
        _ => field.ToString(),
    };
}
