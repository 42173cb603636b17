using CustomerAdmin.Features.Customers.History;
using CustomerAdmin.Features.Customers.Search;
namespace CustomerAdmin.Features.Customers;

/// <summary>An organisation as the customer form's picker lists it.</summary>
public sealed record OrganizationOption(int Id, string Name)
{
    public override string ToString() => Name;
}
