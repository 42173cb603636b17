using System.Text;
using CustomerAdmin.Common;
using CustomerAdmin.Data;
using CustomerAdmin.Features.Dashboard;
using CustomerAdmin.Features.Duplicates.Scanning;
using CustomerAdmin.Features.Import.Legacy;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace CustomerAdmin.Tests.Features.Import.Legacy;

/// <summary>
/// The legacy import and the duplicate check of the customers it queued, at the same time on PostgreSQL (two instances:
/// one imports, the other's check-queue worker checks what the earlier batches created; the 40P01 deadlock once seen in
/// the two-instance test). A batch locks its existing customers in id order to move their statistics and the dashboard
/// summary; the check inserts their blocking keys and pairs, whose foreign keys lock the same customers' rows in key-hash
/// order. Locked for their values only, the batch's locks leave the foreign keys' free, so neither waits for the other.
/// </summary>
public sealed class LegacyImportConcurrencyTests : IDisposable
{
    private readonly List<string> _files = [];

    public void Dispose()
    {
        foreach (var f in _files) File.Delete(f);
    }

    [Fact]
    public async Task ABatchLockingItsCustomersAndACheckWritingTheirKeysDoNotWaitForEachOtherOnPostgres()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Postgres, ct: ct);
        var low = await database.Data.CustomerAsync("Ann", "Lee", "+12127365101");
        var high = await database.Data.CustomerAsync("Bob", "Stone", "+13125550199");
        var now = DateTime.UtcNow;

        // The check's transaction writes its customers' keys in hash order: here the higher id's first. Split in two
        // calls, so the batch's lock falls between them, as it can fall between two rows of one insert.
        await using var check = database.CreateDbContext();
        await using var checkTx = await check.Database.BeginTransactionAsync(ct);
        await DuplicateChecks.CheckAsync(check, [high.Id], now, ct);

        // The batch's lock on the customers it matched (both), taken as LegacyImporter takes it.
        await using var batch = database.CreateDbContext();
        await using var batchTx = await batch.Database.BeginTransactionAsync(ct);
        var pid = await batch.Database.SqlQueryRaw<int>("SELECT pg_backend_pid() AS \"Value\"").SingleAsync(ct);
        var locking = DashboardSummaryKeeper.BeginAddingAsync(batch, [low.Id, high.Id], ct);
        await DoneOrWaitingAsync(database, locking, pid, ct);

        // Before the fix the batch held the lower id and waited for the higher; this waited for the lower: 40P01.
        await DuplicateChecks.CheckAsync(check, [low.Id], now, ct);
        await checkTx.CommitAsync(ct);
        await locking;
        await batchTx.CommitAsync(ct);

        await using var db = database.CreateDbContext();
        Assert.Equal([low.Id, high.Id], await db.CustomerMatchKeys.Select(k => k.CustomerId).Distinct().OrderBy(id => id).ToListAsync(ct));
    }

    [Fact]
    public async Task ImportAndTheCheckOfTheCustomersItQueuedRunTogetherOnPostgres()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Postgres, ct: ct);
        // 200 customers, two of each name (pairs for the check to write), on every ticket again every 200 rows: each
        // batch from the third on matches 100 customers that an earlier batch created and queued for the check.
        const int customers = 200, rows = 2_000;
        var csv = new StringBuilder("ticket_id,customer_id,customer_name,phone,whatsapp,email,created_at,item,problem,status,amount\n");
        for (var i = 0; i < rows; i++)
        {
            var c = i % customers;
            csv.Append(FormattableString.Invariant(
                $"T-{i},C-{c},Dana Person{c / 2},+1917736{c:D4},,,2021-01-{1 + i % 28:D2} 10:00,Laptop {i},Broken screen,closed,$10.00\n"));
        }
        var file = Path.Combine(Path.GetTempPath(), $"legacy-{Guid.NewGuid():N}.csv");
        _files.Add(file);
        await File.WriteAllTextAsync(file, csv.ToString(), ct);

        var time = TimeProvider.System;
        var importer = new LegacyImporter(database.Factory, new PhoneNormalizer("US"),
            Options.Create(new LegacyImportOptions { BatchSize = 100, MaxRecordLength = 10_000 }), Options.Create(new CustomersOptions()), time);
        var duplicates = Options.Create(new DuplicatesOptions { CheckBatchSize = 50 });
        var worker = new DuplicateCheckWorker(database.Factory,
            new DuplicateScanner(database.Factory, duplicates, time, new StillRunning(), NullLogger<DuplicateScanner>.Instance),
            duplicates, time, NullLogger<DuplicateCheckWorker>.Instance, Options.Create(new CustomerAdmin.Features.Import.Customers.CustomerImportOptions()),
            Options.Create(new LegacyImportOptions()));

        var import = Task.Run(() => importer.RunAsync(file, "legacy.csv", dryRun: false, "test", ct: ct), ct);
        var checkedCount = 0;
        while (!import.IsCompleted)
        {
            checkedCount += await worker.CheckQueuedAsync(ct);
            await Task.Delay(10, ct);
        }
        var report = await import;
        Assert.True(report.Succeeded, report.FatalError);
        checkedCount += await worker.CheckQueuedAsync(ct);

        Assert.Equal((rows, customers), (report.Tickets, report.CustomersCreated));
        Assert.Equal(customers, checkedCount);
        await using var db = database.CreateDbContext();
        Assert.Equal(0, await db.DuplicateCheckRequests.CountAsync(ct));
        Assert.Equal(customers, await db.CustomerMatchKeys.Select(k => k.CustomerId).Distinct().CountAsync(ct));
    }

    /// <summary>Waits until <paramref name="task"/> has finished or the backend <paramref name="pid"/> waits for a lock.</summary>
    private static async Task DoneOrWaitingAsync(TestDatabase database, Task task, int pid, CancellationToken ct)
    {
        await using var db = database.CreateDbContext();
        for (var i = 0; i < 200 && !task.IsCompleted; i++)
        {
            var waiting = await db.Database.SqlQueryRaw<int>(
                "SELECT count(*)::int AS \"Value\" FROM pg_locks WHERE pid = {0} AND NOT granted", pid).SingleAsync(ct);
            if (waiting > 0) return;
            await Task.Delay(50, ct);
        }
        Assert.True(task.IsCompleted, "The batch neither finished its lock nor waited for one.");
    }
}
