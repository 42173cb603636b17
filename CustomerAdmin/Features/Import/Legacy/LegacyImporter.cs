using System.Data.Common;
using System.Diagnostics;
using System.Threading.Channels;
using CustomerAdmin.Common;
using CustomerAdmin.Features.Customers;
using CustomerAdmin.Features.Customers.History;
using CustomerAdmin.Features.Customers.Search;
using CustomerAdmin.Features.Dashboard;
using CustomerAdmin.Data;
using CustomerAdmin.Data.Sql;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using CustomerAdmin.Features.Tickets;

namespace CustomerAdmin.Features.Import.Legacy;

public enum ImportIssueKind { Rejected, Duplicate, Conflict, Warning }

public sealed record ImportIssue(long Line, ImportIssueKind Kind, string Message)
{
    public override string ToString() => Line > 0 ? $"line {Line}: {Kind.ToString().ToLowerInvariant()}: {Message}" : $"{Kind.ToString().ToLowerInvariant()}: {Message}";
}

public sealed record ImportProgress(long BytesRead, long TotalBytes, int Rows)
{
    public double Percent => TotalBytes == 0 ? 100 : Math.Min(100, 100.0 * BytesRead / TotalBytes);
}

/// <summary>A row the dry run would import, for the preview table.</summary>
public sealed record ImportPreviewRow(long Line, string LegacyCustomerId, string Name, string? Phone, MatchedBy By, int? CustomerId,
    TicketStatus Status, decimal? Amount, string? Item);

public sealed class ImportReport
{
    public bool DryRun { get; init; }
    public string FileName { get; init; } = "";
    public int? RunId { get; set; }
    /// <summary>Set when the import stopped (a missing column, an empty file, a database error, cancellation).</summary>
    public string? FatalError { get; set; }
    public string? EncodingWarning { get; set; }
    public bool Succeeded => FatalError is null;

    public int RowsRead { get; set; }
    public int Tickets { get; set; }
    public int TicketsAlreadyImported { get; set; }
    public int DuplicateRows { get; set; }
    public int CustomersCreated { get; set; }
    public int CustomersMatched { get; set; }
    public int MatchedByLegacyId { get; set; }
    public int MatchedByPhone { get; set; }
    public int MatchedByEmail { get; set; }
    public int RowsRejected { get; set; }
    public int Conflicts { get; set; }
    public int Warnings { get; set; }
    public List<ImportIssue> Issues { get; } = [];
    public int IssuesNotListed { get; set; }
    public List<ImportPreviewRow> Preview { get; } = [];
    public TimeSpan Elapsed { get; set; }
    /// <summary>Wall and process CPU time per stage of the run, for the benchmark and the logs.</summary>
    public ImportStageTimes Stages { get; } = new();
    /// <summary>Wall time the reading thread spent reading and parsing (the rest it waited for the writer).</summary>
    public TimeSpan ReadingThreadBusy { get; set; }

    public string Summary => (DryRun ? "Dry run (nothing written): " : "")
        + $"{RowsRead:N0} rows read; {Tickets:N0} tickets {(DryRun ? "to import" : "imported")}, {TicketsAlreadyImported:N0} already imported before, "
        + $"{DuplicateRows:N0} duplicate rows skipped; {CustomersCreated:N0} customers {(DryRun ? "to create" : "created")}, "
        + $"{CustomersMatched:N0} existing customers matched (by legacy id {MatchedByLegacyId:N0}, phone {MatchedByPhone:N0}, email {MatchedByEmail:N0} rows); "
        + $"{RowsRejected:N0} rows rejected, {Conflicts:N0} conflicts, {Warnings:N0} warnings.";
}

/// <summary>
/// Where a run's time went: wall clock and process CPU (all threads, the GC's included) between named points.
/// <see cref="Mark"/> charges the time since the previous mark to a stage.
/// </summary>
public sealed class ImportStageTimes
{
    private readonly Dictionary<string, (TimeSpan Wall, TimeSpan Cpu)> _stages = [];
    private readonly System.Diagnostics.Process _process = System.Diagnostics.Process.GetCurrentProcess();
    private readonly Stopwatch _wall = Stopwatch.StartNew();
    private TimeSpan _lastWall, _lastCpu;

    public ImportStageTimes() => _lastCpu = Cpu();

    private TimeSpan Cpu()
    {
        _process.Refresh();
        return _process.TotalProcessorTime;
    }

    /// <summary>Charges the time since the last mark to <paramref name="stage"/>.</summary>
    public void Mark(string stage)
    {
        var wall = _wall.Elapsed;
        var cpu = Cpu();
        var (w, c) = _stages.GetValueOrDefault(stage);
        _stages[stage] = (w + wall - _lastWall, c + cpu - _lastCpu);
        _lastWall = wall;
        _lastCpu = cpu;
    }

    public IReadOnlyDictionary<string, (TimeSpan Wall, TimeSpan Cpu)> Stages => _stages;

    public override string ToString() => string.Join(Environment.NewLine, _stages.OrderByDescending(s => s.Value.Cpu)
        .Select(s => $"  {s.Key,-28} wall {s.Value.Wall.TotalSeconds,7:N1} s  CPU {s.Value.Cpu.TotalSeconds,7:N1} s"));
}

public sealed record UndoResult(bool Done, string Message, int TicketsDeleted = 0, int CustomersDeleted = 0, int CustomersAdjusted = 0);

/// <summary>
/// Brings legacy tickets (with the customer's details embedded in each row) over without creating duplicates.
/// The file is streamed twice at most (a byte pass for encoding and hash, then the records), rows are written in
/// batches of <see cref="LegacyImportOptions.BatchSize"/>, each batch in one transaction, and everything written
/// carries the <see cref="ImportRun"/>'s id so it can be undone exactly.
/// </summary>
public sealed class LegacyImporter(
    IDbContextFactory<AppDbContext> factory,
    PhoneNormalizer phones,
    IOptions<LegacyImportOptions> options,
    IOptions<CustomersOptions> customerOptions,
    TimeProvider time)
{
    private const int Attempts = 5;
    private const int PreviewRows = 50;
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
            var info = await LegacyCsvReader.InspectAsync(stream, ct);
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
                await using var db = await factory.CreateDbContextAsync(ct);
                run = new ImportRun
                {
                    FileName = Path.GetFileName(fileName) is { Length: > 0 } n ? n[..Math.Min(n.Length, ImportRun.FileNameMax)] : "upload.csv",
                    FileHash = info.Sha256, StartedAt = time.GetUtcNow().UtcDateTime, StartedBy = actor,
                };
                run.HeartbeatAt = run.StartedAt;
                db.ImportRuns.Add(run);
                await db.SaveChangesAsync(ct);
                report.RunId = run.Id;
            }

            var batch = new List<LegacyRow>(_options.BatchSize);
            var heartbeat = run is null ? null : new Heartbeat(factory, time, _options.InterruptedAfter / 8, run);
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
                        if (heartbeat is not null && (report.RowsRead & 255) == 0) await heartbeat.BeatIfDueAsync(ct);
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
        catch (Exception ex) when (ex is DbUpdateException or InvalidOperationException or IOException or UnauthorizedAccessException)
        {
            report.FatalError = $"The import stopped: {(ex.InnerException ?? ex).Message} " + WrittenSoFar(report, run);
            if (run is not null) await FinishRunAsync(run, report, ImportRunStatus.Failed, report.FatalError);
        }
        finally
        {
            await ResetCacheAsync();
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

    private async Task FinishRunAsync(ImportRun run, ImportReport report, ImportRunStatus status, string? error)
    {
        // Not the caller's token: a cancelled import must still record how it ended. Every count is written, not
        // only those that differ from the last batch's copy: a rolled-back batch's counts never reached the row.
        // Only a run still marked running is finished here; one declared interrupted meanwhile keeps what the undo
        // or the admin made of it.
        await using var db = await factory.CreateDbContextAsync();
        CopyCounts(report, run);
        var now = time.GetUtcNow().UtcDateTime;
        var message = error is null ? null : error[..Math.Min(error.Length, 2000)];
        var updated = await db.ImportRuns.Where(r => r.Id == run.Id && r.Status == ImportRunStatus.Running).ExecuteUpdateAsync(s => s
            .SetProperty(r => r.Status, status).SetProperty(r => r.FinishedAt, now).SetProperty(r => r.HeartbeatAt, now)
            .SetProperty(r => r.Error, message)
            .SetProperty(r => r.RowsRead, run.RowsRead).SetProperty(r => r.TicketsImported, run.TicketsImported)
            .SetProperty(r => r.TicketsAlreadyImported, run.TicketsAlreadyImported).SetProperty(r => r.CustomersCreated, run.CustomersCreated)
            .SetProperty(r => r.CustomersMatched, run.CustomersMatched).SetProperty(r => r.RowsRejected, run.RowsRejected)
            .SetProperty(r => r.Conflicts, run.Conflicts));
        if (updated == 1) run.Status = status;
    }

    /// <summary>
    /// Marks runs that are still "Running" but have been silent for longer than
    /// <see cref="LegacyImportOptions.InterruptedAfter"/> as <see cref="ImportRunStatus.Interrupted"/>: their process
    /// stopped without finishing (a crash, a restart, a lost database). What they committed stays, whole batches
    /// only, and can be undone or finished by importing the file again.
    /// </summary>
    /// <returns>How many runs were marked.</returns>
    public async Task<int> MarkInterruptedAsync(int? runId = null, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var silentSince = time.GetUtcNow().UtcDateTime - _options.InterruptedAfter;
        return await db.ImportRuns
            .Where(r => r.Status == ImportRunStatus.Running && (r.HeartbeatAt ?? r.StartedAt) < silentSince && (runId == null || r.Id == runId))
            .ExecuteUpdateAsync(s => s
                .SetProperty(r => r.Status, ImportRunStatus.Interrupted)
                .SetProperty(r => r.FinishedAt, r => r.HeartbeatAt ?? r.StartedAt)
                .SetProperty(r => r.Error, "The import stopped without finishing (its process ended). The tickets of the batches it had "
                    + "completed are kept: undo the import, or run the same file again to finish it (nothing is imported twice)."), ct);
    }

    /// <summary>Tells other processes the run is alive, a few times per <see cref="LegacyImportOptions.InterruptedAfter"/>.</summary>
    private sealed class Heartbeat(IDbContextFactory<AppDbContext> factory, TimeProvider time, TimeSpan every, ImportRun run)
    {
        private DateTime _last = run.HeartbeatAt ?? run.StartedAt;

        public async Task BeatIfDueAsync(CancellationToken ct)
        {
            var now = time.GetUtcNow().UtcDateTime;
            if (now - _last < every) return;
            await using var db = await factory.CreateDbContextAsync(ct);
            var alive = await db.ImportRuns.Where(r => r.Id == run.Id && r.Status == ImportRunStatus.Running)
                .ExecuteUpdateAsync(s => s.SetProperty(r => r.HeartbeatAt, now), ct);
            // Declared interrupted (and perhaps undone) while this process was too slow to say otherwise: writing
            // on would add tickets to a run that no longer owns them.
            if (alive == 0)
                throw new InvalidOperationException($"Import #{run.Id} was marked as interrupted by another process, so it stopped.");
            _last = now;
        }
    }

    private static void CopyCounts(ImportReport report, ImportRun run)
    {
        run.RowsRead = report.RowsRead;
        run.TicketsImported = report.Tickets;
        run.TicketsAlreadyImported = report.TicketsAlreadyImported;
        run.CustomersCreated = report.CustomersCreated;
        run.CustomersMatched = report.CustomersMatched;
        run.RowsRejected = report.RowsRejected;
        run.Conflicts = report.Conflicts;
    }

    /// <summary>One record as the reading thread saw it: a row, or why not, and its warnings.</summary>
    private readonly record struct ParsedRecord(long Line, LegacyRow? Row, string? Error, string[]? Warnings);

    /// <summary>Records up to and including the one that completed a batch of rows; <see cref="Last"/> for the end of the file.</summary>
    private sealed record ParsedBatch(List<ParsedRecord> Items, long Position, bool Last);

    /// <summary>
    /// The reading thread: records into parsed batches of <see cref="LegacyImportOptions.BatchSize"/> rows (records in
    /// between that are rejected ride along with the batch), then one last batch with the rest of the file.
    /// </summary>
    private async Task ReadBatchesAsync(IAsyncEnumerator<CsvRecord> records, LegacyRowParser parser, Stream stream,
        ChannelWriter<ParsedBatch> output, ImportReport report, CancellationToken ct)
    {
        var busy = new Stopwatch();
        try
        {
            var items = new List<ParsedRecord>(_options.BatchSize + 16);
            var rows = 0;
            busy.Start();
            while (await records.MoveNextAsync())
            {
                var record = records.Current;
                if (record.Error is not null)
                {
                    items.Add(new(record.Line, null, record.Error, null));
                    continue;
                }
                var (row, error) = parser.Parse(record);
                items.Add(new(record.Line, row, error, parser.Warnings.Count == 0 ? null : [.. parser.Warnings]));
                if (row is null || ++rows < _options.BatchSize) continue;
                busy.Stop();
                await output.WriteAsync(new(items, stream.Position, Last: false), ct);
                busy.Start();
                items = new List<ParsedRecord>(_options.BatchSize + 16);
                rows = 0;
            }
            busy.Stop();
            await output.WriteAsync(new(items, stream.Length, Last: true), ct);
        }
        finally
        {
            output.TryComplete();
            report.ReadingThreadBusy = busy.Elapsed;
        }
    }

    private async Task<LegacyCustomerMatcher> LoadMatcherAsync(CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var matcher = new LegacyCustomerMatcher();
        var links = new Dictionary<int, List<string>>();
        await foreach (var l in db.LegacyCustomerLinks.AsNoTracking().Select(l => new { l.LegacyId, l.CustomerId }).AsAsyncEnumerable().WithCancellation(ct))
        {
            if (!links.TryGetValue(l.CustomerId, out var list)) links[l.CustomerId] = list = [];
            list.Add(l.LegacyId);
        }
        await foreach (var c in db.Customers.AsNoTracking()
            .Select(c => new { c.Id, c.Type, c.FirstName, c.LastName, c.Name, c.DisplayName, c.PrimaryPhone, c.Email, c.Status })
            .AsAsyncEnumerable().WithCancellation(ct))
        {
            var name = c.Type == CustomerType.Individual ? $"{c.FirstName} {c.LastName}".Trim() : c.Name ?? c.DisplayName ?? "";
            matcher.AddExisting(c.Id, name, c.PrimaryPhone, c.Email, c.Status == CustomerStatus.Deleted, links.GetValueOrDefault(c.Id));
        }
        return matcher;
    }

    private sealed record Planned(LegacyRow Row, CustomerRef Customer, bool NewLink);

    private async Task ProcessBatchAsync(List<LegacyRow> rows, LegacyCustomerMatcher matcher, PhoneNormalizer phones, RunState state, ImportRun? run,
        string actor, CancellationToken ct)
    {
        if (rows.Count == 0) return;
        var report = state.Report;
        var keys = rows.Select(r => r.LegacyKey).Distinct().ToList();
        Dictionary<string, int?> existing;
        await using (var db = await BatchContextAsync(ct))
        {
            // One array parameter (json_each on SQLite, = ANY on PostgreSQL), not EF's default of one parameter per key:
            // a batch has tens of thousands, beyond SQLite's limit, and SQLite binds parameters by name in quadratic time.
            existing = await db.Tickets.AsNoTracking().Where(t => EF.Parameter(keys).Contains(t.LegacyKey!))
                .Select(t => new { t.LegacyKey, t.ImportRunId }).ToDictionaryAsync(t => t.LegacyKey!, t => t.ImportRunId, ct);
        }
        report.Stages.Mark("look up imported keys");

        var plan = new List<Planned>(rows.Count);
        var inBatch = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var row in rows)
        {
            if (existing.TryGetValue(row.LegacyKey, out var byRun))
            {
                if (run is not null && byRun == run.Id) state.Duplicate(row.Line, "The same ticket as an earlier row of this file; skipped.");
                else report.TicketsAlreadyImported++;
                continue;
            }
            if (inBatch.TryGetValue(row.LegacyKey, out var firstLine))
            {
                state.Duplicate(row.Line, $"The same ticket as line {firstLine}; skipped.");
                continue;
            }
            if (state.SeenInDryRun(row.LegacyKey))
            {
                state.Duplicate(row.Line, "The same ticket as an earlier row of this file; skipped.");
                continue;
            }
            var match = matcher.Match(row);
            foreach (var conflict in match.Conflicts) state.Issue(row.Line, ImportIssueKind.Conflict, conflict);
            if (match.Error is not null)
            {
                state.Reject(row.Line, match.Error);
                continue;
            }
            var customer = match.Customer;
            if (customer is null)
            {
                var pending = NewCustomer(row, out var warning);
                var errors = CustomerRules.Normalize(pending, phones);
                if (errors.Count > 0)
                {
                    state.Reject(row.Line, "A new customer cannot be created: " + string.Join(" ", errors.Values));
                    continue;
                }
                if (warning is not null) state.Issue(row.Line, ImportIssueKind.Warning, warning);
                pending.ImportRunId = run?.Id;
                customer = matcher.AddNew(row, pending);
            }
            inBatch[row.LegacyKey] = row.Line;
            var newLink = matcher.Link(row.LegacyCustomerId, customer);
            if (!customer.Counted)
            {
                customer.Counted = true;
                if (customer.CreatedByImport && customer.Id == 0) report.CustomersCreated++;
                else if (!customer.CreatedByImport) report.CustomersMatched++;
            }
            switch (match.By)
            {
                case MatchedBy.LegacyId: report.MatchedByLegacyId++; break;
                case MatchedBy.Phone: report.MatchedByPhone++; break;
                case MatchedBy.Email: report.MatchedByEmail++; break;
            }
            report.Tickets++;
            if (report.Preview.Count < PreviewRows)
                report.Preview.Add(new(row.Line, row.LegacyCustomerId, customer.Name, customer.Phone, match.By,
                    customer.Id > 0 ? customer.Id : null, row.Status, row.Amount, row.Item));
            plan.Add(new(row, customer, newLink));
        }
        report.Stages.Mark("match and plan");
        if (run is null || plan.Count == 0) return;
        try
        {
            await WriteAsync(plan, run, report, actor, ct);
        }
        catch
        {
            // The batch was rolled back: the report must not count it.
            report.Tickets -= plan.Count;
            report.CustomersCreated -= plan.Select(p => p.Customer).Distinct().Count(c => c.Id == 0);
            throw;
        }
    }

    private Customer NewCustomer(LegacyRow row, out string? warning)
    {
        warning = null;
        var words = row.Name.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        string first, last;
        if (words.Length == 1)
        {
            first = words[0];
            last = "-";
            warning = $"\"{row.Name}\" is a single word: it became the first name, with \"-\" as the last name.";
        }
        else
        {
            first = words[0];
            last = string.Join(' ', words[1..]);
        }
        return new Customer
        {
            Type = CustomerType.Individual,
            FirstName = first.Length > Customer.NameMax ? first[..Customer.NameMax] : first,
            LastName = last.Length > Customer.NameMax ? last[..Customer.NameMax] : last,
            PrimaryPhone = row.Phone ?? "",
            WhatsAppPhone = row.WhatsApp,
            Email = row.Email,
            Country = customerOptions.Value.DefaultCountry.ToUpperInvariant(),
            Notes = $"Imported from legacy customer {row.LegacyCustomerId}.",
        };
    }

    private static Ticket NewTicket(LegacyRow r, int customerId, int sequence, int runId, DateTime now, string actor)
    {
        var closed = r.Status == TicketStatus.Closed;
        return new Ticket
        {
            Sequence = sequence, Number = Ticket.FormatNumber(sequence), CustomerId = customerId,
            Item = r.Item, Problem = r.Problem, Status = r.Status, Priority = TicketPriority.Normal,
            QuotedAmount = closed ? null : r.Amount, FinalAmount = closed ? r.Amount : null,
            OpenedAt = r.CreatedAt, ClosedAt = TicketWorkflow.IsActive(r.Status) ? null : r.CreatedAt,
            CreatedBy = actor, UpdatedAt = now, UpdatedBy = actor, Version = 1,
            ImportRunId = runId, LegacyKey = r.LegacyKey,
        };
    }

    private async Task WriteAsync(List<Planned> plan, ImportRun run, ImportReport report, string actor, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            await using var db = await BatchContextAsync(ct);
            db.Actor = actor;
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            var now = time.GetUtcNow().UtcDateTime;

            // A fresh copy per attempt, so a retried batch starts from a clean customer.
            var created = new Dictionary<CustomerRef, Customer>();
            foreach (var p in plan)
            {
                if (p.Customer.Id == 0 && !created.ContainsKey(p.Customer))
                {
                    var copy = p.Customer.Pending!.Copy();
                    copy.Id = 0;
                    created[p.Customer] = copy;
                }
            }
            db.ImportRuns.Attach(run);
            CopyCounts(report, run);
            try
            {
                // First, so on PostgreSQL the ticket-number lock is held from here to the commit, as for a ticket
                // opened by staff (TicketOperations.CreateAsync): neither can take the other's numbers.
                var sequence = await TicketOperations.NextSequenceAsync(db, ct);
                await db.SaveChangesAsync(ct);
                report.Stages.Mark("batch start");
                var before = await DashboardSummary.LockAndReadAsync(db, plan.Select(p => p.Customer.Id), ct);
                report.Stages.Mark("dashboard summary before");

                // New customers get what AppDbContext gives a customer on its first save (audit stamps, the "(created)"
                // history row, the search tokens), written without change tracking, which would cost more than the
                // inserts themselves at hundreds of thousands of customers. Until they are written, they and their
                // tickets carry stand-in ids (negative: never a database id) for the dashboard summary's facts.
                var standIn = new Dictionary<Customer, int>(ReferenceEqualityComparer.Instance);
                foreach (var customer in created.Values)
                {
                    customer.SortName = CustomerSearchIndex.SortNameFor(customer);
                    CustomerHistoryKeeper.StampNew(customer, now, actor);
                    standIn[customer] = -(standIn.Count + 1);
                }
                var tickets = new List<Ticket>(plan.Count);
                foreach (var p in plan)
                    tickets.Add(NewTicket(p.Row, created.TryGetValue(p.Customer, out var c) ? standIn[c] : p.Customer.Id, sequence++, run.Id, now, actor));
                // What the batch moves in the summary is pure computation on facts: done on another core while the rows are written.
                var zone = db.Venue.Zone;
                var newCustomers = created.Values.Select(c => new DashboardSummary.CustomerFacts(standIn[c], c.CreatedAt, c.Type, c.Status, c.City)).ToList();
                var newTickets = tickets.Select(t => new DashboardSummary.TicketFacts(t.CustomerId, t.Status, t.OpenedAt, t.ClosedAt, t.FinalAmount)).ToList();
                var summary = Task.Run(() => DashboardSummary.AddedTo(before, newCustomers, newTickets, zone), ct);
                report.Stages.Mark("plan the rows");

                var newTokens = new List<CustomerSearchToken>();
                await using (var customers = new RowInserter<Customer>(db, returningId: true))
                await using (var changes = new RowInserter<CustomerChange>(db))
                {
                    foreach (var customer in created.Values)
                    {
                        customer.Id = (int)await customers.InsertReturningIdAsync(customer, ct);
                        foreach (var token in CustomerSearchIndex.TokensFor(customer))
                        {
                            token.CustomerId = customer.Id;
                            newTokens.Add(token);
                        }
                        foreach (var change in customer.Changes)
                        {
                            change.CustomerId = customer.Id;
                            await changes.AddAsync(change, ct);
                        }
                    }
                    await changes.FlushAsync(ct);
                }
                report.Stages.Mark("customers and history");
                // In the order of the token key: each index page is then filled in one go instead of being visited
                // (and, past the page cache, read again) once per token.
                await using (var tokens = new RowInserter<CustomerSearchToken>(db))
                {
                    foreach (var token in newTokens.OrderBy(t => t.Kind).ThenBy(t => t.Token, StringComparer.Ordinal).ThenBy(t => t.CustomerId))
                        await tokens.AddAsync(token, ct);
                    await tokens.FlushAsync(ct);
                }
                report.Stages.Mark("search tokens");
                // Tickets, their timeline entries and the links are most of the rows: RowInserter (one prepared row per
                // statement on SQLite, multi-row on PostgreSQL) in the same transaction, with columns and value
                // conversions taken from the EF model (cents on SQLite, enum names).
                var realIds = created.Values.ToDictionary(c => standIn[c], c => c.Id);
                await using (var inserter = new RowInserter<Ticket>(db))
                {
                    foreach (var ticket in tickets)
                    {
                        if (ticket.CustomerId < 0) ticket.CustomerId = realIds[ticket.CustomerId];
                        await inserter.AddAsync(ticket, ct);
                    }
                    await inserter.FlushAsync(ct);
                }
                report.Stages.Mark("tickets");
                // The keeper's own recount, as for a ticket saved by staff: matched customers' stats move with a new
                // version; new ones are counted without one, their creation being their stamp.
                var save = new SaveInfo(now, actor);
                await CustomerStatsKeeper.RecountAsync(db, plan.Select(p => p.Customer.Id).Where(id => id > 0).ToList(), save, ct);
                await CustomerStatsKeeper.RecountAsync(db, realIds.Values, null, ct);
                report.Stages.Mark("customers' stats");
                // The numbers are ours until the commit (the lock above; SQLite's single writer): read the ids back by them.
                var first = tickets[0].Sequence;
                var ids = await db.Tickets.Where(t => t.Sequence >= first && t.Sequence < sequence)
                    .Select(t => new { t.Sequence, t.Id }).ToDictionaryAsync(t => t.Sequence, t => t.Id, ct);
                foreach (var ticket in tickets) ticket.Id = ids[ticket.Sequence];
                report.Stages.Mark("ticket ids read back");
                await using (var entries = new RowInserter<CustomerAdmin.Data.Activity>(db))
                {
                    // By customer and date, as the timeline's indexes are keyed (the sort is stable: a ticket's "opened"
                    // keeps the lower id, so it stays below its "closed" of the same moment).
                    foreach (var entry in tickets.SelectMany(t => TicketTimeline.ForImported(t, now, actor)).OrderBy(a => a.CustomerId).ThenBy(a => a.OccurredAt))
                        await entries.AddAsync(entry, ct);
                    await entries.FlushAsync(ct);
                }
                report.Stages.Mark("timeline entries");
                await using (var links = new RowInserter<LegacyCustomerLink>(db))
                {
                    foreach (var p in plan.Where(p => p.NewLink))
                    {
                        await links.AddAsync(new LegacyCustomerLink
                        {
                            LegacyId = p.Row.LegacyCustomerId, ImportRunId = run.Id,
                            CustomerId = created.TryGetValue(p.Customer, out var c) ? c.Id : p.Customer.Id,
                        }, ct);
                    }
                    await links.FlushAsync(ct);
                }
                report.Stages.Mark("legacy links");
                var added = await summary;
                report.Stages.Mark("wait for the dashboard summary");
                foreach (var (id, count) in added.TicketCounts.Where(c => c.Key < 0).ToList())
                {
                    added.TicketCounts.Remove(id);
                    added.TicketCounts[realIds[id]] = count;
                }
                await DashboardSummary.ApplyAddedAsync(db, added, ct);
                report.Stages.Mark("dashboard summary");
                await tx.CommitAsync(ct);
                report.Stages.Mark("commit");
            }
            catch (DbException ex) when (attempt < Attempts && TicketOperations.IsNumberClash(db, ex))
            {
                // Only on SQLite with another writer in between, which its single write lock rules out: redo the batch.
                continue;
            }
            foreach (var (r, c) in created)
            {
                r.Id = c.Id;
                r.Pending = null;
            }
            return;
        }
    }

    /// <summary>
    /// A context for one batch, its connection set up for bulk writes (on SQLite a large page cache and, in WAL mode,
    /// fewer syncs and checkpoints: see <see cref="SqliteDialect"/>).
    /// </summary>
    private async Task<AppDbContext> BatchContextAsync(CancellationToken ct)
    {
        var db = await factory.CreateDbContextAsync(ct);
        await db.Sql().BeginBulkWritesAsync(db, ct);
        return db;
    }

    /// <summary>Gives the batches' connection settings (SQLite's page cache) back.</summary>
    private async Task ResetCacheAsync()
    {
        try
        {
            await using var db = await factory.CreateDbContextAsync();
            await db.Sql().EndBulkWritesAsync(db);
        }
        catch (Exception ex) when (ex is DbException or InvalidOperationException)
        {
            // The database is unreachable: so is the connection, which will not be pooled.
        }
    }

    /// <summary>
    /// Removes exactly what the import created: its tickets, the customers it created and the legacy-id links it
    /// wrote; customers it only matched get their stats back. Refused while a customer it created has anything the
    /// import did not create (a ticket opened since, a sale, equipment, a later import's ticket).
    /// </summary>
    public async Task<UndoResult> UndoAsync(int runId, string actor, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        db.Actor = actor;
        await MarkInterruptedAsync(runId, ct);
        var run = await db.ImportRuns.FirstOrDefaultAsync(r => r.Id == runId, ct);
        if (run is null) return new(false, $"There is no import #{runId}.");
        if (run.Status == ImportRunStatus.Undone) return new(false, $"Import #{runId} was already undone on {run.UndoneAt:yyyy-MM-dd HH:mm} by {run.UndoneBy}.");
        if (run.Status == ImportRunStatus.Running)
            return new(false, $"Import #{runId} is still running (last sign of life {run.HeartbeatAt ?? run.StartedAt:yyyy-MM-dd HH:mm:ss} UTC); "
                + $"cancel it first. A run silent for {_options.InterruptedAfter.TotalMinutes:N0} minutes counts as interrupted and can then be undone.");

        var blockers = db.Customers.Where(c => c.ImportRunId == runId
            && (db.Tickets.Any(t => t.CustomerId == c.Id && (t.ImportRunId == null || t.ImportRunId != runId))
                || db.Sales.Any(s => s.CustomerId == c.Id)
                || db.Equipment.Any(q => q.CustomerId == c.Id)
                || db.Activities.Any(a => a.CustomerId == c.Id && (a.ImportRunId == null || a.ImportRunId != runId))
                || db.Documents.Any(d => d.CustomerId == c.Id)
                || db.LegacyCustomerLinks.Any(l => l.CustomerId == c.Id && l.ImportRunId != runId)));
        var blockerCount = await blockers.CountAsync(ct);
        if (blockerCount > 0)
        {
            var names = await blockers.OrderBy(c => c.Id).Take(5)
                .Select(c => "#" + c.Id + " " + c.FirstName + " " + c.LastName).ToListAsync(ct);
            return new(false, $"Import #{runId} cannot be undone: {blockerCount:N0} customers it created have since got tickets, sales, "
                + $"equipment, timeline entries, documents or links that the import did not create ({string.Join(", ", names)}{(blockerCount > 5 ? ", …" : "")}). "
                + "Undoing it would delete that work too. Move or delete those first (or undo the later import that used them).");
        }

        var annotated = await db.Activities.CountAsync(a => a.TicketId != null && (a.ImportRunId == null || a.ImportRunId != runId)
            && db.Tickets.Any(t => t.Id == a.TicketId && t.ImportRunId == runId), ct);
        if (annotated > 0)
        {
            return new(false, $"Import #{runId} cannot be undone: {annotated:N0} timeline entries (notes, status changes) have been written "
                + "about tickets it imported since; undoing it would delete that history too.");
        }

        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var summary = await DashboardSummary.BeginAsync(db, await db.Tickets.Where(t => t.ImportRunId == runId).Select(t => t.CustomerId)
            .Union(db.Customers.Where(c => c.ImportRunId == runId).Select(c => c.Id)).ToListAsync(ct), ct);
        // Customers the import only matched: recounted once the import's tickets are gone.
        var matched = await db.Tickets
            .Where(t => t.ImportRunId == runId && t.Status == TicketStatus.Closed && t.Customer!.ImportRunId != runId)
            .Select(t => t.CustomerId).Distinct().ToListAsync(ct);
        // The timeline entries the import wrote about its tickets go with them.
        await db.Activities.Where(a => a.ImportRunId == runId).ExecuteDeleteAsync(ct);
        var tickets = await db.Tickets.Where(t => t.ImportRunId == runId).ExecuteDeleteAsync(ct);
        await db.LegacyCustomerLinks.Where(l => l.ImportRunId == runId).ExecuteDeleteAsync(ct);
        var customersDeleted = await db.Customers.Where(c => c.ImportRunId == runId).ExecuteDeleteAsync(ct);
        await CustomerStatsKeeper.RecountAsync(db, matched, new SaveInfo(time.GetUtcNow().UtcDateTime, actor), ct);
        await db.ImportRuns.Where(r => r.Id == runId).ExecuteUpdateAsync(s => s
            .SetProperty(r => r.Status, ImportRunStatus.Undone)
            .SetProperty(r => r.UndoneAt, time.GetUtcNow().UtcDateTime)
            .SetProperty(r => r.UndoneBy, actor), ct);
        await DashboardSummary.CompleteAsync(db, summary, ct: ct);
        await tx.CommitAsync(ct);
        return new(true, $"Import #{runId} undone: {tickets:N0} tickets and {customersDeleted:N0} customers it created were deleted; "
            + $"{matched.Count:N0} existing customers got their stats back.", tickets, customersDeleted, matched.Count);
    }

    /// <summary>Counts and the capped list of issues; every issue also goes to the caller's callback as it happens.</summary>
    private sealed class RunState(ImportReport report, Action<ImportIssue>? onIssue, int maxListed, bool dryRun)
    {
        // Only the dry run needs to remember keys across batches (the real run finds earlier batches in the
        // database); 8 bytes per row.
        private readonly HashSet<long>? _dryRunKeys = dryRun ? [] : null;

        public ImportReport Report => report;

        public void Issue(long line, ImportIssueKind kind, string message)
        {
            switch (kind)
            {
                case ImportIssueKind.Rejected: report.RowsRejected++; break;
                case ImportIssueKind.Duplicate: report.DuplicateRows++; break;
                case ImportIssueKind.Conflict: report.Conflicts++; break;
                case ImportIssueKind.Warning: report.Warnings++; break;
            }
            var issue = new ImportIssue(line, kind, message);
            onIssue?.Invoke(issue);
            if (report.Issues.Count < maxListed) report.Issues.Add(issue);
            else report.IssuesNotListed++;
        }

        public void Reject(long line, string message) => Issue(line, ImportIssueKind.Rejected, message);
        public void Duplicate(long line, string message) => Issue(line, ImportIssueKind.Duplicate, message);

        public bool SeenInDryRun(string key) =>
            _dryRunKeys is not null && !_dryRunKeys.Add(Convert.ToInt64(key[..16], 16));
    }
}
