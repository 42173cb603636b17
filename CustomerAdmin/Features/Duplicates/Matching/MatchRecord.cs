using CustomerAdmin.Data;

namespace CustomerAdmin.Features.Duplicates.Matching;

/// <summary>
/// What the matcher reads of a customer, and nothing else (never shown to users). Phones may be E.164, as stored, or
/// typed in any form; <see cref="Country"/> (ISO 3166-1 alpha-2) reads a number typed without a country code.
/// </summary>
public sealed record MatchRecord(int Id, CustomerType Type, string? FirstName, string? LastName, string? OrganizationName,
    string? PrimaryPhone, string? SecondaryPhone, string? Email, string? AddressLine1, string? AddressLine2,
    string? City, string? PostalCode, string? Country)
{
    public static MatchRecord From(Customer c) => new(c.Id, c.Type,
        c.IsIndividual ? c.FirstName : null,
        c.IsIndividual ? c.LastName : null,
        c.IsIndividual ? null : c.Name,
        c.PrimaryPhone, c.SecondaryPhone, c.Email, c.AddressLine1, c.AddressLine2, c.City, c.PostalCode, c.Country);
}
