using CustomerAdmin.Data;

namespace CustomerAdmin.Tests.Infrastructure;

/// <summary>Minimal valid customers, so each test states only the fields it is about.</summary>
public static class TestCustomers
{
    public static Customer Individual(string firstName, string lastName, string phoneE164, string? email = null,
        string? tags = null) => new()
    {
        Type = CustomerType.Individual,
        FirstName = firstName,
        LastName = lastName,
        PrimaryPhone = phoneE164,
        Email = email,
        Tags = tags,
        City = "Boston",
        Country = "US",
    };

    public static Customer Organisation(string name, string phoneE164, CustomerType type = CustomerType.Clinic) => new()
    {
        Type = type,
        Name = name,
        PrimaryPhone = phoneE164,
        Country = "US",
    };
}
