using System.ComponentModel.DataAnnotations;
using CustomerAdmin.Common;
using CustomerAdmin.Data;

namespace CustomerAdmin.Tests.Common;

/// <summary>The import's cached annotation check agrees with the Validator the customer form uses, rule for rule.</summary>
public class PropertyAnnotationsTests
{
    public static TheoryData<string> Cases() => ["valid", "long names", "bad email", "bad website", "every field too long", "empty"];

    private static Customer Make(string kind)
    {
        var c = new Customer { FirstName = "Ada", LastName = "Lovelace", PrimaryPhone = "+12127365000", Email = "ada@example.com" };
        switch (kind)
        {
            case "long names": c.FirstName = new string('a', 500); c.LastName = new string('b', 500); break;
            case "bad email": c.Email = "not an email"; break;
            case "bad website": c.Website = "javascript:alert(1)"; break;
            case "every field too long":
                foreach (var p in typeof(Customer).GetProperties().Where(p => p.PropertyType == typeof(string) && p.CanWrite))
                    p.SetValue(c, new string('x', 5000));
                break;
            case "empty": c = new Customer(); break;
        }
        return c;
    }

    [Theory, MemberData(nameof(Cases))]
    public void ReportsWhatTheValidatorReportsForACustomer(string kind)
    {
        var customer = Make(kind);
        var expected = new List<ValidationResult>();
        var valid = Validator.TryValidateObject(customer, new ValidationContext(customer), expected, validateAllProperties: true);
        var actual = new List<(string Member, string Message)>();

        Assert.Equal(valid, PropertyAnnotations<Customer>.TryValidate(customer, actual));
        Assert.Equal(expected.Select(r => (r.MemberNames.Single(), r.ErrorMessage!)).Order(), actual.Order());
        if (kind == "every field too long") Assert.True(actual.Count > 10);
    }
}
