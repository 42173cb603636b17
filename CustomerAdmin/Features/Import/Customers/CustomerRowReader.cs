using CustomerAdmin.Common;
using CustomerAdmin.Data;
using CustomerAdmin.Features.Customers;
using CustomerAdmin.Features.Customers.Export;
using CustomerAdmin.Features.Import.Files;
using CustomerAdmin.Features.Import.Values;

namespace CustomerAdmin.Features.Import.Customers;

/// <summary>
/// One row of a customer file as it will be stored: <see cref="Customer"/> holds the normalised values (phones in
/// E.164, email lower-cased, names split, tags tidied) of the mapped fields only; <see cref="Errors"/> say why the row
/// cannot be imported (it is skipped with that reason), <see cref="Warnings"/> what was changed or left out.
/// </summary>
public sealed record ImportedCustomerRow(long Line, Customer Customer, string? ExternalReference, DateTime? CustomerSince,
    string? OrganizationName, IReadOnlyList<string> Errors, IReadOnlyList<string> Warnings)
{
    public bool CanImport => Errors.Count == 0;
}

/// <summary>
/// Turns rows into customers with the same rules staff meet in the customer form (<see cref="CustomerRules"/> and the
/// entity's annotations), so an import cannot store what the form would refuse. Text that looks like a formula is
/// kept as text; a cell written by this app's export (a quote in front of phones and formula-like text) is read back
/// as it was before the export, so an exported file imports back unchanged.
/// </summary>
public sealed class CustomerRowReader(CustomerImportMapping mapping, IReadOnlyList<string> headers, PhoneNormalizer phones, DateOrder dates)
{
    private static readonly (int Max, CustomerImportField Field)[] Lengths =
    [
        (Customer.NameMax, CustomerImportField.FirstName), (Customer.NameMax, CustomerImportField.LastName),
        (Customer.OrgNameMax, CustomerImportField.OrganizationName), (Customer.EmailMax, CustomerImportField.Email),
        (Customer.LineMax, CustomerImportField.AddressLine1), (Customer.LineMax, CustomerImportField.AddressLine2),
        (Customer.NameMax, CustomerImportField.City), (Customer.NameMax, CustomerImportField.State),
        (Customer.PhoneMax, CustomerImportField.PostalCode), (Customer.TagsMax, CustomerImportField.Tags),
        (Customer.LineMax, CustomerImportField.Website), (50, CustomerImportField.TaxId), (50, CustomerImportField.RegistrationNumber),
        (10, CustomerImportField.PreferredLanguage), (LegacyCustomerLink.LegacyIdMax, CustomerImportField.ExternalReference),
    ];

    public ImportedCustomerRow Read(TabularRow row)
    {
        var errors = new List<string>();
        var warnings = new List<string>();
        string? Get(CustomerImportField field)
        {
            if (mapping.ColumnOf(field) is not { } i || i >= row.Cells.Length) return null;
            var value = CsvText.Restore(row.Cells[i].Trim()).Trim();
            return value.Length == 0 ? null : value;
        }

        foreach (var (max, field) in Lengths)
        {
            if (Get(field) is { Length: var length } && length > max)
                errors.Add($"{CustomerImportLabels.Of(field)} is {length:N0} characters long; at most {max:N0} fit.");
        }
        if (errors.Count > 0) return new(row.Line, new Customer(), Get(CustomerImportField.ExternalReference), null, null, errors, warnings);

        var customer = new Customer
        {
            SecondaryPhone = Get(CustomerImportField.SecondaryPhone), WhatsAppPhone = Get(CustomerImportField.WhatsAppPhone),
            Email = Get(CustomerImportField.Email), AddressLine1 = Get(CustomerImportField.AddressLine1),
            AddressLine2 = Get(CustomerImportField.AddressLine2), City = Get(CustomerImportField.City),
            State = Get(CustomerImportField.State), PostalCode = Get(CustomerImportField.PostalCode),
            Country = Get(CustomerImportField.Country), Tags = Get(CustomerImportField.Tags),
            PreferredLanguage = Get(CustomerImportField.PreferredLanguage)?.ToLowerInvariant(), Website = Get(CustomerImportField.Website),
            TaxId = Get(CustomerImportField.TaxId), RegistrationNumber = Get(CustomerImportField.RegistrationNumber),
            PrimaryPhone = Get(CustomerImportField.PrimaryPhone) ?? "",
        };
        var organization = Get(CustomerImportField.OrganizationName);
        ReadName(customer, Get, organization, errors);

        foreach (var (field, value) in new[] { (CustomerImportField.PrimaryPhone, customer.PrimaryPhone), (CustomerImportField.SecondaryPhone, customer.SecondaryPhone), (CustomerImportField.WhatsAppPhone, customer.WhatsAppPhone) })
        {
            if (value is not null && ImportCells.IsScientificNotation(value))
                errors.Add($"{CustomerImportLabels.Of(field)} \"{value}\" is a number Excel shortened: its digits are lost. Format the column as text in the spreadsheet and export it again.");
        }
        if (customer.Email is { } email && !ImportCells.IsEmail(email))
        {
            warnings.Add($"The email \"{ImportCells.Shorten(email)}\" was left out: it is not an email address.");
            customer.Email = null;
        }
        if (customer.PrimaryPhone.Length == 0 && customer.Email is null)
            errors.Add("The row has neither a phone nor an email.");

        DateTime? since = null;
        if (Get(CustomerImportField.CustomerSince) is { } rawSince)
        {
            if (ImportDates.TryParse(rawSince, dates, out var date)) since = date;
            else warnings.Add($"\"{ImportCells.Shorten(rawSince)}\" is not a date; the customer-since date was left out.");
        }

        var notes = new List<string>();
        if (Get(CustomerImportField.Notes) is { } mappedNotes) notes.Add(mappedNotes);
        if (mapping.Unmapped == UnmappedColumns.AddToNotes)
        {
            var mapped = mapping.Columns.Values.ToHashSet();
            for (var i = 0; i < row.Cells.Length && i < headers.Count; i++)
            {
                if (!mapped.Contains(i) && row.Cells[i].Trim() is { Length: > 0 } extra) notes.Add($"{headers[i]}: {CsvText.Restore(extra)}");
            }
        }
        customer.Notes = notes.Count == 0 ? null : string.Join("\n", notes);
        if (customer.Notes is { Length: > Customer.NotesMax })
        {
            warnings.Add($"The notes were cut to {Customer.NotesMax:N0} characters.");
            customer.Notes = customer.Notes[..Customer.NotesMax];
        }

        if (errors.Count == 0) Validate(customer, errors);
        return new(row.Line, customer, Get(CustomerImportField.ExternalReference), since, organization, errors, warnings);
    }

    private static void ReadName(Customer customer, Func<CustomerImportField, string?> get, string? organization, List<string> errors)
    {
        var (first, last) = (get(CustomerImportField.FirstName), get(CustomerImportField.LastName));
        var type = get(CustomerImportField.Type) is { } rawType ? TypeOf(rawType) : null;
        if (get(CustomerImportField.Type) is { } given && type is null)
        {
            errors.Add($"The customer type \"{ImportCells.Shorten(given)}\" is unknown; expected individual, hospital, clinic, lab, manufacturer or dealer.");
            return;
        }
        if (first is null && last is null && get(CustomerImportField.FullName) is { } full)
        {
            // A business's row (this app's own export among others) has its name in the one name column.
            if (type is { } business && business != CustomerType.Individual && organization is null)
            {
                organization = full;
            }
            else
            {
                var split = PersonNameSplitter.Split(full);
                (first, last) = (split.First.Length == 0 ? null : split.First, split.Last.Length == 0 ? null : split.Last);
            }
        }

        if (first is not null || last is not null || type == CustomerType.Individual)
        {
            customer.Type = CustomerType.Individual;
            (customer.FirstName, customer.LastName) = (first, last);
            // One word in a full-name column: the form needs both names, and guessing which it is would be wrong half the time.
            if (first is null || last is null)
                errors.Add(first is null && last is null ? "The name is empty." : $"\"{first ?? last}\" is one word: a customer needs a first and a last name. Map first and last name columns, or complete the name in the file.");
            return;
        }
        if (organization is null)
        {
            errors.Add("The name is empty.");
            return;
        }
        if (type is null)
        {
            errors.Add("A company without a person's name needs a customer type (hospital, clinic, lab, manufacturer or dealer): map a type column.");
            return;
        }
        customer.Type = type.Value;
        customer.Name = organization;
    }

    /// <summary>The customer type a cell names, by the enum's names or "private" for individuals (the design's two words).</summary>
    public static CustomerType? TypeOf(string raw) =>
        raw.Trim().ToLowerInvariant() switch
        {
            "individual" or "private" or "person" or "consumer" => CustomerType.Individual,
            var t when Enum.TryParse<CustomerType>(t, ignoreCase: true, out var parsed) && Enum.IsDefined(parsed) && !int.TryParse(t, out _) => parsed,
            _ => null,
        };

    /// <summary>The customer form's rules and annotations; their messages, prefixed with the field, become the row's errors.</summary>
    private void Validate(Customer customer, List<string> errors)
    {
        foreach (var (field, message) in CustomerRules.Normalize(customer, phones))
            errors.Add(message.StartsWith("Enter ", StringComparison.Ordinal) ? message : $"{Label(field)}: {message}");
        var broken = new List<(string Member, string Message)>();
        PropertyAnnotations<Customer>.TryValidate(customer, broken);
        errors.AddRange(broken.Select(r => $"{Label(r.Member)}: {r.Message}").Distinct());
    }

    private static string Label(string property) => property switch
    {
        nameof(Customer.PrimaryPhone) => "Mobile phone",
        nameof(Customer.SecondaryPhone) => "Other phone",
        nameof(Customer.WhatsAppPhone) => "WhatsApp",
        nameof(Customer.AddressLine1) => "Address line 1",
        nameof(Customer.AddressLine2) => "Address line 2",
        nameof(Customer.PostalCode) => "Postal code",
        nameof(Customer.TaxId) => "Tax id",
        nameof(Customer.RegistrationNumber) => "Registration number",
        nameof(Customer.PreferredLanguage) => "Preferred language",
        _ => property,
    };
}
