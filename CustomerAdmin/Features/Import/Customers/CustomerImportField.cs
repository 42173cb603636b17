namespace CustomerAdmin.Features.Import.Customers;

/// <summary>A customer field a file's column can be mapped to.</summary>
public enum CustomerImportField
{
    ExternalReference, Type, FullName, FirstName, LastName, OrganizationName, PrimaryPhone, SecondaryPhone, WhatsAppPhone,
    Email, AddressLine1, AddressLine2, City, State, PostalCode, Country, Notes, Tags, CustomerSince,
    PreferredLanguage, Website, TaxId, RegistrationNumber,
}
