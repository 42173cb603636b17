using CustomerAdmin.Common;
using CustomerAdmin.Data;
using CustomerAdmin.Features.Customers;
using CustomerAdmin.Features.Duplicates.Scanning;
using Microsoft.EntityFrameworkCore;

namespace CustomerAdmin.Tests.Features.Customers;

/// <summary>
/// Many staff saving at once while another writer holds the database: each save waits for its turn without holding a
/// thread, and all of them are written once the writer is done. On SQLite the writer holds the file's one write lock;
/// Microsoft.Data.Sqlite waits for it by sleeping on the caller's thread, so before the write gate (SqliteWriteGate) the
/// first save's call did not even return until the busy timeout ran out, and a circuit's save took a thread-pool thread
/// with it (the pool starved under the load benchmark at 50 circuits). On PostgreSQL the saves wait for the duplicate
/// check's lock, as asynchronous I/O.
/// </summary>
public sealed class ConcurrentSaveTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory, InlineData(DatabaseProvider.Sqlite), InlineData(DatabaseProvider.Postgres)]
    public async Task SavesQueuedBehindAnotherWriterHoldNoThreadAndAllSucceed(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider, ct: Ct);
        var customers = new List<Customer>();
        for (var i = 0; i < 20; i++)
            customers.Add(await new TestData(database.Factory).CustomerAsync("Ann", $"Lee{i}", $"+1212736{5000 + i}"));
        // A busy timeout the test outlives: without the gate the first save would fail busy after it, not wait.
        var operations = new CustomerOperations(database.FactoryWithBusyTimeout(5), new PhoneNormalizer("US"), TimeProvider.System);

        var saves = new List<Task<Customer>>();
        await using (var writer = database.CreateDbContext())
        {
            await using var transaction = await writer.Database.BeginTransactionAsync(Ct);
            await DuplicateChecks.LockAsync(writer, Ct);

            foreach (var customer in customers)
            {
                var form = customer.Copy();
                form.AddressLine2 = "Flat 2";
                // Called on this thread, as a circuit calls it: the call must come back at once with the save waiting.
                saves.Add(operations.UpdateAsync(customer.Id, customer.Version, form, null, ct: Ct));
                Assert.False(saves[^1].IsCompleted, $"save {saves.Count} finished (or failed) while another writer held the database: {saves[^1].Exception?.GetBaseException().Message}");
            }
            await Task.Delay(200, Ct);
            Assert.All(saves, s => Assert.False(s.IsCompleted));
            await transaction.CommitAsync(Ct);
        }

        var saved = await Task.WhenAll(saves);
        Assert.All(saved, c => Assert.Equal("Flat 2", c.AddressLine2));
        await using var db = database.CreateDbContext();
        var stored = await db.Customers.AsNoTracking().Where(c => c.AddressLine2 == "Flat 2").ToDictionaryAsync(c => c.Id, c => c.Version, Ct);
        Assert.Equal(customers.Count, stored.Count);
        Assert.All(customers, c => Assert.Equal(c.Version + 1, stored[c.Id]));
    }

    [Theory, InlineData(DatabaseProvider.Sqlite), InlineData(DatabaseProvider.Postgres)]
    public async Task ASaveRefusedInsideItsTransactionLetsTheNextWriterIn(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider, ct: Ct);
        var data = new TestData(database.Factory);
        var gone = await data.CustomerAsync("Ann", "Lee", "+12127365000");
        var kept = await data.CustomerAsync("Bob", "Stone", "+12127365001");
        var operations = new CustomerOperations(database.FactoryWithBusyTimeout(5), new PhoneNormalizer("US"), TimeProvider.System);
        await operations.DeleteAsync(gone.Id, ct: Ct);

        // Refused after its transaction began: the transaction is disposed without a commit or a rollback call.
        await Assert.ThrowsAsync<RuleViolationException>(() => operations.UpdateAsync(gone.Id, gone.Version, gone.Copy(), null, ct: Ct));

        var form = kept.Copy();
        form.AddressLine2 = "Flat 2";
        var saved = await operations.UpdateAsync(kept.Id, kept.Version, form, null, ct: Ct);
        Assert.Equal("Flat 2", saved.AddressLine2);
    }
}
