using System.Data.Common;
using System.Diagnostics;
using System.Threading.Channels;
using CustomerAdmin.Common;
using CustomerAdmin.Data;
using CustomerAdmin.Data.Sql;
using CustomerAdmin.Features.Import.Files;
using CustomerAdmin.Features.Import.Legacy;
using CustomerAdmin.Features.Import.Values;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace CustomerAdmin.Features.Import.Customers;

/// <summary>
/// Imports a customer spreadsheet (CSV or .xlsx) with the user's mapping: each row is matched to an existing customer
/// (external reference of the same source, then E.164 phone, then email, then the duplicate detector's "likely" level),
/// which it fills or overwrites or skips as asked, or becomes a new customer; an uncertain match (several customers,
/// or only a "possible" duplicate) is created anew and its pairs go to the review queue. Rows are read, matched and
/// written in batches, each batch in one transaction with its report rows and the run's counts, so a run that stops
/// (cancelled, failed, its process killed) leaves whole batches only, all undoable. New and matched customers are
/// written on the bulk path, through the keepers' bulk entry points (the same computation as a save's): history "by
/// import #N", search tokens and the dashboard move as for a change made by staff; duplicate checks are queued.
/// </summary>
/// <remarks>
/// Problems found before a run starts are thrown: <see cref="TabularFileException"/> (the file: empty, a header only,
/// unreadable) and <see cref="RuleViolationException"/> (the mapping, the date order, another import running).
/// </remarks>
public sealed partial class CustomerImporter(
    IDbContextFactory<AppDbContext> factory,
    PhoneNormalizer phones,
    IOptions<CustomerImportOptions> options,
    IOptions<CustomersOptions> customerOptions,
    TimeProvider time,
    ILogger<CustomerImporter> logger,
    IHostApplicationLifetime? lifetime = null)
{
    private const int PhoneCacheMax = 200_000;
    public const string NoRows = "The file has a header row but no customers.";
    private readonly CustomerImportOptions _options = options.Value;
    private Task _running = Task.CompletedTask;

    /// <summary>
    /// The counts of the runs under way here, their uncommitted batches included: a run's row moves only when its
    /// transaction commits (<see cref="CustomerImportOptions.CommitTime"/>), its progress after every batch.
    /// </summary>
    private readonly System.Collections.Concurrent.ConcurrentDictionary<int, RunCounts> _live = new();

    /// <summary>
    /// Cancellations of runs under way here, with their message: the run stops after the batch under way and records it.
    /// Not written by the click itself: on SQLite that write would wait for the run's transaction to commit.
    /// </summary>
    private readonly System.Collections.Concurrent.ConcurrentDictionary<int, string> _cancels = new();

    private DateTime Now => time.GetUtcNow().UtcDateTime;

    /// <summary>The run started in the background here last (for tests and shutdown); completed when none runs here.</summary>
    public Task Running => _running;

    /// <summary>The text history shows as "by" for what run <paramref name="runId"/> changed.</summary>
    public static string ActorOf(int runId) => $"import #{runId}";

    /// <summary>
    /// Checks the file and the mapping, records the run, and runs it in the background (stopped when the app stops);
    /// returns the run's id: its progress and outcome are on its <see cref="ImportRun"/> row (<see cref="FindAsync"/>).
    /// </summary>
    public async Task<int> StartAsync(CustomerImportRequest request, CancellationToken ct = default)
    {
        var prepared = await PrepareAsync(request, ct);
        var run = await CreateRunAsync(request, prepared, ct);
        var stopping = lifetime?.ApplicationStopping ?? CancellationToken.None;
        _running = Task.Run(() => ExecuteAsync(run, request, prepared, null, stopping, null), CancellationToken.None);
        return run.Id;
    }

    /// <summary>Runs an import to its end here (the command line, tests) and returns its summary.</summary>
    /// <param name="stages">When given, charged with the wall and CPU time of each stage (the benchmark prints them).</param>
    public async Task<CustomerImportSummary> RunAsync(CustomerImportRequest request, IProgress<CustomerImportProgress>? progress = null,
        CancellationToken ct = default, ImportStageTimes? stages = null)
    {
        var prepared = await PrepareAsync(request, ct);
        var run = await CreateRunAsync(request, prepared, ct);
        stages?.Mark("prepare (count rows, record run)");
        await ExecuteAsync(run, request, prepared, progress, ct, stages);
        return (await FindAsync(run.Id, CancellationToken.None))!;
    }

    /// <summary>A run's summary (a running one silent for too long shown as interrupted), or null when there is none.</summary>
    public async Task<CustomerImportSummary?> FindAsync(int runId, CancellationToken ct = default)
    {
        // Read only: a page polls this while a batch holds SQLite's write lock.
        await using var db = await factory.CreateDbContextAsync(ct);
        var run = await db.ImportRuns.AsNoTracking().FirstOrDefaultAsync(r => r.Id == runId && r.Kind == ImportRunKind.Customers, ct);
        if (run is null) return null;
        ShowInterrupted(run);
        return WithLive(CustomerImportSummary.From(run));
    }

    /// <summary>The newest customer imports (dry runs included), newest first, a running one silent for too long shown as interrupted.</summary>
    public async Task<IReadOnlyList<CustomerImportSummary>> RecentAsync(int take = 20, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var runs = await db.ImportRuns.AsNoTracking().Where(r => r.Kind == ImportRunKind.Customers).OrderByDescending(r => r.Id).Take(take).ToListAsync(ct);
        runs.ForEach(ShowInterrupted);
        return runs.Select(r => WithLive(CustomerImportSummary.From(r))).ToList();
    }

    /// <summary>
    /// Asks a running import to stop (from whichever instance: the run's row carries it): it is marked cancelled now, and
    /// stops at the end of the batch in progress, which it keeps whole; what it wrote can be undone. False when the run
    /// was no longer running.
    /// </summary>
    public async Task<bool> CancelAsync(int runId, string actor, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var run = await db.ImportRuns.AsNoTracking().Where(r => r.Id == runId && r.Kind == ImportRunKind.Customers)
            .Select(r => new { r.DryRun }).FirstOrDefaultAsync(ct);
        if (run is null) return false;
        var message = $"Cancelled by {actor}. " + (run.DryRun
            ? "Nothing was changed."
            : $"The import stopped at the end of the batch in progress; the rows of the batches it completed are kept under import #{runId}: undo it, or import the file again.");
        message = message[..Math.Min(message.Length, 2000)];
        if (_live.ContainsKey(runId)) return _cancels.TryAdd(runId, message);
        var now = Now;
        return await db.ImportRuns.Where(r => r.Id == runId && r.Status == ImportRunStatus.Running)
            .ExecuteUpdateAsync(s => s.SetProperty(r => r.Status, ImportRunStatus.Cancelled).SetProperty(r => r.FinishedAt, now)
                .SetProperty(r => r.Error, message), ct) == 1;
    }

    /// <summary>A run under way here, with the counts of its batches not committed yet.</summary>
    private CustomerImportSummary WithLive(CustomerImportSummary summary) =>
        summary.Status == ImportRunStatus.Running && _live.TryGetValue(summary.RunId, out var c) && c.RowsRead > summary.RowsRead
            ? summary with
            {
                RowsRead = c.RowsRead, Created = c.Created, Updated = c.Updated, Unchanged = c.Unchanged, Skipped = c.Skipped,
                NeedsReview = c.NeedsReview,
            }
            : summary;

    /// <summary>A run left "Running" and silent for longer than <see cref="CustomerImportOptions.InterruptedAfter"/> died with its process.</summary>
    private void ShowInterrupted(ImportRun run)
    {
        if (run.Status == ImportRunStatus.Running && (run.HeartbeatAt ?? run.StartedAt) < Now - _options.InterruptedAfter)
            run.Status = ImportRunStatus.Interrupted;
    }

    /// <summary>Marks customer imports whose process died (silent for <see cref="CustomerImportOptions.InterruptedAfter"/>) as interrupted.</summary>
    public async Task<int> MarkInterruptedAsync(int? runId = null, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        return await MarkInterruptedAsync(db, runId, ct);
    }

    private Task<int> MarkInterruptedAsync(AppDbContext db, int? runId, CancellationToken ct) =>
        ImportRuns.MarkInterruptedAsync(db, ImportRunKind.Customers, Now - _options.InterruptedAfter, runId,
            "The import stopped without finishing (its process ended). The batches it had completed are kept, each whole: "
            + "undo the import, or import the file again (rows already imported then match their customers).", ct);

    private sealed record Prepared(TabularFile File, CustomerRowReader Reader, int RowsTotal);

    private async Task<Prepared> PrepareAsync(CustomerImportRequest request, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(request.Source) || request.Source.Trim().Length > LegacyCustomerLink.SourceMax)
            throw new RuleViolationException($"Name the source system in at most {LegacyCustomerLink.SourceMax} characters.", nameof(request.Source));
        if (request.Source.Trim() == LegacyCustomerLink.LegacySource)
            throw new RuleViolationException($"\"{LegacyCustomerLink.LegacySource}\" is the legacy ticket import's source; name this file's source system.", nameof(request.Source));
        var file = await TabularFile.OpenAsync(request.FilePath, request.Read, ct);
        if (request.Mapping.Problems(file.Headers) is { Count: > 0 } problems)
            throw new RuleViolationException(string.Join(" ", problems), nameof(request.Mapping));

        // One pass before the run: the rows' count (the progress bar's whole) and the dates' order.
        var dateColumn = request.Mapping.ColumnOf(CustomerImportField.CustomerSince);
        var sample = new List<string>();
        var total = 0;
        await foreach (var row in file.RowsAsync(ct))
        {
            total++;
            if (dateColumn is { } c && c < row.Cells.Length && sample.Count < CustomerImportPreview.DateSample) sample.Add(row.Cells[c]);
        }
        if (total == 0) throw new TabularFileException(NoRows);
        var dates = request.Mapping.Dates ?? (dateColumn is null ? DateOrder.Iso : ImportDates.Detect(sample))
            ?? throw new RuleViolationException("Every date in the file could be day-first or month-first (like 03/04/2021): choose how the file writes dates.",
                nameof(CustomerImportMapping.Dates));
        return new(file, new CustomerRowReader(request.Mapping, file.Headers, phones.WithCache(PhoneCacheMax), dates), total);
    }

    /// <summary>Records a new run, unless another import that writes is running (one silent for too long is marked interrupted first).</summary>
    private async Task<ImportRun> CreateRunAsync(CustomerImportRequest request, Prepared prepared, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        await db.Sql().AdvisoryLockAsync(db, ImportRuns.StartLockKey, ct);
        // A write first: on SQLite it takes the write lock, so two starts cannot both find no run.
        await MarkInterruptedAsync(db, null, ct);
        if (!request.DryRun)
        {
            var running = await db.ImportRuns.AsNoTracking().Where(r => r.Status == ImportRunStatus.Running && !r.DryRun)
                .OrderBy(r => r.Id).FirstOrDefaultAsync(ct);
            if (running is not null) throw new RuleViolationException(ImportRuns.StillRunning(running));
        }
        var now = Now;
        var name = Path.GetFileName(request.FileName);
        var run = new ImportRun
        {
            Kind = ImportRunKind.Customers, DryRun = request.DryRun, Source = request.Source.Trim(), OnMatch = request.OnMatch,
            FileName = name.Length == 0 ? "upload" : name[..Math.Min(name.Length, ImportRun.FileNameMax)],
            FileHash = prepared.File.Sha256 ?? "", StartedAt = now, HeartbeatAt = now, RowsTotal = prepared.RowsTotal,
            StartedBy = request.Actor[..Math.Min(request.Actor.Length, 100)],
        };
        db.ImportRuns.Add(run);
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return run;
    }

    private async Task ExecuteAsync(ImportRun run, CustomerImportRequest request, Prepared prepared, IProgress<CustomerImportProgress>? progress,
        CancellationToken ct, ImportStageTimes? stages)
    {
        var clock = Stopwatch.StartNew();
        var work = new RunWork(run, request, new FileIndex()) { Stages = stages };
        // Rows are read and parsed (phones, the form's rules) on their own thread, a batch ahead of the writer, which
        // would otherwise wait for them; at most two batches wait (one queued, one being read), so memory stays flat.
        using var reading = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var batches = Channel.CreateBounded<List<ImportedCustomerRow>>(new BoundedChannelOptions(1) { SingleReader = true, SingleWriter = true });
        var size = new BatchSize(Math.Min(_options.BatchSize, FirstBatchMax));
        var reader = Task.Run(() => ReadBatchesAsync(prepared, size, batches.Writer, reading.Token), CancellationToken.None);
        Transaction? transaction = null;
        try
        {
            await foreach (var batch in batches.Reader.ReadAllAsync(ct))
            {
                stages?.Mark("wait for parsed rows");
                transaction ??= await BeginAsync(work, ct);
                var written = Stopwatch.StartNew();
                await ProcessBatchAsync(work, transaction, batch, ct);
                size.Follow(batch.Count, written.Elapsed, _options);
                var going = true;
                var cancel = _cancels.GetValueOrDefault(run.Id);
                if (transaction.Age >= _options.CommitTime || run.DryRun || cancel is not null)
                {
                    going = await CommitAsync(work, transaction, ct) && cancel is null;
                    await transaction.DisposeAsync();
                    transaction = null;
                    // Saves waiting for SQLite's write lock go before the next transaction takes it.
                    if (going && !run.DryRun) await Task.Delay(work.Db!.Sql().WriterPause, ct);
                }
                _live[run.Id] = work.Pending.Copy();
                progress?.Report(new(run.Id, work.Pending.RowsRead, run.RowsTotal));
                if (!going)
                {
                    // Marked cancelled at the click (here, or by another instance on the run's row); it stops only now,
                    // after the batches that were under way.
                    await FinishAsync(run, work.Counts, ImportRunStatus.Cancelled, cancel);
                    logger.LogInformation("Customer import {RunId} cancelled after {Rows} rows", run.Id, work.Counts.RowsRead);
                    return;
                }
            }
            // The reader's own failure (the file changed or became unreadable): the batches committed before it are kept.
            await reader;
            stages?.Mark("wait for parsed rows");
            if (transaction is not null)
            {
                // Cancelled during the last batches: they were the file's end, so the run is complete all the same.
                await CommitAsync(work, transaction, ct);
                await transaction.DisposeAsync();
                transaction = null;
            }
            await FinishAsync(run, work.Counts, ImportRunStatus.Completed, null);
            logger.LogInformation("Customer import {RunId} finished in {Seconds:N1} s: {Rows} rows", run.Id, clock.Elapsed.TotalSeconds, work.Counts.RowsRead);
        }
        catch (OperationCanceledException)
        {
            transaction = await RollBackAsync(transaction);
            await FinishAsync(run, work.Counts, ImportRunStatus.Cancelled, "The import was cancelled. " + Kept(run, work.Counts));
        }
        catch (Exception ex) when (ex is DbException or DbUpdateException or InvalidOperationException or IOException or UnauthorizedAccessException
            or TabularFileException)
        {
            transaction = await RollBackAsync(transaction);
            logger.LogWarning(ex, "Customer import {RunId} stopped", run.Id);
            var cause = SqlDialects.BusyCause(ex) is { } busy ? $"the database is busy: {busy}." : (ex.InnerException ?? ex).Message;
            try
            {
                await FinishAsync(run, work.Counts, ImportRunStatus.Failed, $"The import stopped: {cause} {Kept(run, work.Counts)}");
            }
            catch (DbException)
            {
                // Still locked out: the heartbeat stops, so the run is marked interrupted later.
            }
        }
        catch (Exception ex)
        {
            // A fault of this code, not of the file or the database: the run still ends as failed (in the background
            // nobody would see the exception), with what it kept.
            transaction = await RollBackAsync(transaction);
            logger.LogError(ex, "Customer import {RunId} failed", run.Id);
            await FinishAsync(run, work.Counts, ImportRunStatus.Failed, $"The import stopped on an unexpected error ({ex.Message}). {Kept(run, work.Counts)}");
        }
        finally
        {
            _live.TryRemove(run.Id, out _);
            _cancels.TryRemove(run.Id, out _);
            await RollBackAsync(transaction);
            if (work.Db is not null) await work.Db.DisposeAsync();
            await reading.CancelAsync();
            await Task.WhenAny(reader);
            if (!run.DryRun) await factory.EndBulkWritesAsync();
        }
    }

    /// <summary>Ends a transaction not committed (the run failed): before the run's outcome is written, which on SQLite would wait for it.</summary>
    private static async Task<Transaction?> RollBackAsync(Transaction? transaction)
    {
        if (transaction is not null) await transaction.DisposeAsync();
        return null;
    }

    private static string Kept(ImportRun run, RunCounts counts) => run.DryRun || counts.RowsRead == 0
        ? "Nothing was changed."
        : $"The batches since the last commit were rolled back; the {counts.RowsRead:N0} rows committed before them are kept under import #{run.Id}: undo it, or import the file again.";

    /// <summary>
    /// Records how the run ended. Not the caller's token: a cancelled run must still say so. A run cancelled by a user
    /// (<see cref="CancelAsync"/>) keeps its status and message, and gets the time it actually stopped, which is later
    /// than the click by the batch that was under way.
    /// </summary>
    private async Task FinishAsync(ImportRun run, RunCounts counts, ImportRunStatus status, string? error)
    {
        await using var db = await factory.CreateDbContextAsync();
        var now = Now;
        var message = error is null ? null : error[..Math.Min(error.Length, 2000)];
        if (await db.ImportRuns.Where(r => r.Id == run.Id && r.Status == ImportRunStatus.Running).ExecuteUpdateAsync(s => counts.Apply(s)
            .SetProperty(r => r.Status, status).SetProperty(r => r.FinishedAt, now).SetProperty(r => r.HeartbeatAt, now)
            .SetProperty(r => r.Error, message)) == 1) return;
        await db.ImportRuns.Where(r => r.Id == run.Id && r.Status == ImportRunStatus.Cancelled)
            .ExecuteUpdateAsync(s => s.SetProperty(r => r.FinishedAt, now).SetProperty(r => r.HeartbeatAt, now));
    }
}
