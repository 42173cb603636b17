using CustomerAdmin.Common;
using CustomerAdmin.Data;
using CustomerAdmin.Features.Customers.Status;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Time.Testing;

namespace CustomerAdmin.Tests.Features.Customers.Status;

/// <summary>A status set with a reason, one customer or thousands: the history carries the reason, the timeline says who and why.</summary>
public class CustomerStatusOperationsTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 3, 1, 14, 0, 0, TimeSpan.Zero));

    [Theory, InlineData(DatabaseProvider.Sqlite), InlineData(DatabaseProvider.Postgres)]
    public async Task BlockingACustomerRecordsTheReasonInHistoryAndOnTheTimeline(DatabaseProvider provider)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var database = await TestDatabase.CreateAsync(provider, _time, ct: ct);
        var ann = await database.Data.CustomerAsync();
        var operations = new CustomerStatusOperations(database.Factory, _time);

        var stored = await operations.ChangeAsync(ann.Id, CustomerStatus.Blocked, "  Unpaid repairs since May  ", "manager@test.local", ct);

        Assert.Equal(CustomerStatus.Blocked, stored.Status);
        await using var db = database.CreateDbContext();
        var change = await db.CustomerChanges.SingleAsync(c => c.CustomerId == ann.Id && c.Field == nameof(Customer.Status), ct);
        Assert.Equal(("Active", "Blocked", "Unpaid repairs since May", "manager@test.local"), (change.OldValue, change.NewValue, change.Reason, change.ChangedBy));
        var entry = await db.Activities.SingleAsync(a => a.CustomerId == ann.Id && a.Kind == ActivityKind.StatusChanged, ct);
        Assert.Equal(("Status: Active → Blocked", "Unpaid repairs since May", "manager@test.local"), (entry.Subject, entry.Body, entry.CreatedBy));
        var note = await db.LatestStatusNoteAsync(ann.Id, ct);
        Assert.Equal(new StatusNote(CustomerStatus.Blocked, "Unpaid repairs since May", "manager@test.local", _time.GetUtcNow().UtcDateTime), note);
    }

    [Theory, InlineData(DatabaseProvider.Sqlite), InlineData(DatabaseProvider.Postgres)]
    public async Task AChangeWithoutAReasonIsRefusedAtTheReasonAndChangesNothing(DatabaseProvider provider)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var database = await TestDatabase.CreateAsync(provider, _time, ct: ct);
        var ann = await database.Data.CustomerAsync();
        var operations = new CustomerStatusOperations(database.Factory, _time);

        var refused = await Assert.ThrowsAsync<RuleViolationException>(() => operations.ChangeAsync(ann.Id, CustomerStatus.Blocked, " ", "staff", ct));
        var refusedMany = await Assert.ThrowsAsync<RuleViolationException>(() =>
            operations.ChangeManyAsync([ann.Id], CustomerStatus.Inactive, "", "staff", ct: ct));

        Assert.Equal((CustomerStatusOperations.ReasonField, CustomerStatusOperations.ReasonField), (refused.Field, refusedMany.Field));
        await using var db = database.CreateDbContext();
        Assert.Equal(CustomerStatus.Active, (await db.Customers.SingleAsync(c => c.Id == ann.Id, ct)).Status);
        Assert.False(await db.Activities.AnyAsync(a => a.Kind == ActivityKind.StatusChanged, ct));
    }

    [Theory, InlineData(DatabaseProvider.Sqlite), InlineData(DatabaseProvider.Postgres)]
    public async Task DeletedAndMergedAreNotSetHereAndAGoneCustomerKeepsItsStatus(DatabaseProvider provider)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var database = await TestDatabase.CreateAsync(provider, _time, ct: ct);
        var ann = await database.Data.CustomerAsync();
        var gone = await database.Data.CustomerAsync("Bob", "Gone", "+12127365009", c => c.Status = CustomerStatus.Deleted);
        var operations = new CustomerStatusOperations(database.Factory, _time);

        foreach (var status in new[] { CustomerStatus.Deleted, CustomerStatus.Merged })
        {
            var refused = await Assert.ThrowsAsync<RuleViolationException>(() => operations.ChangeAsync(ann.Id, status, "tidy", "staff", ct));
            Assert.Equal(CustomerStatusOperations.StatusField, refused.Field);
        }
        var deleted = await Assert.ThrowsAsync<RuleViolationException>(() => operations.ChangeAsync(gone.Id, CustomerStatus.Active, "back", "staff", ct));
        Assert.Contains("deleted or merged", deleted.Message);
        var already = await Assert.ThrowsAsync<RuleViolationException>(() => operations.ChangeAsync(ann.Id, CustomerStatus.Active, "again", "staff", ct));
        Assert.Contains("already Active", already.Message);
        await using var db = database.CreateDbContext();
        Assert.Equal(CustomerStatus.Deleted, (await db.Customers.SingleAsync(c => c.Id == gone.Id, ct)).Status);
    }

    [Theory, InlineData(DatabaseProvider.Sqlite), InlineData(DatabaseProvider.Postgres)]
    public async Task ChangingManyCustomersRunsInBatchesAndRecordsEachOne(DatabaseProvider provider)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var database = await TestDatabase.CreateAsync(provider, _time, ct: ct);
        var customers = new List<Customer>();
        await database.Data.BatchAsync(b =>
        {
            for (var i = 0; i < 1_200; i++)
            {
                var status = i % 100 == 0 ? CustomerStatus.Inactive : i % 150 == 1 ? CustomerStatus.Deleted : CustomerStatus.Active;
                customers.Add(b.Customer($"Ann{i}", $"Lee{i}", new DateTime(2025, 1, 1, 0, 0, 0, DateTimeKind.Utc), status: status));
            }
        });
        var ids = customers.Select(c => c.Id).Append(999_999).ToList();
        var progress = new List<int>();
        var operations = new CustomerStatusOperations(database.Factory, _time);

        var report = await operations.ChangeManyAsync(ids, CustomerStatus.Inactive, "Moved away", "manager", new SyncProgress(progress), ct);

        var (already, deleted) = (customers.Count(c => c.Status == CustomerStatus.Inactive), customers.Count(c => c.Status == CustomerStatus.Deleted));
        Assert.Equal(new StatusChangeReport(1_200 - already - deleted, already, deleted + 1), report);
        Assert.Equal([500, 1_000, 1_201], progress);
        await using var db = database.CreateDbContext();
        Assert.Equal(1_200 - deleted, await db.Customers.CountAsync(c => c.Status == CustomerStatus.Inactive, ct));
        Assert.Equal(report.Changed, await db.CustomerChanges.CountAsync(c => c.Field == nameof(Customer.Status) && c.Reason == "Moved away" && c.NewValue == "Inactive", ct));
        Assert.Equal(report.Changed, await db.Activities.CountAsync(a => a.Kind == ActivityKind.StatusChanged && a.Body == "Moved away", ct));
    }

    /// <summary>Reports as they are made (Progress&lt;T&gt; posts to the thread pool, after the call may have returned).</summary>
    private sealed class SyncProgress(List<int> seen) : IProgress<int>
    {
        public void Report(int value) => seen.Add(value);
    }
}
