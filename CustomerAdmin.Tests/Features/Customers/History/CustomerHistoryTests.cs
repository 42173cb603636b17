using CustomerAdmin.Features.Customers;
using CustomerAdmin.Features.Customers.History;
using CustomerAdmin.Data;

namespace CustomerAdmin.Tests.Features.Customers.History;

public class CustomerHistoryTests
{
    private static readonly DateTime Created = new(2025, 1, 10, 9, 0, 0, DateTimeKind.Utc);
    private static readonly DateTime FirstEdit = new(2025, 3, 1, 12, 0, 0, DateTimeKind.Utc);
    private static readonly DateTime SecondEdit = new(2025, 6, 1, 12, 0, 0, DateTimeKind.Utc);

    [Fact]
    public void DiffListsOnlyChangedFieldsWithOldAndNewValues()
    {
        var before = TestCustomers.Individual("Ann", "Lee", "+12127365000", email: "ann@example.com");
        var after = Copy(before);
        after.PrimaryPhone = "+16175550123";
        after.Tier = CustomerTier.Vip;
        after.Email = null;

        var diff = CustomerHistory.Diff(before, after);

        Assert.Equal(3, diff.Count);
        Assert.Contains(new FieldChange(nameof(Customer.PrimaryPhone), "+12127365000", "+16175550123"), diff);
        Assert.Contains(new FieldChange(nameof(Customer.Tier), "Standard", "Vip"), diff);
        Assert.Contains(new FieldChange(nameof(Customer.Email), "ann@example.com", null), diff);
    }

    [Fact]
    public void DiffOfIdenticalCustomersIsEmpty()
    {
        var before = TestCustomers.Individual("Ann", "Lee", "+12127365000");

        Assert.Empty(CustomerHistory.Diff(before, Copy(before)));
    }

    [Fact]
    public void DiffTreatsEmptyAndMissingTextAsTheSame()
    {
        var before = TestCustomers.Individual("Ann", "Lee", "+12127365000");
        before.Notes = null;
        var after = Copy(before);
        after.Notes = "";

        Assert.Empty(CustomerHistory.Diff(before, after));
    }

    [Fact]
    public void DiffIgnoresAuditVersionAndStatistics()
    {
        var before = TestCustomers.Individual("Ann", "Lee", "+12127365000");
        var after = Copy(before);
        after.UpdatedAt = SecondEdit;
        after.UpdatedBy = "someone";
        after.Version = 7;
        after.TotalSpent = 99.95m;
        after.VisitCount = 3;
        after.LastVisitAt = SecondEdit;
        after.SortName = "changed";

        Assert.Empty(CustomerHistory.Diff(before, after));
    }

    [Fact]
    public void DiffFormatsValuesCultureIndependently()
    {
        var before = TestCustomers.Individual("Ann", "Lee", "+12127365000");
        var after = Copy(before);
        after.SmsOptedIn = true;
        after.SmsOptedInAt = FirstEdit;

        var diff = CustomerHistory.Diff(before, after);

        Assert.Contains(new FieldChange(nameof(Customer.SmsOptedIn), "false", "true"), diff);
        Assert.Contains(new FieldChange(nameof(Customer.SmsOptedInAt), null, "2025-03-01T12:00:00.0000000Z"), diff);
    }

    [Fact]
    public void AsOfUndoesLaterChangesNewestFirst()
    {
        var (current, changes) = CustomerWithTwoPhoneChanges();

        var beforeAnyEdit = CustomerHistory.AsOf(current, changes, FirstEdit.AddDays(-1))!;
        var betweenEdits = CustomerHistory.AsOf(current, changes, FirstEdit.AddDays(1))!;
        var now = CustomerHistory.AsOf(current, changes, SecondEdit.AddDays(1))!;

        Assert.Equal("+12127365000", beforeAnyEdit[nameof(Customer.PrimaryPhone)]);
        Assert.Equal("Standard", beforeAnyEdit[nameof(Customer.Tier)]);
        Assert.Equal("+16175550123", betweenEdits[nameof(Customer.PrimaryPhone)]);
        Assert.Equal("Vip", betweenEdits[nameof(Customer.Tier)]);
        Assert.Equal("+13125550199", now[nameof(Customer.PrimaryPhone)]);
    }

    [Fact]
    public void AsOfTheMomentOfAChangeIncludesThatChange()
    {
        var (current, changes) = CustomerWithTwoPhoneChanges();

        var values = CustomerHistory.AsOf(current, changes, FirstEdit)!;

        Assert.Equal("+16175550123", values[nameof(Customer.PrimaryPhone)]);
    }

    [Fact]
    public void AsOfBeforeTheCustomerExistedIsNull()
    {
        var (current, changes) = CustomerWithTwoPhoneChanges();

        Assert.Null(CustomerHistory.AsOf(current, changes, Created.AddSeconds(-1)));
    }

    [Fact]
    public void AsOfDoesNotDependOnTheOrderChangesArrive()
    {
        var (current, changes) = CustomerWithTwoPhoneChanges();
        changes.Reverse();

        var values = CustomerHistory.AsOf(current, changes, FirstEdit.AddDays(-1))!;

        Assert.Equal("+12127365000", values[nameof(Customer.PrimaryPhone)]);
    }

    [Fact]
    public void AsOfLeavesUntouchedFieldsAtTheirCurrentValue()
    {
        var (current, changes) = CustomerWithTwoPhoneChanges();

        var values = CustomerHistory.AsOf(current, changes, Created)!;

        Assert.Equal("Ann", values[nameof(Customer.FirstName)]);
        Assert.Equal("Boston", values[nameof(Customer.City)]);
    }

    // Created with phone A and tier Standard; phone A -> B and tier -> Vip on FirstEdit; phone B -> C on SecondEdit.
    private static (Customer Current, List<CustomerChange> Changes) CustomerWithTwoPhoneChanges()
    {
        var current = TestCustomers.Individual("Ann", "Lee", "+13125550199");
        current.Id = 1;
        current.Tier = CustomerTier.Vip;
        current.CreatedAt = Created;
        var changes = new List<CustomerChange>
        {
            new() { Id = 1, CustomerId = 1, Field = CustomerChange.CreatedField, ChangedAt = Created },
            new() { Id = 2, CustomerId = 1, Field = nameof(Customer.PrimaryPhone), OldValue = "+12127365000", NewValue = "+16175550123", ChangedAt = FirstEdit },
            new() { Id = 3, CustomerId = 1, Field = nameof(Customer.Tier), OldValue = "Standard", NewValue = "Vip", ChangedAt = FirstEdit },
            new() { Id = 4, CustomerId = 1, Field = nameof(Customer.PrimaryPhone), OldValue = "+16175550123", NewValue = "+13125550199", ChangedAt = SecondEdit },
        };
        return (current, changes);
    }

    private static Customer Copy(Customer c)
    {
        var copy = new Customer();
        foreach (var p in typeof(Customer).GetProperties().Where(p => p.CanWrite))
            p.SetValue(copy, p.GetValue(c));
        return copy;
    }
}
