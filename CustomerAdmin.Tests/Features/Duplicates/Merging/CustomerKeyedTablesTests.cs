using CustomerAdmin.Data;
using CustomerAdmin.Features.Duplicates.Merging;
using Microsoft.EntityFrameworkCore;

namespace CustomerAdmin.Tests.Features.Duplicates.Merging;

/// <summary>
/// Every table that points at a customer is one the merge decided about, read from the EF model itself: a table added
/// later with a customer key fails here (and stops every merge with a message naming it) until someone says whether
/// its rows move.
/// </summary>
public sealed class CustomerKeyedTablesTests
{
    [Fact]
    public async Task EveryCustomerKeyedEntityInTheModelIsHandledByTheMerge()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite, ct: TestContext.Current.CancellationToken);
        await using var db = database.CreateDbContext();

        var keyed = CustomerKeyedTables.ForeignKeys(db.Model).Select(k => k.Entity.ClrType).Distinct().ToList();

        // The check reads the model: the tables known to point at customers are among what it finds.
        Assert.Contains(typeof(Ticket), keyed);
        Assert.Contains(typeof(SmsMessage), keyed);
        Assert.Contains(typeof(LegacyCustomerLink), keyed);
        var unhandled = keyed.Where(t => !CustomerKeyedTables.Handling.ContainsKey(t)).Select(t => t.Name).ToList();
        Assert.True(unhandled.Count == 0, "The merge does not know what to do with: " + string.Join(", ", unhandled));
        var stale = CustomerKeyedTables.Handling.Keys.Where(t => !keyed.Contains(t)).Select(t => t.Name).ToList();
        Assert.True(stale.Count == 0, "Listed but no longer pointing at customers: " + string.Join(", ", stale));
        Assert.Equal(
            [nameof(Activity), nameof(Booking), nameof(CustomerDocument), nameof(Equipment), nameof(LegacyCustomerLink), nameof(Sale), nameof(SmsMessage), nameof(Ticket)],
            CustomerKeyedTables.Moving(db.Model).Select(m => m.Entity.ClrType.Name).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void ANewTableThatPointsAtCustomersStopsTheMergeUntilItIsHandled()
    {
        var builder = new ModelBuilder(Microsoft.EntityFrameworkCore.Metadata.Conventions.SqliteConventionSetBuilder.Build());
        builder.Entity<Customer>().Ignore(c => c.Organization).Ignore(c => c.SearchTokens).Ignore(c => c.Changes);
        builder.Entity<Forgotten>().HasOne<Customer>().WithMany().HasForeignKey(f => f.CustomerId);

        var refused = Assert.Throws<InvalidOperationException>(() => CustomerKeyedTables.Moving(builder.FinalizeModel()));

        Assert.Contains(nameof(Forgotten), refused.Message);
    }

    private sealed class Forgotten
    {
        public int Id { get; set; }
        public int CustomerId { get; set; }
    }
}
