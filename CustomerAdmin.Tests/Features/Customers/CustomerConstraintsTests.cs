using CustomerAdmin.Common;
using CustomerAdmin.Data;
using CustomerAdmin.Features.Customers;
using CustomerAdmin.Features.Sms;
using Microsoft.EntityFrameworkCore;

namespace CustomerAdmin.Tests.Features.Customers;

public class CustomerConstraintsTests
{
    private const string Phone = "+12127365000";

    [Theory, InlineData(DatabaseProvider.Sqlite), InlineData(DatabaseProvider.Postgres)]
    public async Task SecondActiveCustomerWithTheSamePrimaryPhoneIsRejected(DatabaseProvider provider)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var database = await TestDatabase.CreateAsync(provider, ct: ct);
        await database.Data.CustomerAsync();

        await using var db = database.CreateDbContext();
        db.Customers.Add(TestCustomers.Individual("Bob", "Stone", Phone));
        await Assert.ThrowsAnyAsync<DbUpdateException>(() => db.SaveChangesAsync(ct));

        await using var check = database.CreateDbContext();
        Assert.Equal(1, await check.Customers.CountAsync(ct));
    }

    [Theory, InlineData(DatabaseProvider.Sqlite), InlineData(DatabaseProvider.Postgres)]
    public async Task ANameAndAPhoneOrAnEmailMakeACustomerAndManyMayHaveNoPhone(DatabaseProvider provider)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var database = await TestDatabase.CreateAsync(provider, ct: ct);
        var operations = new CustomerOperations(database.Factory, new PhoneNormalizer("US"), TimeProvider.System);

        // Known by email alone: saved without a phone, and SMS skips them with the reason.
        var ann = await operations.CreateAsync(new Customer { Type = CustomerType.Individual, FirstName = "Ann", LastName = "Lee", PrimaryPhone = " ", Email = "Ann@Example.com" }, ct: ct);
        var bob = await operations.CreateAsync(new Customer { Type = CustomerType.Individual, FirstName = "Bob", LastName = "Stone", Email = "bob@example.com" }, ct: ct);
        Assert.Equal(("", false, "ann@example.com"), (ann.PrimaryPhone, ann.PrimaryPhoneSmsCapable, ann.Email));
        Assert.Equal("no-phone", SmsOutbox.SkipReason(bob)?.Code);

        // Neither: refused at the phone field, nothing written.
        var refused = await Assert.ThrowsAsync<RuleViolationException>(() =>
            operations.CreateAsync(new Customer { Type = CustomerType.Individual, FirstName = "Cy", LastName = "Nobody" }, ct: ct));
        Assert.Equal((nameof(Customer.PrimaryPhone), CustomerRules.NoContactMessage), (refused.Field, refused.Message));
        // Taking the email away from a customer without a phone is refused the same way.
        var form = bob.Copy();
        form.Email = null;
        Assert.Equal(CustomerRules.NoContactMessage,
            (await Assert.ThrowsAsync<RuleViolationException>(() => operations.UpdateAsync(bob.Id, bob.Version, form, null, ct: ct))).Message);

        // A phone given later is still unique among live customers (the form shows it at the phone field).
        await database.Data.CustomerAsync("Dee", "Holder", Phone);
        form = bob.Copy();
        form.PrimaryPhone = Phone;
        Assert.True(CustomerRules.IsDuplicatePhone(
            await Assert.ThrowsAsync<DbUpdateException>(() => operations.UpdateAsync(bob.Id, bob.Version, form, null, ct: ct))));
        await using var db = database.CreateDbContext();
        Assert.Equal(2, await db.Customers.CountAsync(c => c.PrimaryPhone == "", ct));
    }

    [Theory, InlineData(DatabaseProvider.Sqlite), InlineData(DatabaseProvider.Postgres)]
    public async Task InactiveOrBlockedCustomerStillHoldsItsPhone(DatabaseProvider provider)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var database = await TestDatabase.CreateAsync(provider, ct: ct);
        var blocked = TestCustomers.Individual("Ann", "Lee", Phone);
        blocked.Status = CustomerStatus.Blocked;
        await database.Data.AddAsync(blocked);

        await using var db = database.CreateDbContext();
        db.Customers.Add(TestCustomers.Individual("Bob", "Stone", Phone));
        await Assert.ThrowsAnyAsync<DbUpdateException>(() => db.SaveChangesAsync(ct));
    }

    [Theory, InlineData(DatabaseProvider.Sqlite), InlineData(DatabaseProvider.Postgres)]
    public async Task DeletedCustomerDoesNotBlockItsPhone(DatabaseProvider provider)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var database = await TestDatabase.CreateAsync(provider, ct: ct);
        var id = (await database.Data.CustomerAsync()).Id;
        await using (var db = database.CreateDbContext())
        {
            var ann = await db.Customers.SingleAsync(c => c.Id == id, ct);
            ann.Status = CustomerStatus.Deleted;
            await db.SaveChangesAsync(ct);
        }

        await database.Data.CustomerAsync("Bob", "Stone");
        // A second deleted record with that phone is fine too: only live records must be unique.
        await using (var db = database.CreateDbContext())
        {
            var old = TestCustomers.Individual("Cy", "Old", Phone);
            old.Status = CustomerStatus.Deleted;
            db.Customers.Add(old);
            await db.SaveChangesAsync(ct);
        }

        await using var check = database.CreateDbContext();
        Assert.Equal(3, await check.Customers.CountAsync(c => c.PrimaryPhone == Phone, ct));
        Assert.Equal(1, await check.Customers.CountAsync(c => c.PrimaryPhone == Phone && c.Status != CustomerStatus.Deleted, ct));
    }

    [Theory, InlineData(DatabaseProvider.Sqlite), InlineData(DatabaseProvider.Postgres)]
    public async Task RestoringADeletedCustomerWhosePhoneWasReusedIsRejected(DatabaseProvider provider)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var database = await TestDatabase.CreateAsync(provider, ct: ct);
        var deleted = TestCustomers.Individual("Ann", "Lee", Phone);
        deleted.Status = CustomerStatus.Deleted;
        var id = (await database.Data.AddAsync(deleted)).Id;
        await database.Data.CustomerAsync("Bob", "Stone");

        await using var db = database.CreateDbContext();
        var ann = await db.Customers.SingleAsync(c => c.Id == id, ct);
        ann.Status = CustomerStatus.Active;
        await Assert.ThrowsAnyAsync<DbUpdateException>(() => db.SaveChangesAsync(ct));
    }

    [Theory, InlineData(DatabaseProvider.Sqlite), InlineData(DatabaseProvider.Postgres)]
    public async Task ConcurrentEditOfTheSameCustomerIsDetected(DatabaseProvider provider)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var database = await TestDatabase.CreateAsync(provider, ct: ct);
        var id = (await database.Data.CustomerAsync()).Id;

        await using var first = database.CreateDbContext();
        await using var second = database.CreateDbContext();
        var mine = await first.Customers.SingleAsync(c => c.Id == id, ct);
        var theirs = await second.Customers.SingleAsync(c => c.Id == id, ct);

        mine.City = "Chicago";
        await first.SaveChangesAsync(ct);
        // A different field: the conflict is about the record, not about overlapping fields.
        theirs.Notes = "Prefers mornings";
        await Assert.ThrowsAsync<DbUpdateConcurrencyException>(() => second.SaveChangesAsync(ct));

        await using var check = database.CreateDbContext();
        var stored = await check.Customers.SingleAsync(c => c.Id == id, ct);
        Assert.Equal("Chicago", stored.City);
        Assert.Null(stored.Notes);
        Assert.Equal(2, stored.Version);
        // The failed save wrote no history and left the search index of the winning save in place.
        Assert.DoesNotContain(await check.CustomerChanges.Where(c => c.CustomerId == id).Select(c => c.Field).ToListAsync(ct),
            f => f == nameof(Customer.Notes));
        Assert.NotEmpty(await check.CustomerSearchTokens.Where(t => t.CustomerId == id).ToListAsync(ct));
    }

    [Theory, InlineData(DatabaseProvider.Sqlite), InlineData(DatabaseProvider.Postgres)]
    public async Task EverySaveThatChangesTheCustomerBumpsItsVersion(DatabaseProvider provider)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var database = await TestDatabase.CreateAsync(provider, ct: ct);
        var id = (await database.Data.CustomerAsync()).Id;

        await using var db = database.CreateDbContext();
        var ann = await db.Customers.SingleAsync(c => c.Id == id, ct);
        Assert.Equal(1, ann.Version);
        ann.City = "Austin";
        await db.SaveChangesAsync(ct);
        ann.VisitCount++;
        await db.SaveChangesAsync(ct);
        await db.SaveChangesAsync(ct);

        Assert.Equal(3, ann.Version);
    }
}
