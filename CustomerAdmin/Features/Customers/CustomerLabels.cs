using CustomerAdmin.Data;
using MudBlazor;
using CustomerAdmin.Features.Customers.History;
using CustomerAdmin.Features.Customers.Search;

namespace CustomerAdmin.Features.Customers;

/// <summary>How customer values read in the UI (enum names are not always words a person would use).</summary>
public static class CustomerLabels
{
    public static string Of(CustomerType t) => t switch
    {
        CustomerType.Individual => "Individual",
        CustomerType.Lab => "Lab",
        _ => t.ToString(),
    };

    public static string Of(CustomerTier t) => t == CustomerTier.Vip ? "VIP" : t.ToString();

    public static string Of(ContactMethod m) => m == ContactMethod.Sms ? "SMS" : m == ContactMethod.WhatsApp ? "WhatsApp" : m.ToString();

    public static string Of(CustomerStatus s) => s.ToString();

    public static Color ColorOf(CustomerStatus s) => s switch
    {
        CustomerStatus.Active => Color.Success,
        CustomerStatus.Inactive => Color.Warning,
        CustomerStatus.Blocked => Color.Error,
        _ => Color.Error,
    };

    public static string Field(string field) => field switch
    {
        nameof(Customer.FirstName) => "First name",
        nameof(Customer.LastName) => "Last name",
        nameof(Customer.Name) => "Organisation name",
        nameof(Customer.DisplayName) => "Display name",
        nameof(Customer.PrimaryPhone) => "Phone",
        nameof(Customer.SecondaryPhone) => "Second phone",
        nameof(Customer.WhatsAppPhone) => "WhatsApp",
        nameof(Customer.AddressLine1) => "Address line 1",
        nameof(Customer.AddressLine2) => "Address line 2",
        nameof(Customer.PostalCode) => "Postal code",
        nameof(Customer.OrganizationId) => "Organisation",
        nameof(Customer.RegistrationNumber) => "Registration number",
        nameof(Customer.TaxId) => "Tax id",
        nameof(Customer.PreferredLanguage) => "Preferred language",
        nameof(Customer.PreferredContactMethod) => "Preferred contact",
        nameof(Customer.SmsOptedIn) => "SMS opted in",
        nameof(Customer.SmsOptedInAt) => "SMS opted in at",
        nameof(Customer.SmsOptInSource) => "SMS opt-in source",
        nameof(Customer.SmsOptedOutAt) => "SMS opted out at",
        nameof(Customer.SmsOptOutSource) => "SMS opt-out source",
        nameof(Customer.MergedIntoId) => "Merged into customer",
        CustomerChange.CreatedField => "Created",
        CustomerChange.MergedField => "Merge",
        CustomerChange.MergeUndoneField => "Merge undone",
        _ => field,
    };
}
