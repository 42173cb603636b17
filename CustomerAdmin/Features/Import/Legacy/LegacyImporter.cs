using System.Data.Common;
using System.Diagnostics;
using System.Threading.Channels;
using CustomerAdmin.Common;
using CustomerAdmin.Features.Customers;
using CustomerAdmin.Features.Import.Files;
using CustomerAdmin.Data;
using CustomerAdmin.Data.Sql;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace CustomerAdmin.Features.Import.Legacy;

/// <summary>
/// Brings legacy tickets (with the customer's details embedded in each row) over without creating duplicates.
/// The file is streamed twice at most (a byte pass for encoding and hash, then the records), rows are written in
/// batches of <see cref="LegacyImportOptions.BatchSize"/>, each batch in one transaction, and everything written
/// carries the <see cref="ImportRun"/>'s id so it can be undone exactly.
/// </summary>
public sealed partial class LegacyImporter(
    IDbContextFactory<AppDbContext> factory,
    PhoneNormalizer phones,
    IOptions<LegacyImportOptions> options,
    IOptions<CustomersOptions> customerOptions,
    TimeProvider time)
{
    /// <summary>Phone answers remembered per run (a few per customer: "(212) 736-5000", "+1 212 ...", "1-212-..."); bounded.</summary>
    private const int PhoneCacheMax = 1_000_000;
    private readonly LegacyImportOptions _options = options.Value;

    public async Task<ImportReport> RunAsync(string path, string fileName, bool dryRun, string actor,
        IProgress<ImportProgress>? progress = null, Action<ImportIssue>? onIssue = null, CancellationToken ct = default)
    {
        var clock = Stopwatch.StartNew();
        var report = new ImportReport { DryRun = dryRun, FileName = fileName };
        var state = new RunState(report, onIssue, _options.MaxListedIssues, dryRun);
        ImportRun? run = null;
        try
        {
            await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true);
            var info = await TextFileInspector.InspectAsync(stream, ct);
            if (info.Length == 0) return Fail(report, "The file is empty.");
            report.EncodingWarning = info.EncodingWarning;
            if (info.EncodingWarning is not null) state.Issue(0, ImportIssueKind.Warning, info.EncodingWarning);
            stream.Position = 0;
            using var text = new StreamReader(stream, info.Encoding, detectEncodingFromByteOrderMarks: true, 1 << 16);
            var csv = new LegacyCsvReader(text, _options.Delimiter == "\\t" ? '\t' : _options.Delimiter[0], _options.MaxRecordLength);
            await using var records = csv.ReadAsync(ct).GetAsyncEnumerator(ct);

            if (!await records.MoveNextAsync())
                return Fail(report, "The file has no header row.");
            if (records.Current.Error is { } headerError)
                return Fail(report, $"The header row cannot be read: {headerError}");
            var (map, mapError) = LegacyColumnMap.FromHeader(records.Current.Fields, _options.Columns);
            if (map is null) return Fail(report, mapError!);

            var matcher = await LoadMatcherAsync(ct);
            report.Stages.Mark("start (header, matcher)");
            // One file's phones: each customer's number recurs, typed differently, on every ticket.
            var filePhones = phones.WithCache(PhoneCacheMax);
            var parser = new LegacyRowParser(map, filePhones) { Now = time.GetUtcNow().UtcDateTime.AddDays(1) };

            if (!dryRun)
            {
                // One writing import at a time, of either kind: under the start lock, a silent legacy run is marked
                // interrupted first (a write: on SQLite it takes the write lock), then any live run refuses this start.
                await using var db = await factory.CreateDbContextAsync(ct);
                await using var tx = await db.Database.BeginTransactionAsync(ct);
                await db.Sql().AdvisoryLockAsync(db, ImportRuns.StartLockKey, ct);
                var now = time.GetUtcNow().UtcDateTime;
                await ImportRuns.MarkInterruptedAsync(db, ImportRunKind.LegacyTickets, now - _options.InterruptedAfter, null, InterruptedMessage, ct);
                var alive = now - _options.InterruptedAfter;
                var running = await db.ImportRuns.AsNoTracking()
                    .Where(r => r.Status == ImportRunStatus.Running && !r.DryRun && (r.HeartbeatAt ?? r.StartedAt) >= alive)
                    .OrderBy(r => r.Id).FirstOrDefaultAsync(ct);
                if (running is not null) return Fail(report, ImportRuns.StillRunning(running));
                run = new ImportRun
                {
                    FileName = Path.GetFileName(fileName) is { Length: > 0 } n ? n[..Math.Min(n.Length, ImportRun.FileNameMax)] : "upload.csv",
                    FileHash = info.Sha256, StartedAt = now, StartedBy = actor,
                };
                run.HeartbeatAt = run.StartedAt;
                db.ImportRuns.Add(run);
                await db.SaveChangesAsync(ct);
                await tx.CommitAsync(ct);
                report.RunId = run.Id;
            }

            var batch = new List<LegacyRow>(_options.BatchSize);
            var heartbeat = run is null ? null : new ImportHeartbeat(factory, time, _options.InterruptedAfter / 8, run);
            // Reading and parsing (CSV, dates, amounts, phones) run on a thread of their own, at most one batch ahead
            // of matching and writing (two cores: the writer is busy in SQLite meanwhile). Everything that counts or
            // reports stays on this side, in file order, so issues, counts and batches are exactly as if one thread
            // did both.
            var parsed = Channel.CreateBounded<ParsedBatch>(new BoundedChannelOptions(1) { SingleReader = true, SingleWriter = true });
            using var stopReading = CancellationTokenSource.CreateLinkedTokenSource(ct);
            var reading = Task.Run(() => ReadBatchesAsync(records, parser, stream, parsed.Writer, report, stopReading.Token), CancellationToken.None);
            try
            {
                while (await parsed.Reader.WaitToReadAsync(ct))
                {
                    var next = await parsed.Reader.ReadAsync(ct);
                    report.Stages.Mark("wait for parsed rows");
                    foreach (var item in next.Items)
                    {
                        report.RowsRead++;
                        if (heartbeat is not null && (report.RowsRead & 255) == 0) await heartbeat.BeatIfDueAsync(report.RowsRead, ct);
                        if (item.Warnings is not null)
                            foreach (var warning in item.Warnings) state.Issue(item.Line, ImportIssueKind.Warning, warning);
                        if (item.Row is null) state.Reject(item.Line, item.Error!);
                        else batch.Add(item.Row);
                    }
                    report.Stages.Mark("count and report rows");
                    // The per-batch point: this batch's rows are matched and written in one transaction.
                    await ProcessBatchAsync(batch, matcher, filePhones, state, run, actor, ct);
                    batch.Clear();
                    if (!next.Last) progress?.Report(new(next.Position, info.Length, report.RowsRead));
                }
                // A reading error (IOException, ...) surfaces here, after the whole batches read before it were written,
                // as when one thread did both.
                await reading;
            }
            finally
            {
                stopReading.Cancel();
                await reading.ContinueWith(_ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            }
            progress?.Report(new(info.Length, info.Length, report.RowsRead));
            if (run is not null) await FinishRunAsync(run, report, ImportRunStatus.Completed, null);
        }
        catch (OperationCanceledException)
        {
            report.FatalError = "The import was cancelled. " + WrittenSoFar(report, run);
            if (run is not null) await FinishRunAsync(run, report, ImportRunStatus.Cancelled, report.FatalError);
        }
        // DbException: a batch's transaction can fail to start (SQLite's "database is locked" from BeginTransactionAsync
        // while another process writes), outside any save that would wrap it in a DbUpdateException.
        catch (Exception ex) when (ex is DbException or DbUpdateException or InvalidOperationException or IOException or UnauthorizedAccessException)
        {
            var cause = SqlDialects.BusyCause(ex) is { } busy
                ? $"the database is busy: {busy} ({(ex.InnerException ?? ex).Message}). Try again when it is done."
                : (ex.InnerException ?? ex).Message;
            report.FatalError = $"The import stopped: {cause} " + WrittenSoFar(report, run);
            try
            {
                if (run is not null) await FinishRunAsync(run, report, ImportRunStatus.Failed, report.FatalError);
            }
            catch (DbException)
            {
                // Still locked out: the run's heartbeat stops, so it is marked interrupted (with the same advice) later.
            }
        }
        finally
        {
            await factory.EndBulkWritesAsync();
            report.Stages.Mark("finish");
        }
        report.Elapsed = clock.Elapsed;
        return report;
    }

    private static string WrittenSoFar(ImportReport report, ImportRun? run) => run is null
        ? "Nothing was written."
        : $"The batch in progress was rolled back; {report.Tickets:N0} tickets from earlier batches are kept under import #{run.Id}: run the file again to finish (nothing is imported twice), or undo the import.";

    private static ImportReport Fail(ImportReport report, string message)
    {
        report.FatalError = message;
        return report;
    }

    private async Task<LegacyCustomerMatcher> LoadMatcherAsync(CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var matcher = new LegacyCustomerMatcher();
        var links = new Dictionary<int, List<string>>();
        // A merge moves its links to the survivor; a link left on a merged record (written before that) follows the
        // merge chain to the record that stands now.
        var mergedInto = await db.Customers.AsNoTracking().Where(c => c.Status == CustomerStatus.Merged && c.MergedIntoId != null)
            .ToDictionaryAsync(c => c.Id, c => c.MergedIntoId!.Value, ct);
        await foreach (var l in db.LegacyCustomerLinks.AsNoTracking().Where(l => l.Source == LegacyCustomerLink.LegacySource).Select(l => new { l.LegacyId, l.CustomerId }).AsAsyncEnumerable().WithCancellation(ct))
        {
            var customerId = Survivor(l.CustomerId);
            if (!links.TryGetValue(customerId, out var list)) links[customerId] = list = [];
            list.Add(l.LegacyId);
        }
        await foreach (var c in db.Customers.AsNoTracking()
            .Select(c => new { c.Id, c.Type, c.FirstName, c.LastName, c.Name, c.DisplayName, c.PrimaryPhone, c.Email, c.Status })
            .AsAsyncEnumerable().WithCancellation(ct))
        {
            if (c.Status == CustomerStatus.Merged) continue;
            var name = c.Type == CustomerType.Individual ? $"{c.FirstName} {c.LastName}".Trim() : c.Name ?? c.DisplayName ?? "";
            matcher.AddExisting(c.Id, name, c.PrimaryPhone, c.Email, c.Status == CustomerStatus.Deleted, links.GetValueOrDefault(c.Id));
        }
        return matcher;

        int Survivor(int id)
        {
            for (var hops = 0; hops < 100 && mergedInto.TryGetValue(id, out var next); hops++) id = next;
            return id;
        }
    }
}
