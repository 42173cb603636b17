using CustomerAdmin.Data;

namespace CustomerAdmin.Features.Customers.Api;

/// <summary>A customer as the API returns it; <see cref="Stats"/> only when one customer is read.</summary>
public sealed record CustomerResponse(
    int Id, CustomerType Type, string? FirstName, string? LastName, string? Name, string? DisplayName, string FullName,
    int? OrganizationId, string? OrganizationName, CustomerStatus Status, int? MergedIntoId, CustomerTier Tier,
    string PrimaryPhone, bool PrimaryPhoneSmsCapable, string? SecondaryPhone, string? WhatsAppPhone, string? Email,
    ContactMethod PreferredContactMethod, string? PreferredLanguage,
    string? AddressLine1, string? AddressLine2, string? City, string? State, string? PostalCode, string? Country,
    string? RegistrationNumber, string? TaxId, string? Website, string? Tags, string? Notes,
    bool SmsOptedIn, DateTime? SmsOptedInAt, DateTime? SmsOptedOutAt,
    DateTime FirstSeenAt, DateTime CreatedAt, string? CreatedBy, DateTime UpdatedAt, string? UpdatedBy, int Version,
    CustomerStats? Stats)
{
    public static CustomerResponse From(Customer c, CustomerStats? stats = null) => new(
        c.Id, c.Type, c.FirstName, c.LastName, c.Name, c.DisplayName, c.FullName, c.OrganizationId, c.Organization?.Name,
        c.Status, c.MergedIntoId, c.Tier, c.PrimaryPhone, c.PrimaryPhoneSmsCapable, c.SecondaryPhone, c.WhatsAppPhone, c.Email,
        c.PreferredContactMethod, c.PreferredLanguage, c.AddressLine1, c.AddressLine2, c.City, c.State, c.PostalCode, c.Country,
        c.RegistrationNumber, c.TaxId, c.Website, c.Tags, c.Notes, c.SmsOptedIn, c.SmsOptedInAt, c.SmsOptedOutAt,
        c.FirstSeenAt, c.CreatedAt, c.CreatedBy, c.UpdatedAt, c.UpdatedBy, c.Version, stats);
}

/// <summary>
/// The fields a create or a PATCH may send (the customer form's fields, and the SMS consent box). A create's missing
/// fields take the new-customer form's defaults; a PATCH changes only the fields it sends (null clears one).
/// </summary>
public sealed record CustomerRequest(
    CustomerType? Type, string? FirstName, string? LastName, string? Name, string? DisplayName, int? OrganizationId,
    CustomerTier? Tier, string? PrimaryPhone, bool? PrimaryPhoneSmsCapable, string? SecondaryPhone, string? WhatsAppPhone,
    string? Email, ContactMethod? PreferredContactMethod, string? PreferredLanguage, string? AddressLine1, string? AddressLine2,
    string? City, string? State, string? PostalCode, string? Country, string? RegistrationNumber, string? TaxId, string? Website,
    string? Tags, string? Notes, bool? SmsOptedIn);

public sealed record CustomerChangeResponse(long Id, string Field, string? OldValue, string? NewValue, DateTime ChangedAt, string? ChangedBy, string? Reason);

public sealed record CustomerHistoryResponse(IReadOnlyList<CustomerChangeResponse> Items, string? NextCursor);
