using CustomerAdmin.Features.Customers;
using CustomerAdmin.Features.Customers.History;
using CustomerAdmin.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Time.Testing;

namespace CustomerAdmin.Tests.Features.Customers.History;

public class CustomerHistoryRecordingTests
{
    private static readonly DateTimeOffset Start = new(2025, 1, 10, 9, 0, 0, TimeSpan.Zero);

    [Theory, InlineData(DatabaseProvider.Sqlite), InlineData(DatabaseProvider.Postgres)]
    public async Task CreatingACustomerRecordsWhoAndWhen(DatabaseProvider provider)
    {
        var ct = TestContext.Current.CancellationToken;
        var time = new FakeTimeProvider(Start);
        await using var database = await TestDatabase.CreateAsync(provider, time, ct: ct);

        await using (var db = database.CreateDbContext())
        {
            db.Actor = "alice";
            db.Customers.Add(TestCustomers.Individual("Ann", "Lee", "+12127365000"));
            await db.SaveChangesAsync(ct);
        }

        await using var check = database.CreateDbContext();
        var customer = await check.Customers.Include(c => c.Changes).SingleAsync(ct);
        Assert.Equal(Start.UtcDateTime, customer.CreatedAt);
        Assert.Equal(DateTimeKind.Utc, customer.CreatedAt.Kind);
        Assert.Equal("alice", customer.CreatedBy);
        Assert.Equal("alice", customer.UpdatedBy);
        var created = Assert.Single(customer.Changes);
        Assert.Equal(CustomerChange.CreatedField, created.Field);
        Assert.Equal("alice", created.ChangedBy);
        Assert.Equal(Start.UtcDateTime, created.ChangedAt);
    }

    [Theory, InlineData(DatabaseProvider.Sqlite), InlineData(DatabaseProvider.Postgres)]
    public async Task EditingACustomerRecordsOldAndNewValuesAndTheActor(DatabaseProvider provider)
    {
        var ct = TestContext.Current.CancellationToken;
        var time = new FakeTimeProvider(Start);
        await using var database = await TestDatabase.CreateAsync(provider, time, ct: ct);
        int id;
        await using (var db = database.CreateDbContext())
        {
            db.Actor = "alice";
            var ann = TestCustomers.Individual("Ann", "Lee", "+12127365000");
            db.Customers.Add(ann);
            await db.SaveChangesAsync(ct);
            id = ann.Id;
        }

        time.Advance(TimeSpan.FromDays(30));
        var editedAt = time.GetUtcNow().UtcDateTime;
        await using (var db = database.CreateDbContext())
        {
            db.Actor = "bob";
            var ann = await db.Customers.SingleAsync(c => c.Id == id, ct);
            ann.PrimaryPhone = "+16175550123";
            ann.Tier = CustomerTier.Vip;
            ann.Notes = "Moved to Boston";
            await db.SaveChangesAsync(ct);
        }

        await using var check = database.CreateDbContext();
        var changes = await check.CustomerChanges.Where(c => c.CustomerId == id && c.Field != CustomerChange.CreatedField)
            .OrderBy(c => c.Field).ToListAsync(ct);
        Assert.Equal(
            [
                (nameof(Customer.Notes), null, "Moved to Boston"),
                (nameof(Customer.PrimaryPhone), "+12127365000", "+16175550123"),
                (nameof(Customer.Tier), "Standard", "Vip"),
            ],
            changes.Select(c => (c.Field, c.OldValue, c.NewValue)).ToList<(string, string?, string?)>());
        Assert.All(changes, c => Assert.Equal("bob", c.ChangedBy));
        Assert.All(changes, c => Assert.Equal(editedAt, c.ChangedAt));
        var stored = await check.Customers.SingleAsync(c => c.Id == id, ct);
        Assert.Equal("bob", stored.UpdatedBy);
        Assert.Equal(editedAt, stored.UpdatedAt);
        Assert.Equal("alice", stored.CreatedBy);
    }

    [Theory, InlineData(DatabaseProvider.Sqlite), InlineData(DatabaseProvider.Postgres)]
    public async Task SavingWithoutChangesWritesNoHistory(DatabaseProvider provider)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var database = await TestDatabase.CreateAsync(provider, ct: ct);
        await using var db = database.CreateDbContext();
        var ann = TestCustomers.Individual("Ann", "Lee", "+12127365000");
        db.Customers.Add(ann);
        await db.SaveChangesAsync(ct);

        ann.City = ann.City;
        ann.Notes = "";
        await db.SaveChangesAsync(ct);

        Assert.Equal(1, await db.CustomerChanges.CountAsync(ct));
        Assert.Equal(1, ann.Version);
    }

    [Theory, InlineData(DatabaseProvider.Sqlite), InlineData(DatabaseProvider.Postgres)]
    public async Task StoredHistoryAnswersWhatThePhoneWasOnADate(DatabaseProvider provider)
    {
        var ct = TestContext.Current.CancellationToken;
        var time = new FakeTimeProvider(Start);
        await using var database = await TestDatabase.CreateAsync(provider, time, ct: ct);
        await using var db = database.CreateDbContext();
        var ann = TestCustomers.Individual("Ann", "Lee", "+12127365000");
        db.Customers.Add(ann);
        await db.SaveChangesAsync(ct);
        foreach (var phone in new[] { "+16175550123", "+13125550199" })
        {
            time.Advance(TimeSpan.FromDays(60));
            ann.PrimaryPhone = phone;
            await db.SaveChangesAsync(ct);
        }

        await using var read = database.CreateDbContext();
        var current = await read.Customers.AsNoTracking().SingleAsync(ct);
        var changes = await read.CustomerChanges.AsNoTracking().Where(c => c.CustomerId == current.Id).ToListAsync(ct);

        Assert.Equal("+12127365000", CustomerHistory.AsOf(current, changes, Start.UtcDateTime.AddDays(30))![nameof(Customer.PrimaryPhone)]);
        Assert.Equal("+16175550123", CustomerHistory.AsOf(current, changes, Start.UtcDateTime.AddDays(90))![nameof(Customer.PrimaryPhone)]);
        Assert.Equal("+13125550199", CustomerHistory.AsOf(current, changes, Start.UtcDateTime.AddDays(150))![nameof(Customer.PrimaryPhone)]);
        Assert.Null(CustomerHistory.AsOf(current, changes, Start.UtcDateTime.AddDays(-1)));
    }
}
