using CustomerAdmin.Common;
using CustomerAdmin.Data;
using CustomerAdmin.Features.Customers;
using CustomerAdmin.Features.Duplicates.Merging;

namespace CustomerAdmin.Features.Duplicates.Review;

/// <summary>A field's value as the pair view and the merge dialog show it (phones formatted, the organisation by name).</summary>
public static class MergeFieldText
{
    public static string Show(MergePlan plan, string field, string? value, PhoneNormalizer phones) => value is null ? "—" : field switch
    {
        nameof(Customer.PrimaryPhone) or nameof(Customer.SecondaryPhone) or nameof(Customer.WhatsAppPhone) => phones.Display(value),
        nameof(Customer.OrganizationId) when int.TryParse(value, out var id) => plan.Organizations.GetValueOrDefault(id) ?? $"#{id}",
        nameof(Customer.Type) when Enum.TryParse<CustomerType>(value, out var type) => CustomerLabels.Of(type),
        nameof(Customer.Tier) when Enum.TryParse<CustomerTier>(value, out var tier) => CustomerLabels.Of(tier),
        nameof(Customer.PreferredContactMethod) when Enum.TryParse<ContactMethod>(value, out var method) => CustomerLabels.Of(method),
        _ => value,
    };
}
