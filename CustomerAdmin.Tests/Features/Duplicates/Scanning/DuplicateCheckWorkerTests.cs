using System.Text;
using CustomerAdmin.Common;
using CustomerAdmin.Data;
using CustomerAdmin.Features.Duplicates.Scanning;
using CustomerAdmin.Features.Import.Customers;
using CustomerAdmin.Features.Import.Legacy;
using CustomerAdmin.Tests.Features.Import.Customers;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace CustomerAdmin.Tests.Features.Duplicates.Scanning;

/// <summary>
/// The check-queue worker and a running customer import: with more than <see cref="DuplicatesOptions.FullScanAfterQueued"/>
/// customers queued, the full scan waits for the import's end (it would read every customer while the import rewrites
/// them); an import silent for longer than the imports' own <see cref="CustomerImportOptions.InterruptedAfter"/> died
/// with its process and holds nothing back.
/// </summary>
public sealed class DuplicateCheckWorkerTests : IDisposable
{
    private const int Rows = 300, BatchSize = 100, FullScanAfter = 50;
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 3, 1, 9, 0, 0, TimeSpan.Zero));
    private readonly List<string> _files = [];

    public void Dispose()
    {
        foreach (var f in _files) File.Delete(f);
    }

    [Theory, InlineData(DatabaseProvider.Sqlite), InlineData(DatabaseProvider.Postgres)]
    public async Task TheFullScanStartsOnlyAfterARunningImportHasFinished(DatabaseProvider provider)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var database = await TestDatabase.CreateAsync(provider, ct: ct);
        var (importer, worker, scanner) = Parts(database, interruptedAfter: TimeSpan.FromMinutes(2));
        await using var paused = new PausedImport(importer, await CustomerImporterTests.RequestAsync(WriteFile()));

        // The first batch is committed (its 100 customers queued, more than 50) and the import is still running.
        await paused.FirstBatch.WaitAsync(TimeSpan.FromMinutes(1), ct);
        Assert.Equal(0, await worker.CheckQueuedAsync(ct));
        await using (var db = database.CreateDbContext())
        {
            Assert.Equal(BatchSize, await db.DuplicateCheckRequests.CountAsync(ct));
            Assert.False(await db.DuplicateScanRuns.AnyAsync(ct));
        }

        var summary = await paused.FinishAsync();
        Assert.Equal(Rows, summary.Created);
        Assert.Equal(0, await worker.CheckQueuedAsync(ct));
        await scanner.Running.WaitAsync(TimeSpan.FromMinutes(2), ct);
        await using (var db = database.CreateDbContext())
        {
            var scan = await db.DuplicateScanRuns.SingleAsync(ct);
            Assert.Equal((DuplicateScanStatus.Completed, $"system: {Rows:N0} customers imported"), (scan.Status, scan.StartedBy));
            Assert.Equal(0, await db.DuplicateCheckRequests.CountAsync(ct));
        }
    }

    [Theory, InlineData(DatabaseProvider.Sqlite), InlineData(DatabaseProvider.Postgres)]
    public async Task AnImportSilentForLongerThanItsInterruptedAfterDoesNotHoldTheFullScanBack(DatabaseProvider provider)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var database = await TestDatabase.CreateAsync(provider, ct: ct);
        // Shorter than the 10 minutes the worker once assumed for every import.
        var (importer, worker, scanner) = Parts(database, interruptedAfter: TimeSpan.FromMinutes(1));
        await using var paused = new PausedImport(importer, await CustomerImporterTests.RequestAsync(WriteFile()));

        await paused.FirstBatch.WaitAsync(TimeSpan.FromMinutes(1), ct);
        _time.Advance(TimeSpan.FromSeconds(59));
        Assert.Equal(0, await worker.CheckQueuedAsync(ct));
        await using (var db = database.CreateDbContext()) Assert.False(await db.DuplicateScanRuns.AnyAsync(ct));

        // Silent for longer than the customer import's InterruptedAfter: its process is taken for dead.
        _time.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(0, await worker.CheckQueuedAsync(ct));
        await scanner.Running.WaitAsync(TimeSpan.FromMinutes(2), ct);
        await using (var db = database.CreateDbContext())
            Assert.Equal($"system: {BatchSize:N0} customers imported", (await db.DuplicateScanRuns.SingleAsync(ct)).StartedBy);
        await paused.FinishAsync();
    }

    private (CustomerImporter, DuplicateCheckWorker, DuplicateScanner) Parts(TestDatabase database, TimeSpan interruptedAfter)
    {
        var importer = new CustomerImporter(database.Factory, new PhoneNormalizer("US"),
            // Every batch committed (CommitTime zero): the worker must see the first batch's queued customers while the import runs.
            Options.Create(new CustomerImportOptions { BatchSize = BatchSize, InterruptedAfter = interruptedAfter, CommitTime = TimeSpan.Zero }),
            Options.Create(new CustomersOptions()), _time, NullLogger<CustomerImporter>.Instance);
        var duplicates = Options.Create(new DuplicatesOptions { FullScanAfterQueued = FullScanAfter });
        // The scan on the real clock (its heartbeat waits on it); the worker asks the import's rule on the test's clock.
        var scanner = new DuplicateScanner(database.Factory, duplicates, TimeProvider.System, new StillRunning(), NullLogger<DuplicateScanner>.Instance);
        var worker = new DuplicateCheckWorker(database.Factory, scanner, duplicates, _time, NullLogger<DuplicateCheckWorker>.Instance,
            Options.Create(new CustomerImportOptions { InterruptedAfter = interruptedAfter }), Options.Create(new LegacyImportOptions()));
        return (importer, worker, scanner);
    }

    /// <summary>300 new people, no two alike.</summary>
    private string WriteFile()
    {
        var csv = new StringBuilder(CustomerImporterTests.Header);
        for (var i = 0; i < Rows; i++)
        {
            var (first, last) = CustomerImporterTests.Person(i);
            csv.Append($"N-{i},{first},{last}{i},{CustomerImporterTests.NewPhone(i)},,Springfield,\n");
        }
        var path = Path.Combine(Path.GetTempPath(), $"customers-{Guid.NewGuid():N}.csv");
        File.WriteAllText(path, csv.ToString(), new UTF8Encoding(false));
        _files.Add(path);
        return path;
    }

    /// <summary>An import that stops after its first committed batch (in its progress report) until it is let go.</summary>
    private sealed class PausedImport : IProgress<CustomerImportProgress>, IAsyncDisposable
    {
        private readonly TaskCompletionSource _first = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly ManualResetEventSlim _go = new();
        private readonly Task<CustomerImportSummary> _run;

        public PausedImport(CustomerImporter importer, CustomerImportRequest request) =>
            _run = Task.Run(() => importer.RunAsync(request, this));

        public Task FirstBatch => Task.WhenAny(_first.Task, _run);

        public void Report(CustomerImportProgress value)
        {
            if (!_first.TrySetResult()) return;
            _go.Wait(TimeSpan.FromMinutes(2));
        }

        public async Task<CustomerImportSummary> FinishAsync()
        {
            _go.Set();
            return await _run.WaitAsync(TimeSpan.FromMinutes(2));
        }

        public async ValueTask DisposeAsync()
        {
            _go.Set();
            try { await _run; } catch (Exception) { /* reported by the test that awaited it */ }
            _go.Dispose();
        }
    }
}
