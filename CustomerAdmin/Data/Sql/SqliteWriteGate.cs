using System.Collections.Concurrent;
using System.Data.Common;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Runtime.CompilerServices;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Storage;

namespace CustomerAdmin.Data.Sql;

/// <summary>
/// The writers of this process queue for a SQLite file's one write lock here, asynchronously and in arrival order,
/// before they ask SQLite for it. Microsoft.Data.Sqlite waits for a taken lock synchronously: <c>BEGIN IMMEDIATE</c>
/// that finds it held sleeps 150 ms on its thread and tries again until the busy timeout. With many circuits saving at
/// once every waiting save kept a thread-pool thread asleep; the pool adds threads about twice a second, so it starved,
/// and every circuit's renders and searches queued behind the saves (docs/benchmarks.md, branch circuits-n50: the
/// keystroke and page p95s of a second at N = 50). Through the gate a waiting writer holds no thread, and when its turn
/// comes the lock is free. Other processes (the shell commands, a backup) still meet SQLite's own busy wait, which stays
/// the rule between processes.
/// </summary>
/// <remarks>
/// Every transaction EF begins on a SQLite connection passes the gate (<see cref="Use"/> puts it on a context's options):
/// the operations', the keepers' saves, EF's own around a multi-statement save. The gate is left when the transaction
/// commits, rolls back or is disposed. A writer waits at most the connection's busy timeout
/// (<see cref="SqliteConnection.DefaultTimeout"/>) and then fails as SQLite would, busy, so a caller that holds the
/// gate while it waits for another writer (a bug) ends as before rather than hanging. In-memory databases without a
/// name (each connection its own database) are not gated.
/// </remarks>
public static class SqliteWriteGate
{
    private static readonly ConcurrentDictionary<string, SemaphoreSlim> Gates = new(StringComparer.Ordinal);
    private static readonly ConditionalWeakTable<DbConnection, Lease> Leases = new();

    private static readonly Meter Meter = new("CustomerAdmin");

    private static readonly Histogram<double> Waited = Meter.CreateHistogram<double>("customeradmin.sqlite.write_lock.wait", "ms",
        "How long a write transaction waited in this process for the SQLite file's write lock.");

    private static readonly Histogram<double> Held = Meter.CreateHistogram<double>("customeradmin.sqlite.write_lock.held", "ms",
        "How long a write transaction held the SQLite file's write lock, from its turn to its commit, rollback or disposal.");

    private static readonly Interceptor TransactionInterceptor = new();

    /// <summary>Gates the transactions of contexts built from these options (it does nothing on other providers).</summary>
    public static DbContextOptionsBuilder Use(DbContextOptionsBuilder builder) =>
        builder.AddInterceptors(TransactionInterceptor).ReplaceService<IRelationalTransactionFactory, TransactionFactory>();

    /// <summary>Waits for this connection's turn to write; the turn ends with <see cref="Leave"/> (idempotent).</summary>
    public static async ValueTask EnterAsync(SqliteConnection connection, CancellationToken ct)
    {
        if (Key(connection) is not { } key || Leases.TryGetValue(connection, out _)) return;
        var gate = Gates.GetOrAdd(key, _ => new SemaphoreSlim(1, 1));
        var start = Stopwatch.GetTimestamp();
        var entered = await gate.WaitAsync(BusyTimeout(connection), ct).ConfigureAwait(false);
        Entered(connection, key, gate, start, entered);
    }

    /// <summary>As <see cref="EnterAsync"/>, for a synchronous caller (its thread waits, as it would have in SQLite).</summary>
    public static void Enter(SqliteConnection connection)
    {
        if (Key(connection) is not { } key || Leases.TryGetValue(connection, out _)) return;
        var gate = Gates.GetOrAdd(key, _ => new SemaphoreSlim(1, 1));
        var start = Stopwatch.GetTimestamp();
        var entered = gate.Wait(BusyTimeout(connection));
        Entered(connection, key, gate, start, entered);
    }

    private static void Entered(SqliteConnection connection, string key, SemaphoreSlim gate, long start, bool entered)
    {
        Waited.Record(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        if (!entered)
            // SQLITE_BUSY, as SQLite itself reports a lock held past the busy timeout (SqlDialects.BusyCause knows it).
            throw new SqliteException($"database is locked: another writer of this process held '{key}' past the busy timeout", 5);
        Leases.AddOrUpdate(connection, new Lease(gate));
    }

    /// <summary>Ends this connection's turn, if it has one.</summary>
    public static void Leave(DbConnection connection)
    {
        if (Leases.TryGetValue(connection, out var lease) && Leases.Remove(connection)) lease.Release();
    }

    private static TimeSpan BusyTimeout(SqliteConnection connection) =>
        connection.DefaultTimeout > 0 ? TimeSpan.FromSeconds(connection.DefaultTimeout) : Timeout.InfiniteTimeSpan;

    /// <summary>The file a connection writes to; null for a private in-memory database.</summary>
    private static string? Key(SqliteConnection connection)
    {
        var csb = new SqliteConnectionStringBuilder(connection.ConnectionString);
        if (string.IsNullOrEmpty(csb.DataSource) || csb.DataSource == ":memory:") return null;
        return csb.Mode == SqliteOpenMode.Memory ? "memory:" + csb.DataSource : Path.GetFullPath(csb.DataSource);
    }

    private sealed class Lease(SemaphoreSlim gate)
    {
        private readonly long _start = Stopwatch.GetTimestamp();
        private int _released;

        public void Release()
        {
            if (Interlocked.Exchange(ref _released, 1) != 0) return;
            Held.Record(Stopwatch.GetElapsedTime(_start).TotalMilliseconds);
            gate.Release();
        }
    }

    /// <summary>
    /// Begins the transaction itself once the connection has its turn (as EF would: <c>BeginTransaction</c> with the
    /// isolation level asked for), so a begin that fails (busy from another process) also ends the turn.
    /// </summary>
    private sealed class Interceptor : DbTransactionInterceptor
    {
        public override async ValueTask<InterceptionResult<DbTransaction>> TransactionStartingAsync(DbConnection connection,
            TransactionStartingEventData eventData, InterceptionResult<DbTransaction> result, CancellationToken ct = default)
        {
            if (result.HasResult || connection is not SqliteConnection sqlite) return result;
            await EnterAsync(sqlite, ct);
            return Begin(sqlite, eventData);
        }

        public override InterceptionResult<DbTransaction> TransactionStarting(DbConnection connection, TransactionStartingEventData eventData,
            InterceptionResult<DbTransaction> result)
        {
            if (result.HasResult || connection is not SqliteConnection sqlite) return result;
            Enter(sqlite);
            return Begin(sqlite, eventData);
        }

        private static InterceptionResult<DbTransaction> Begin(SqliteConnection sqlite, TransactionStartingEventData eventData)
        {
            try
            {
                return InterceptionResult<DbTransaction>.SuppressWithResult(sqlite.BeginTransaction(eventData.IsolationLevel));
            }
            catch
            {
                Leave(sqlite);
                throw;
            }
        }

        public override void TransactionCommitted(DbTransaction transaction, TransactionEndEventData eventData) => LeaveOf(eventData);

        public override Task TransactionCommittedAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken ct = default)
        {
            LeaveOf(eventData);
            return Task.CompletedTask;
        }

        public override void TransactionRolledBack(DbTransaction transaction, TransactionEndEventData eventData) => LeaveOf(eventData);

        public override Task TransactionRolledBackAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken ct = default)
        {
            LeaveOf(eventData);
            return Task.CompletedTask;
        }

        // After a commit the transaction no longer knows its connection; the context does.
        private static void LeaveOf(TransactionEventData eventData)
        {
            if (eventData.Context is { } context) SqliteWriteGate.Leave(context.Database.GetDbConnection());
        }

        // A failed commit or rollback ends the turn; a failed savepoint leaves the transaction (and the turn) open.
        public override void TransactionFailed(DbTransaction transaction, TransactionErrorEventData eventData)
        {
            if (eventData.Action is "Commit" or "Rollback") LeaveOf(eventData);
        }

        public override Task TransactionFailedAsync(DbTransaction transaction, TransactionErrorEventData eventData, CancellationToken ct = default)
        {
            TransactionFailed(transaction, eventData);
            return Task.CompletedTask;
        }
    }

    /// <summary>EF's transactions, which also end the turn when disposed without a commit (an exception in an operation).</summary>
    internal sealed class TransactionFactory(RelationalTransactionFactoryDependencies dependencies) : RelationalTransactionFactory(dependencies)
    {
        public override RelationalTransaction Create(IRelationalConnection connection, DbTransaction transaction, Guid transactionId,
            IDiagnosticsLogger<DbLoggerCategory.Database.Transaction> logger, bool transactionOwned) =>
            new GatedTransaction(connection, transaction, transactionId, logger, transactionOwned, Dependencies.SqlGenerationHelper);
    }

    private sealed class GatedTransaction(IRelationalConnection connection, DbTransaction transaction, Guid transactionId,
        IDiagnosticsLogger<DbLoggerCategory.Database.Transaction> logger, bool transactionOwned, ISqlGenerationHelper sqlGenerationHelper)
        : RelationalTransaction(connection, transaction, transactionId, logger, transactionOwned, sqlGenerationHelper)
    {
        private readonly DbConnection _connection = connection.DbConnection;

        public override void Dispose()
        {
            try { base.Dispose(); }
            finally { Leave(_connection); }
        }

        public override async ValueTask DisposeAsync()
        {
            try { await base.DisposeAsync(); }
            finally { Leave(_connection); }
        }
    }
}
