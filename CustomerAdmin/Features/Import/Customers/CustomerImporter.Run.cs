using System.Diagnostics;
using System.Threading.Channels;
using CustomerAdmin.Data;
using CustomerAdmin.Data.Sql;
using CustomerAdmin.Features.Import.Legacy;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Query;
using Microsoft.EntityFrameworkCore.Storage;

namespace CustomerAdmin.Features.Import.Customers;

/// <summary>A run's batches: how many rows each takes, the reading thread, the run's counts and its transactions.</summary>
public sealed partial class CustomerImporter
{
    /// <summary>The first batch's rows at most: its pace, unknown yet, sizes the next (<see cref="BatchSize"/>).</summary>
    private const int FirstBatchMax = 1000;

    /// <summary>Batches of fewer rows than this are not worth their commit, however slow the machine.</summary>
    private const int SmallestBatch = 200;

    /// <summary>
    /// How many rows the next batch takes: as many as the last batch's pace writes in <see cref="CustomerImportOptions.BatchTime"/>
    /// (a run's progress is stored with each batch, so it moves about that often, on a loaded machine too), within
    /// <see cref="SmallestBatch"/> and <see cref="CustomerImportOptions.BatchSize"/>. Larger batches are cheaper per row
    /// (each commit writes a page the batch touched once, however many of its rows touched it).
    /// </summary>
    internal sealed class BatchSize(int first)
    {
        private volatile int _rows = first;

        public int Rows => _rows;

        public void Follow(int rows, TimeSpan took, CustomerImportOptions options)
        {
            var paced = took <= TimeSpan.Zero ? options.BatchSize : rows * (options.BatchTime / took);
            _rows = (int)Math.Clamp(paced, Math.Min(SmallestBatch, options.BatchSize), options.BatchSize);
        }
    }

    /// <summary>
    /// The reading thread: parses the file's rows into batches of <see cref="BatchSize.Rows"/> rows, or fewer when
    /// reading one takes longer than <see cref="CustomerImportOptions.BatchTime"/>. Its failure ends the batches: the
    /// writer finds it when it awaits this task.
    /// </summary>
    private async Task ReadBatchesAsync(Prepared prepared, BatchSize size, ChannelWriter<List<ImportedCustomerRow>> batches, CancellationToken ct)
    {
        try
        {
            var batch = new List<ImportedCustomerRow>(size.Rows);
            var batchClock = Stopwatch.StartNew();
            await foreach (var row in prepared.File.RowsAsync(ct))
            {
                batch.Add(prepared.Reader.Read(row));
                if (batch.Count < size.Rows && batchClock.Elapsed < _options.BatchTime) continue;
                await batches.WriteAsync(batch, ct);
                batch = new List<ImportedCustomerRow>(size.Rows);
                batchClock.Restart();
            }
            if (batch.Count > 0) await batches.WriteAsync(batch, ct);
        }
        finally
        {
            batches.TryComplete();
        }
    }

    /// <summary>The counts of the batches committed so far (a batch rolled back never reaches them).</summary>
    private sealed class RunCounts
    {
        public int RowsRead;
        public int Created;
        public int Updated;
        public int Unchanged;
        public int Skipped;
        public int NeedsReview;

        public RunCounts Copy() => (RunCounts)MemberwiseClone();

        public UpdateSettersBuilder<ImportRun> Apply(UpdateSettersBuilder<ImportRun> s) => s
            .SetProperty(r => r.RowsRead, RowsRead).SetProperty(r => r.CustomersCreated, Created)
            .SetProperty(r => r.CustomersUpdated, Updated).SetProperty(r => r.CustomersUnchanged, Unchanged)
            .SetProperty(r => r.RowsSkipped, Skipped).SetProperty(r => r.RowsNeedingReview, NeedsReview);

        public void Count(ImportReportRow row)
        {
            RowsRead++;
            switch (row.Action)
            {
                case ImportRowAction.Created: Created++; if (row.NeedsReview) NeedsReview++; break;
                case ImportRowAction.Updated: Updated++; break;
                case ImportRowAction.Unchanged: Unchanged++; break;
                default: Skipped++; break;
            }
        }
    }

    private sealed class RunWork(ImportRun run, CustomerImportRequest request, FileIndex index)
    {
        public ImportRun Run => run;
        public ImportMatchMode OnMatch => request.OnMatch;
        public string Source => request.Source.Trim();
        public FileIndex Index => index;
        /// <summary>The counts of the committed batches (what a rolled-back transaction leaves).</summary>
        public RunCounts Counts { get; set; } = new();
        /// <summary>The counts with the batches of the transaction under way (what the progress shows).</summary>
        public RunCounts Pending { get; set; } = new();
        public ImportStageTimes? Stages { get; init; }

        /// <summary>
        /// The run's one context, so one connection for all its transactions: the bulk settings give the connection a
        /// large page cache that the pool keeps, and a context per batch had taken up to four pooled connections in
        /// turn, filling a cache on each (the working set rose through the run; docs/benchmarks.md, import-pages).
        /// </summary>
        public AppDbContext? Db { get; set; }
    }

    /// <summary>
    /// One transaction of a real run (or, in a dry run, one context without a transaction) and the batches written in
    /// it so far; committed when it is <see cref="CustomerImportOptions.CommitTime"/> old (<see cref="CommitAsync"/>).
    /// </summary>
    private sealed class Transaction(AppDbContext db, IDbContextTransaction? tx) : IAsyncDisposable
    {
        private readonly long _started = System.Diagnostics.Stopwatch.GetTimestamp();

        public AppDbContext Db => db;
        public IDbContextTransaction? Tx => tx;
        public TimeSpan Age => System.Diagnostics.Stopwatch.GetElapsedTime(_started);

        /// <summary>Ends the transaction (rolled back unless committed); the run's context stays for the next.</summary>
        public async ValueTask DisposeAsync()
        {
            if (tx is not null) await tx.DisposeAsync();
        }
    }

    private async Task<Transaction> BeginAsync(RunWork work, CancellationToken ct)
    {
        if (work.Db is null)
        {
            var created = await factory.CreateDbContextAsync(ct);
            try
            {
                created.Actor = ActorOf(work.Run.Id);
                // Nothing is tracked: matched customers are written on the bulk path (WriteMatchedAsync).
                created.ChangeTracker.QueryTrackingBehavior = QueryTrackingBehavior.NoTracking;
                // The legacy import's settings for a connection that writes in large batches (on SQLite a large page
                // cache, which keeps the customers' indexes in memory across batches, and fewer syncs and checkpoints).
                if (!work.Run.DryRun) await created.Sql().BeginBulkWritesAsync(created, ct);
            }
            catch
            {
                await created.DisposeAsync();
                throw;
            }
            work.Db = created;
        }
        return new Transaction(work.Db, work.Run.DryRun ? null : await work.Db.Database.BeginTransactionAsync(ct));
    }

    /// <summary>
    /// Stores the run's counts and heartbeat with the transaction's batches and commits them.
    /// </summary>
    /// <returns>False when the run was cancelled meanwhile: it stops after these batches.</returns>
    private async Task<bool> CommitAsync(RunWork work, Transaction transaction, CancellationToken ct)
    {
        var (run, db, counts) = (work.Run, transaction.Db, work.Pending);
        var now = Now;
        var alive = await db.ImportRuns.Where(r => r.Id == run.Id && r.Status == ImportRunStatus.Running)
            .ExecuteUpdateAsync(s => counts.Apply(s).SetProperty(r => r.HeartbeatAt, now), ct);
        // Cancelled while these batches ran (CancelAsync): they are kept, whole, and the run stops after them.
        var cancelled = alive == 0 && await db.ImportRuns.Where(r => r.Id == run.Id && r.Status == ImportRunStatus.Cancelled)
            .ExecuteUpdateAsync(s => counts.Apply(s).SetProperty(r => r.HeartbeatAt, now), ct) == 1;
        // Declared interrupted (perhaps undone) by another process while these batches ran: their rows must not join the run.
        if (alive == 0 && !cancelled) throw new InvalidOperationException($"Import #{run.Id} was marked as interrupted by another process, so it stopped.");
        if (transaction.Tx is not null) await transaction.Tx.CommitAsync(ct);
        work.Counts = counts.Copy();
        work.Stages?.Mark("run counts and commit");
        return !cancelled;
    }
}
