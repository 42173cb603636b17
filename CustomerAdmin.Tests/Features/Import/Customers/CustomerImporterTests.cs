using System.Text;
using CustomerAdmin.Common;
using CustomerAdmin.Data;
using CustomerAdmin.Features.Duplicates.Scanning;
using CustomerAdmin.Features.Import.Customers;
using CustomerAdmin.Features.Import.Files;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace CustomerAdmin.Tests.Features.Import.Customers;

/// <summary>
/// The customer import's engine on both databases, at a few hundred rows: matching (reference, phone, email, in-file),
/// fill / overwrite / skip, the report rows, history "by import #N", the dry run and the undo.
/// </summary>
public sealed class CustomerImporterTests : IDisposable
{
    internal const string Header = "Customer ID,First name,Last name,Mobile,Email,City,Notes\n";
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 3, 1, 9, 0, 0, TimeSpan.Zero));
    private readonly List<string> _files = [];

    public void Dispose()
    {
        foreach (var f in _files) File.Delete(f);
    }

    private static readonly string[] Firsts =
        ["Anna", "Bruno", "Carla", "Dmitri", "Elena", "Farid", "Greta", "Hugo", "Ines", "Jonas", "Kira", "Lars", "Mona", "Nils", "Olga",
         "Pavel", "Quinn", "Rosa", "Sven", "Tara", "Ugo", "Vera", "Wim", "Xena", "Yusuf"];

    private static readonly string[] Lasts =
        ["Abbott", "Brennan", "Castillo", "Dvorak", "Eriksen", "Fontaine", "Gallagher", "Hoffmann", "Ibarra", "Jovanovic", "Kowalski",
         "Lindqvist", "Moreau", "Nakamura", "Okafor", "Petrov", "Quiroga", "Rasmussen", "Santoro", "Takahashi"];

    /// <summary>The i-th of 500 different people's names.</summary>
    internal static (string First, string Last) Person(int i) => (Firsts[i % Firsts.Length], Lasts[i / Firsts.Length % Lasts.Length]);

    internal static string ExistingPhone(int i) => $"+1212736{i:D4}";
    /// <summary>A phone for the i-th new person: another area, and scattered, so no two are a digit apart by construction.</summary>
    internal static string NewPhone(int i) => $"+1617{2_000_000 + i * 7919L % 8_000_000:D7}";

    private string WriteFile(string content, Encoding? encoding = null, string extension = ".csv")
    {
        var path = Path.Combine(Path.GetTempPath(), $"customers-{Guid.NewGuid():N}{extension}");
        File.WriteAllBytes(path, (encoding ?? new UTF8Encoding(false)).GetBytes(content));
        _files.Add(path);
        return path;
    }

    private CustomerImporter Importer(IDbContextFactory<AppDbContext> factory, int batchSize = 40) => NewImporter(factory, _time, batchSize);

    /// <summary>The importer as the app registers it, with small batches so a few hundred rows make several.</summary>
    internal static CustomerImporter NewImporter(IDbContextFactory<AppDbContext> factory, TimeProvider time, int batchSize,
        TimeSpan commitTime = default) => new(factory,
        new PhoneNormalizer("US"), Options.Create(new CustomerImportOptions { BatchSize = batchSize, CommitTime = commitTime }),
        Options.Create(new CustomersOptions()), time, NullLogger<CustomerImporter>.Instance);

    internal static async Task<CustomerImportRequest> RequestAsync(string path, ImportMatchMode onMatch = ImportMatchMode.Fill, bool dryRun = false,
        string source = "shopify", TabularReadOptions? read = null)
    {
        read ??= new TabularReadOptions();
        var file = await TabularFile.OpenAsync(path, read, TestContext.Current.CancellationToken);
        return new CustomerImportRequest(path, "customers.csv", read, new CustomerImportMapping(ColumnSuggestions.Suggest(file.Headers)),
            onMatch, source, dryRun, "manager@test");
    }

    /// <summary>
    /// 300 existing customers (<see cref="Person"/> 0..299, phones <see cref="ExistingPhone"/>, emails for the even ones,
    /// no notes, no city for the first ten), and a file of 400 rows: 150 of them by phone, 50 found by their email under a
    /// phone nobody has, 190 new people (<see cref="Person"/> 310..499), 5 of whom appear twice, and 5 rows that cannot be
    /// imported.
    /// </summary>
    internal static async Task SeedAsync(TestDatabase database)
    {
        await database.Data.BatchAsync(b =>
        {
            for (var i = 0; i < 300; i++)
            {
                var (first, last) = Person(i);
                var c = b.Customer(first, last, new DateTime(2025, 1, 1, 0, 0, 0, DateTimeKind.Utc));
                c.PrimaryPhone = ExistingPhone(i);
                c.Email = i % 2 == 0 ? $"existing{i}@example.com" : null;
                c.City = i < 10 ? null : "Boston";
            }
        });
    }

    internal static string File400()
    {
        var csv = new StringBuilder(Header);
        // 150 by phone (written as people type it): fill their empty notes, leave their city.
        for (var i = 0; i < 150; i++) csv.Append($"S-{i},{Person(i).First},{Person(i).Last},(212) 736-{i:D4},,Springfield,Imported note {i}\n");
        // 50 by email (even customers 150..248) under a phone nobody has: the phone is not copied over theirs in fill mode.
        for (var i = 150; i < 250; i += 2) csv.Append($"S-{i},{Person(i).First},{Person(i).Last},{NewPhone(9000 + i)},EXISTING{i}@example.com,,\n");
        // 190 new people; the first 5 appear again further down, with an email the second time.
        for (var i = 0; i < 190; i++) csv.Append($"N-{i},{Person(310 + i).First},{Person(310 + i).Last},{NewPhone(i)},,Salem,\n");
        for (var i = 0; i < 5; i++) csv.Append($"N-{i},{Person(310 + i).First},{Person(310 + i).Last},{NewPhone(i)},new{i}@example.com,Salem,\n");
        // 5 that cannot be imported.
        csv.Append("B-1,Excel,Mangled,1.23457E+11,,,\n");
        csv.Append("B-2,,,,nobody@example.com,,\n");
        csv.Append("B-3,Bad,Phone,12,,,\n");
        csv.Append("B-4,No,Contact,,,,\n");
        csv.Append("B-5,Cher,,+12127379999,,,\n");
        return csv.ToString();
    }

    [Theory, InlineData(DatabaseProvider.Sqlite), InlineData(DatabaseProvider.Postgres)]
    public async Task ImportMatchesByReferencePhoneAndEmailFillsEmptyFieldsAndReportsEveryRow(DatabaseProvider provider)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var database = await TestDatabase.CreateAsync(provider, _time, ct: ct);
        await SeedAsync(database);
        var path = WriteFile(File400());

        var summary = await Importer(database.Factory).RunAsync(await RequestAsync(path), null, ct);

        Assert.Equal(ImportRunStatus.Completed, summary.Status);
        Assert.Equal((400, 190, 5), (summary.RowsRead, summary.Created, summary.Skipped));
        // 150 by phone get notes and keep their city (fill; the 10 without a city get one); 50 by email fill nothing (their
        // phone is set, their email the same); the 5 in-file repeats get their email.
        Assert.Equal(150 + 5, summary.Updated);
        Assert.Equal(50, summary.Unchanged);
        await using var db = database.CreateDbContext();
        Assert.Equal(490, await db.Customers.CountAsync(ct));
        Assert.Equal(400, await db.ImportReportRows.CountAsync(r => r.ImportRunId == summary.RunId, ct));
        var c0 = await db.Customers.SingleAsync(c => c.PrimaryPhone == ExistingPhone(0), ct);
        Assert.Equal(("Imported note 0", "Springfield"), (c0.Notes, c0.City));
        var c20 = await db.Customers.SingleAsync(c => c.PrimaryPhone == ExistingPhone(20), ct);
        Assert.Equal(("Imported note 20", "Boston"), (c20.Notes, c20.City));
        var c150 = await db.Customers.SingleAsync(c => c.Email == "existing150@example.com", ct);
        Assert.Equal(ExistingPhone(150), c150.PrimaryPhone);
        var new0 = await db.Customers.SingleAsync(c => c.PrimaryPhone == NewPhone(0), ct);
        Assert.Equal(("new0@example.com", (int?)summary.RunId, "US"), (new0.Email, new0.ImportRunId, new0.Country));
        // History, field by field, by the import.
        var actor = CustomerImporter.ActorOf(summary.RunId);
        Assert.Contains(await db.CustomerChanges.Where(h => h.CustomerId == c0.Id).ToListAsync(ct),
            h => h is { Field: nameof(Customer.Notes), OldValue: null, NewValue: "Imported note 0" } && h.ChangedBy == actor);
        Assert.Equal(actor, (await db.CustomerChanges.SingleAsync(h => h.CustomerId == new0.Id && h.Field == CustomerChange.CreatedField, ct)).ChangedBy);
        // The report: every line with what happened, why, to whom.
        var rows = await db.ImportReportRows.Where(r => r.ImportRunId == summary.RunId).ToDictionaryAsync(r => r.Line, ct);
        Assert.Equal((ImportRowAction.Updated, (int?)c0.Id, "City, Notes"), (rows[2].Action, rows[2].CustomerId, rows[2].ChangedFields));
        Assert.Contains("phone", rows[2].Reason);
        Assert.Contains(rows.Values, r => r is { Action: ImportRowAction.Skipped, ExternalReference: "B-1" } && r.Reason!.Contains("Excel shortened"));
        Assert.Contains(rows.Values, r => r is { Action: ImportRowAction.Skipped, ExternalReference: "B-5" } && r.Reason!.Contains("one word"));
        // References are recorded per source: a second import of the file finds everyone by them and changes nothing.
        Assert.Equal(150 + 50 + 190, await db.LegacyCustomerLinks.CountAsync(l => l.Source == "shopify", ct));
        var again = await Importer(database.Factory, batchSize: 500).RunAsync(await RequestAsync(path), null, ct);
        Assert.Equal((0, 0, 395, 5), (again.Created, again.Updated, again.Unchanged, again.Skipped));
        await using var after = database.CreateDbContext();
        Assert.Equal(490, await after.Customers.CountAsync(ct));
        Assert.All(await after.ImportReportRows.Where(r => r.ImportRunId == again.RunId && r.Action == ImportRowAction.Unchanged).ToListAsync(ct),
            r => Assert.StartsWith("Matched by external reference", r.Reason));
    }

    [Theory, InlineData(DatabaseProvider.Sqlite), InlineData(DatabaseProvider.Postgres)]
    public async Task OverwriteReplacesWithTheFilesValuesSkipLeavesMatchesAloneAndOptOutsStay(DatabaseProvider provider)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var database = await TestDatabase.CreateAsync(provider, _time, ct: ct);
        await SeedAsync(database);
        var optedOut = _time.GetUtcNow().UtcDateTime.AddDays(-3);
        await using (var db = database.CreateDbContext())
        {
            var id = await db.Customers.Where(c => c.PrimaryPhone == ExistingPhone(12)).Select(c => c.Id).SingleAsync(ct);
            await CustomerAdmin.Features.Sms.SmsConsent.OptOutAsync(db, id, "sms:STOP", optedOut, dedupeKey: null, ct);
        }
        var path = WriteFile(File400());

        var skip = await Importer(database.Factory).RunAsync(await RequestAsync(path, ImportMatchMode.Skip), null, ct);
        Assert.Equal((190, 0, 0, 5 + 200 + 5), (skip.Created, skip.Updated, skip.Unchanged, skip.Skipped));
        await using (var db = database.CreateDbContext())
            Assert.Null((await db.Customers.SingleAsync(c => c.PrimaryPhone == ExistingPhone(12), ct)).Notes);

        var overwrite = await Importer(database.Factory).RunAsync(await RequestAsync(path, ImportMatchMode.Overwrite), null, ct);

        Assert.Equal(0, overwrite.Created);
        await using var check = database.CreateDbContext();
        var c12 = await check.Customers.SingleAsync(c => c.PrimaryPhone == ExistingPhone(12), ct);
        Assert.Equal(("Springfield", "Imported note 12"), (c12.City, c12.Notes));
        Assert.True(c12.SmsOptedOut);
        // The consent register still ends with the STOP's withdrawals: an import writes no consent.
        Assert.All(await check.ConsentRecords.Where(r => r.CustomerId == c12.Id).ToListAsync(ct), r => Assert.False(r.Granted));
        Assert.Equal(2, await check.ConsentRecords.CountAsync(ct));
        // Found by email, the customer takes the file's phone (nobody else has it).
        var c150 = await check.Customers.SingleAsync(c => c.Email == "existing150@example.com", ct);
        Assert.Equal(NewPhone(9150), c150.PrimaryPhone);
    }

    [Theory, InlineData(DatabaseProvider.Sqlite), InlineData(DatabaseProvider.Postgres)]
    public async Task ACustomerSinceColumnIsTheNewCustomersFirstSeenDateNotTheImportDay(DatabaseProvider provider)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var database = await TestDatabase.CreateAsync(provider, _time, ct: ct);
        var text = new StringBuilder("First name,Last name,Mobile,Customer since\n");
        for (var i = 0; i < 200; i++)
        {
            var (first, last) = Person(310 + i % 190);
            text.Append($"{first},{last}{i},{NewPhone(i)},2019-{i % 12 + 1:00}-{i % 28 + 1:00}\n");
        }

        var summary = await Importer(database.Factory).RunAsync(await RequestAsync(WriteFile(text.ToString())), null, ct);

        Assert.Equal(200, summary.Created);
        await using var db = database.CreateDbContext();
        var customers = await db.Customers.AsNoTracking().Where(c => c.ImportRunId != null).ToListAsync(ct);
        Assert.Equal(200, customers.Count);
        Assert.All(customers, c => Assert.Equal(2019, c.FirstSeenAt.Year));
        Assert.All(customers, c => Assert.Equal(_time.GetUtcNow().UtcDateTime.Date, c.CreatedAt.Date));
    }

    [Theory, InlineData(DatabaseProvider.Sqlite), InlineData(DatabaseProvider.Postgres)]
    public async Task ADryRunWritesOnlyItsReport(DatabaseProvider provider)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var database = await TestDatabase.CreateAsync(provider, _time, ct: ct);
        await SeedAsync(database);
        var path = WriteFile(File400());

        var dry = await Importer(database.Factory).RunAsync(await RequestAsync(path, dryRun: true), null, ct);

        Assert.True(dry.DryRun);
        Assert.Equal((400, 190, 155, 50, 5), (dry.RowsRead, dry.Created, dry.Updated, dry.Unchanged, dry.Skipped));
        await using var db = database.CreateDbContext();
        Assert.Equal(300, await db.Customers.CountAsync(ct));
        Assert.Equal(300, await db.CustomerChanges.CountAsync(ct));
        Assert.Equal(0, await db.LegacyCustomerLinks.CountAsync(ct));
        Assert.Null((await db.Customers.SingleAsync(c => c.PrimaryPhone == ExistingPhone(0), ct)).Notes);
        Assert.Equal(400, await db.ImportReportRows.CountAsync(r => r.ImportRunId == dry.RunId, ct));
        var csv = new StringWriter();
        Assert.Equal(400, await CustomerImportReportCsv.WriteAsync(db, dry.RunId, csv, ct));
        var lines = csv.ToString().Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("line,external_reference,action,customer_id,reason,changed_fields", lines[0]);
        Assert.StartsWith("2,S-0,updated,", lines[1]);
        Assert.Equal(401, lines.Length);
        Assert.False((await Importer(database.Factory).UndoAsync(dry.RunId, "admin", ct)).Done);
    }

    [Theory, InlineData(DatabaseProvider.Sqlite), InlineData(DatabaseProvider.Postgres)]
    public async Task UndoDeletesTheCreatedCustomersAndRestoresUpdatedFieldsExceptWhatChangedSince(DatabaseProvider provider)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var database = await TestDatabase.CreateAsync(provider, _time, ct: ct);
        await SeedAsync(database);
        var importer = Importer(database.Factory);
        var run = await importer.RunAsync(await RequestAsync(WriteFile(File400())), null, ct);
        int withTicket, edited;
        await using (var db = database.CreateDbContext())
        {
            withTicket = (await db.Customers.SingleAsync(c => c.PrimaryPhone == NewPhone(7), ct)).Id;
            edited = (await db.Customers.SingleAsync(c => c.PrimaryPhone == ExistingPhone(3), ct)).Id;
        }
        await database.Data.TicketAsync(withTicket);
        await using (var db = database.CreateDbContext())
        {
            db.Actor = "staff@test";
            var c3 = await db.Customers.SingleAsync(c => c.Id == edited, ct);
            c3.City = "Edited by staff";
            await db.SaveChangesAsync(ct);
        }

        var undo = await importer.UndoAsync(run.RunId, "admin@test", ct);

        Assert.True(undo.Done, undo.Message);
        Assert.Equal((189, 1), (undo.CustomersDeleted, undo.CustomersKept));
        Assert.Contains(undo.Notes!, n => n.Contains($"#{withTicket}") && n.Contains("tickets"));
        Assert.Equal(1, undo.FieldsKept);
        await using var check = database.CreateDbContext();
        Assert.Equal(301, await check.Customers.CountAsync(ct));
        var c0 = await check.Customers.SingleAsync(c => c.PrimaryPhone == ExistingPhone(0), ct);
        Assert.Null(c0.Notes);
        Assert.Null(c0.City);
        var c3After = await check.Customers.SingleAsync(c => c.Id == edited, ct);
        Assert.Null(c3After.Notes);
        Assert.Equal("Edited by staff", c3After.City);
        Assert.Contains(await check.CustomerChanges.Where(h => h.CustomerId == c0.Id).ToListAsync(ct),
            h => h.Field == nameof(Customer.Notes) && h.NewValue == null && h.ChangedBy!.StartsWith($"undo of import #{run.RunId}"));
        Assert.Equal([withTicket], await check.LegacyCustomerLinks.Where(l => l.ImportRunId == run.RunId).Select(l => l.CustomerId).ToListAsync(ct));
        var recorded = await check.ImportRuns.SingleAsync(r => r.Id == run.RunId, ct);
        Assert.Equal((ImportRunStatus.Undone, "admin@test"), (recorded.Status, recorded.UndoneBy));
        Assert.Contains("kept", recorded.UndoSummary);
        Assert.False((await importer.UndoAsync(run.RunId, "admin@test", ct)).Done);
    }

    [Theory, InlineData(DatabaseProvider.Sqlite), InlineData(DatabaseProvider.Postgres)]
    public async Task RowsOfOnePersonInDifferentBatchesBecomeOneCustomerByReferencePhoneOrEmail(DatabaseProvider provider)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var database = await TestDatabase.CreateAsync(provider, _time, ct: ct);
        // 120 new people, each on two rows 120 lines apart (batches of 7, so always in different batches): a third by their
        // reference (under another phone), a third by their phone written another way (no reference), a third by their email only.
        var csv = new StringBuilder(Header);
        for (var i = 0; i < 120; i++)
        {
            var (first, last) = Person(i);
            csv.Append(i % 3 == 0 ? $"R-{i}," : ",").Append($"{first},{last},{NewPhone(i)},p{i}@example.com,Salem,\n");
        }
        for (var i = 0; i < 120; i++)
        {
            var (first, last) = Person(i);
            var phone = NewPhone(i)[2..];
            csv.Append((i % 3) switch
            {
                0 => $"R-{i},{first},{last},{NewPhone(1000 + i)},,,Note {i}\n",
                1 => $",{first},{last},({phone[..3]}) {phone[3..6]}-{phone[6..]},,,Note {i}\n",
                _ => $",{first},{last},,P{i}@Example.com,,Note {i}\n",
            });
        }
        var path = WriteFile(csv.ToString());

        var run = await Importer(database.Factory, batchSize: 7).RunAsync(await RequestAsync(path), null, ct);

        Assert.Equal(ImportRunStatus.Completed, run.Status);
        Assert.Equal((240, 120, 120, 0), (run.RowsRead, run.Created, run.Updated, run.Skipped));
        await using var db = database.CreateDbContext();
        Assert.Equal(120, await db.Customers.CountAsync(ct));
        Assert.Equal(120, await db.Customers.CountAsync(c => c.Notes != null && c.Notes.StartsWith("Note "), ct));
        var second = await db.ImportReportRows.Where(r => r.ImportRunId == run.RunId && r.Line > 121).ToListAsync(ct);
        Assert.Equal(40, second.Count(r => r.Reason!.StartsWith("Matched by external reference")));
        Assert.Equal(40, second.Count(r => r.Reason!.StartsWith("Matched by phone")));
        Assert.Equal(40, second.Count(r => r.Reason!.StartsWith("Matched by email")));
    }

    [Theory, InlineData(DatabaseProvider.Sqlite), InlineData(DatabaseProvider.Postgres)]
    public async Task ACancelledRunStopsAtTheNextBatchBoundaryKeepsWholeBatchesAndCanBeUndone(DatabaseProvider provider)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var database = await TestDatabase.CreateAsync(provider, _time, ct: ct);
        await SeedAsync(database);
        var path = WriteFile(File400());
        var importer = Importer(database.Factory);

        // Cancelled (as the page's button does) once the first batch of 40 is in: the batch already under way is finished, then it stops.
        var cancelled = false;
        var clickedAt = default(DateTime);
        var run = await importer.RunAsync(await RequestAsync(path), new SyncProgress(p =>
        {
            if (cancelled) return;
            cancelled = true;
            clickedAt = _time.GetUtcNow().UtcDateTime;
            Assert.True(importer.CancelAsync(p.RunId, "manager@test", ct).GetAwaiter().GetResult());
            // The batch under way takes a while after the click.
            _time.Advance(TimeSpan.FromSeconds(50));
        }), ct);

        Assert.Equal(ImportRunStatus.Cancelled, run.Status);
        Assert.Equal(80, run.RowsRead);
        Assert.Contains("Cancelled by manager@test", run.Error);
        // When it stopped, not when the button was clicked.
        Assert.Equal(clickedAt.AddSeconds(50), run.FinishedAt);
        await using (var db = database.CreateDbContext())
        {
            Assert.Equal(80, await db.ImportReportRows.CountAsync(r => r.ImportRunId == run.RunId, ct));
            Assert.Equal(run.Created, await db.Customers.CountAsync(c => c.ImportRunId == run.RunId, ct));
        }
        Assert.True((await importer.UndoAsync(run.RunId, "manager@test", ct)).Done);
        await using (var db = database.CreateDbContext())
            Assert.Equal(300, await db.Customers.CountAsync(c => c.Status != CustomerStatus.Deleted, ct));
    }

    [Fact]
    public void EachBatchTakesTheRowsTheLastBatchsPaceWritesInTheBatchTimeWithinItsBounds()
    {
        var options = new CustomerImportOptions { BatchSize = 10_000, BatchTime = TimeSpan.FromSeconds(1) };
        var size = new CustomerImporter.BatchSize(1000);

        size.Follow(1000, TimeSpan.FromSeconds(4), options);
        Assert.Equal(250, size.Rows);
        size.Follow(250, TimeSpan.FromMilliseconds(50), options);
        Assert.Equal(5000, size.Rows);
        size.Follow(5000, TimeSpan.FromMilliseconds(100), options);
        Assert.Equal(10_000, size.Rows);
        size.Follow(10_000, TimeSpan.FromMinutes(5), options);
        Assert.Equal(200, size.Rows);
        // A configured maximum below the floor wins (tests' small batches stay as set).
        size.Follow(40, TimeSpan.FromMinutes(5), new CustomerImportOptions { BatchSize = 40 });
        Assert.Equal(40, size.Rows);
    }

    private sealed class SyncProgress(Action<CustomerImportProgress> report) : IProgress<CustomerImportProgress>
    {
        public void Report(CustomerImportProgress value) => report(value);
    }

    [Theory, InlineData(DatabaseProvider.Sqlite), InlineData(DatabaseProvider.Postgres)]
    public async Task AnUncertainMatchIsCreatedAnewAndItsPairsGoToTheReviewQueue(DatabaseProvider provider)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var database = await TestDatabase.CreateAsync(provider, _time, ct: ct);
        await database.Data.CustomerAsync("Maria", "Lopez", ExistingPhone(1), c => c.Email = "shared@example.com");
        await database.Data.CustomerAsync("Mario", "Lopez", ExistingPhone(2), c => c.Email = "shared@example.com");
        var path = WriteFile(Header + $"X-1,Maria,Lopez,{NewPhone(1)},shared@example.com,Boston,\n");

        var run = await Importer(database.Factory).RunAsync(await RequestAsync(path), null, ct);

        Assert.Equal((1, 1), (run.Created, run.NeedsReview));
        await using var db = database.CreateDbContext();
        var row = await db.ImportReportRows.SingleAsync(r => r.ImportRunId == run.RunId, ct);
        Assert.True(row.NeedsReview);
        Assert.Contains("2 customers", row.Reason);
        // The import queues its new customers' duplicate checks; the background check then puts the pairs in the review queue.
        var queued = await db.DuplicateCheckRequests.Select(r => r.CustomerId).ToListAsync(ct);
        Assert.Contains(row.CustomerId!.Value, queued);
        await using (var check = database.CreateDbContext())
        await using (var tx = await check.Database.BeginTransactionAsync(ct))
        {
            await DuplicateChecks.CheckAsync(check, queued, _time.GetUtcNow().UtcDateTime, ct);
            await tx.CommitAsync(ct);
        }
        Assert.True(await db.DuplicatePairs.AnyAsync(p => p.CustomerAId == row.CustomerId || p.CustomerBId == row.CustomerId, ct));
        var csv = new StringWriter();
        await CustomerImportReportCsv.WriteAsync(db, run.RunId, csv, ct);
        Assert.Contains("created (needs review)", csv.ToString());
    }

    [Theory, InlineData(DatabaseProvider.Sqlite), InlineData(DatabaseProvider.Postgres)]
    public async Task ASecondImportWhileOneRunsIsRefusedAndAnInterruptedRunCanBeUndone(DatabaseProvider provider)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var database = await TestDatabase.CreateAsync(provider, _time, ct: ct);
        await SeedAsync(database);
        var importer = Importer(database.Factory);
        var path = WriteFile(File400());
        var first = await importer.RunAsync(await RequestAsync(path), null, ct);
        // As if its process had died mid-import: still "running", its heartbeat a minute old.
        await using (var db = database.CreateDbContext())
        {
            await db.ImportRuns.Where(r => r.Id == first.RunId).ExecuteUpdateAsync(s => s.SetProperty(r => r.Status, ImportRunStatus.Running)
                .SetProperty(r => r.HeartbeatAt, _time.GetUtcNow().UtcDateTime.AddMinutes(-1)), ct);
        }

        var refused = await Assert.ThrowsAsync<RuleViolationException>(async () => await importer.RunAsync(await RequestAsync(path), null, ct));
        Assert.Contains($"Import #{first.RunId}", refused.Message);
        Assert.Equal(ImportRunStatus.Running, (await importer.FindAsync(first.RunId, ct))!.Status);
        Assert.False((await importer.UndoAsync(first.RunId, "admin", ct)).Done);
        // A dry run writes no customer: it may run beside it.
        Assert.Equal(ImportRunStatus.Completed, (await importer.RunAsync(await RequestAsync(path, dryRun: true), null, ct)).Status);

        _time.Advance(TimeSpan.FromMinutes(5));
        Assert.Equal(ImportRunStatus.Interrupted, (await importer.FindAsync(first.RunId, ct))!.Status);
        var undo = await importer.UndoAsync(first.RunId, "admin", ct);
        Assert.True(undo.Done, undo.Message);
        await using var check = database.CreateDbContext();
        Assert.Equal(300, await check.Customers.CountAsync(ct));
    }

    [Theory, InlineData(DatabaseProvider.Sqlite), InlineData(DatabaseProvider.Postgres)]
    public async Task StartRunsInTheBackgroundAndItsProgressIsOnTheRunRow(DatabaseProvider provider)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var database = await TestDatabase.CreateAsync(provider, _time, ct: ct);
        await SeedAsync(database);
        var importer = Importer(database.Factory, batchSize: 25);

        var runId = await importer.StartAsync(await RequestAsync(WriteFile(File400())), ct);
        await importer.Running;

        var summary = (await importer.FindAsync(runId, ct))!;
        Assert.Equal((ImportRunStatus.Completed, (int?)400, 400, 100.0), (summary.Status, summary.RowsTotal, summary.RowsRead, summary.Percent));
    }
}
