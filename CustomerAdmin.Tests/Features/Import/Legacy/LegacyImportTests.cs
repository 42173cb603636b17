using System.Data.Common;
using System.Text;
using CustomerAdmin.Common;
using CustomerAdmin.Features.Customers.History;
using CustomerAdmin.Features.Customers.Search;
using CustomerAdmin.Features.Customers.Timeline;
using CustomerAdmin.Features.Import.Legacy;
using CustomerAdmin.Features.Tickets;
using CustomerAdmin.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace CustomerAdmin.Tests.Features.Import.Legacy;

public sealed class LegacyImportTests : IDisposable
{
    private const string Header = "ticket_id,customer_id,customer_name,phone,whatsapp,email,created_at,item,problem,status,amount\n";
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 3, 1, 9, 0, 0, TimeSpan.Zero));
    private readonly List<string> _files = [];

    private static readonly string Rows =
        "L-1,C-1,John Smith,(212) 736-5000,,john@example.com,2019-03-04,Laptop,\"Screen, \"\"flickers\"\"\",closed,120\n"
        + "L-2,C-1,John Smith,212.736.5000,,,2019-06-11,Charger,\"Does not\ncharge\",closed,30.50\n"
        + "L-3,C-2,Ana Costa,+1 646 555 0142,,ana@example.com,2020-02-04,Probe,Cable,open,\n"
        + "L-4,C-3,Li Wei,,,,2020-03-01,Tablet,Battery,closed,80\n"
        + "L-5,C-4,Bad Amount,+1 646 555 0199,,,2020-03-01,Tablet,Battery,closed,-5\n"
        + "L-1,C-1,John Smith,(212) 736-5000,,john@example.com,2019-03-04,Laptop,\"Screen, \"\"flickers\"\"\",closed,120\n"
        + "L-6,C-5,Existing Pat,+1 (917) 555-0111,,,2021-01-01,Printer,Jam,closed,40\n";

    public void Dispose()
    {
        foreach (var f in _files) File.Delete(f);
    }

    private string WriteFile(string content, Encoding? encoding = null)
    {
        var path = Path.Combine(Path.GetTempPath(), $"legacy-{Guid.NewGuid():N}.csv");
        File.WriteAllBytes(path, (encoding ?? new UTF8Encoding(false)).GetBytes(content));
        _files.Add(path);
        return path;
    }

    private LegacyImporter Importer(TestDatabase database, int batchSize = 2) => Importer(database.Factory, batchSize);

    private LegacyImporter Importer(IDbContextFactory<AppDbContext> factory, int batchSize = 2) => new(factory, new PhoneNormalizer("US"),
        Options.Create(new LegacyImportOptions { BatchSize = batchSize, MaxRecordLength = 10_000 }), Options.Create(new CustomersOptions()), _time);

    private DateTime PatsVisit => _time.GetUtcNow().UtcDateTime;

    /// <summary>A customer who existed before the import, with one real closed ticket of 10.</summary>
    private async Task<int> AddPatAsync(TestDatabase database, CancellationToken ct)
    {
        var pat = await database.Data.CustomerAsync("Pat", "Existing", "+19175550111");
        var ticket = await TicketOperations.CreateAsync(database.Factory, new() { CustomerId = pat.Id, Item = "Phone", Problem = "Cracked" }, _time, ct: ct);
        await TicketOperations.ChangeStatusAsync(database.Factory, ticket.Id, ticket.Version, TicketStatus.Closed, 10m, _time, ct: ct);
        return pat.Id;
    }

    [Theory, InlineData(DatabaseProvider.Sqlite), InlineData(DatabaseProvider.Postgres)]
    public async Task ImportLinksEveryTicketToOneCustomerAndListsEveryRejectedRow(DatabaseProvider provider)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var database = await TestDatabase.CreateAsync(provider, _time, ct: ct);
        var patId = await AddPatAsync(database, ct);
        var file = WriteFile(Header + Rows);

        var dry = await Importer(database).RunAsync(file, "legacy.csv", dryRun: true, "test", ct: ct);
        Assert.True(dry.Succeeded, dry.FatalError);
        Assert.Equal((4, 2, 1, 2, 1), (dry.Tickets, dry.CustomersCreated, dry.CustomersMatched, dry.RowsRejected, dry.DuplicateRows));
        await using (var db = database.CreateDbContext())
        {
            Assert.Equal(1, await db.Tickets.CountAsync(ct));
            Assert.Equal(1, await db.Customers.CountAsync(ct));
            Assert.Equal(0, await db.ImportRuns.CountAsync(ct));
        }

        var report = await Importer(database).RunAsync(file, "legacy.csv", dryRun: false, "test", ct: ct);

        Assert.True(report.Succeeded, report.FatalError);
        Assert.Equal((4, 2, 1, 2, 1), (report.Tickets, report.CustomersCreated, report.CustomersMatched, report.RowsRejected, report.DuplicateRows));
        Assert.Contains(report.Issues, i => i is { Line: 6, Kind: ImportIssueKind.Rejected } && i.Message.Contains("phone"));
        Assert.Contains(report.Issues, i => i is { Line: 7, Kind: ImportIssueKind.Rejected } && i.Message.Contains("negative"));
        Assert.Contains(report.Issues, i => i is { Line: 8, Kind: ImportIssueKind.Duplicate });

        await using var check = database.CreateDbContext();
        var tickets = await check.Tickets.Include(t => t.Customer).Where(t => t.ImportRunId == report.RunId).ToListAsync(ct);
        Assert.Equal(4, tickets.Count);
        Assert.Equal(0, await check.Tickets.CountAsync(t => !check.Customers.Any(c => c.Id == t.CustomerId), ct));
        Assert.All(tickets, t => Assert.NotNull(t.Customer));
        Assert.Equal(2, tickets.Select(t => t.CustomerId).Distinct().Count(id => id != patId));
        Assert.Contains(tickets, t => t.Problem == "Does not\ncharge");
        var john = await check.Customers.SingleAsync(c => c.PrimaryPhone == "+12127365000", ct);
        Assert.Equal((150.50m, 2), (john.TotalSpent, john.VisitCount));
        Assert.Equal(report.RunId, john.ImportRunId);
        var pat = await check.Customers.SingleAsync(c => c.Id == patId, ct);
        Assert.Equal((50m, 2, PatsVisit), (pat.TotalSpent, pat.VisitCount, pat.LastVisitAt));
        Assert.Null(pat.ImportRunId);
        Assert.NotEmpty(await check.CustomerSearchTokens.Where(t => t.CustomerId == john.Id).ToListAsync(ct));
    }

    [Theory, InlineData(DatabaseProvider.Sqlite), InlineData(DatabaseProvider.Postgres)]
    public async Task AnImportIsRefusedWhileACustomerImportRunsAndStartsOnceItHasEnded(DatabaseProvider provider)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var database = await TestDatabase.CreateAsync(provider, _time, ct: ct);
        var now = _time.GetUtcNow().UtcDateTime;
        var customers = await database.Data.AddAsync(new ImportRun
        {
            Kind = ImportRunKind.Customers, FileName = "customers.xlsx", FileHash = "", StartedAt = now, HeartbeatAt = now,
            StartedBy = "manager@test.local", Status = ImportRunStatus.Running,
        });
        var file = WriteFile(Header + Rows);

        var refused = await Importer(database).RunAsync(file, "legacy.csv", dryRun: false, "test", ct: ct);
        // A dry run writes nothing but its report: it may run meanwhile.
        var dry = await Importer(database).RunAsync(file, "legacy.csv", dryRun: true, "test", ct: ct);

        Assert.False(refused.Succeeded);
        Assert.Equal($"Import #{customers.Id} (customers.xlsx, started {now:yyyy-MM-dd HH:mm} UTC by manager@test.local) is still running: "
            + "start this one when it has finished.", refused.FatalError);
        Assert.True(dry.Succeeded, dry.FatalError);
        await using (var db = database.CreateDbContext())
        {
            Assert.Equal(0, await db.Tickets.CountAsync(ct));
            Assert.Equal(1, await db.ImportRuns.CountAsync(ct));
            (await db.ImportRuns.SingleAsync(ct)).Status = ImportRunStatus.Completed;
            await db.SaveChangesAsync(ct);
        }

        var report = await Importer(database).RunAsync(file, "legacy.csv", dryRun: false, "test", ct: ct);
        Assert.True(report.Succeeded, report.FatalError);
        Assert.True(report.Tickets > 0);
        Assert.Equal(dry.Tickets, report.Tickets);
    }

    [Theory, InlineData(DatabaseProvider.Sqlite), InlineData(DatabaseProvider.Postgres)]
    public async Task ReimportingTheSameFileImportsNothingTwice(DatabaseProvider provider)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var database = await TestDatabase.CreateAsync(provider, _time, ct: ct);
        await AddPatAsync(database, ct);
        var file = WriteFile(Header + Rows);
        await Importer(database).RunAsync(file, "legacy.csv", dryRun: false, "test", ct: ct);

        var again = await Importer(database, batchSize: 5000).RunAsync(file, "legacy.csv", dryRun: false, "test", ct: ct);

        Assert.True(again.Succeeded, again.FatalError);
        Assert.Equal((0, 0, 5), (again.Tickets, again.CustomersCreated, again.TicketsAlreadyImported));
        await using var db = database.CreateDbContext();
        Assert.Equal(5, await db.Tickets.CountAsync(ct));
        Assert.Equal(3, await db.Customers.CountAsync(ct));
        Assert.Equal(150.50m, (await db.Customers.SingleAsync(c => c.PrimaryPhone == "+12127365000", ct)).TotalSpent);
    }

    [Theory, InlineData(DatabaseProvider.Sqlite), InlineData(DatabaseProvider.Postgres)]
    public async Task UndoRemovesExactlyWhatTheImportCreatedAndRestoresStats(DatabaseProvider provider)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var database = await TestDatabase.CreateAsync(provider, _time, ct: ct);
        var patId = await AddPatAsync(database, ct);
        var importer = Importer(database);
        var report = await importer.RunAsync(WriteFile(Header + Rows), "legacy.csv", dryRun: false, "test", ct: ct);

        var undo = await importer.UndoAsync(report.RunId!.Value, "admin", ct);

        Assert.True(undo.Done, undo.Message);
        Assert.Equal((4, 2, 1), (undo.TicketsDeleted, undo.CustomersDeleted, undo.CustomersAdjusted));
        await using var db = database.CreateDbContext();
        Assert.Equal(1, await db.Tickets.CountAsync(ct));
        Assert.Equal(0, await db.LegacyCustomerLinks.CountAsync(ct));
        var pat = await db.Customers.SingleAsync(ct);
        Assert.Equal(patId, pat.Id);
        Assert.Equal((10m, 1, PatsVisit), (pat.TotalSpent, pat.VisitCount, pat.LastVisitAt));
        Assert.Equal(ImportRunStatus.Undone, (await db.ImportRuns.SingleAsync(ct)).Status);
        Assert.False((await importer.UndoAsync(report.RunId.Value, "admin", ct)).Done);
    }

    [Theory, InlineData(DatabaseProvider.Sqlite), InlineData(DatabaseProvider.Postgres)]
    public async Task ImportedTicketsTellTheirStoryOnTheTimelineAndUndoTakesItBack(DatabaseProvider provider)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var database = await TestDatabase.CreateAsync(provider, _time, ct: ct);
        var patId = await AddPatAsync(database, ct);
        var importer = Importer(database);
        var report = await importer.RunAsync(WriteFile(Header + Rows
            + "L-7,C-2,Ana Costa,+1 646 555 0142,,,2020-05-06,Probe,Cracked,cancelled,\n"), "legacy.csv", dryRun: false, "test", ct: ct);
        Assert.True(report.Succeeded, report.FatalError);

        await using (var db = database.CreateDbContext())
        {
            // What the customer page shows: the same entries as for tickets opened and closed through the app, dated
            // when the legacy system recorded them.
            var john = await db.Customers.SingleAsync(c => c.PrimaryPhone == "+12127365000", ct);
            var johns = await db.Tickets.Where(t => t.CustomerId == john.Id).OrderBy(t => t.OpenedAt).ToListAsync(ct);
            var timeline = await db.TimelinePageAsync(john.Id, TimelineFilter.Tickets, 1, ct: ct);
            Assert.Equal(
                [
                    (ActivityKind.TicketClosed, $"Ticket {johns[1].Number} closed", Money.Format(30.50m), new DateTime(2019, 6, 11), (int?)johns[1].Id),
                    (ActivityKind.TicketOpened, $"Ticket {johns[1].Number} opened", "Does not\ncharge", new DateTime(2019, 6, 11), (int?)johns[1].Id),
                    (ActivityKind.TicketClosed, $"Ticket {johns[0].Number} closed", Money.Format(120m), new DateTime(2019, 3, 4), (int?)johns[0].Id),
                    (ActivityKind.TicketOpened, $"Ticket {johns[0].Number} opened", "Screen, \"flickers\"", new DateTime(2019, 3, 4), (int?)johns[0].Id),
                ],
                timeline.Items.OrderByDescending(e => e.OccurredAt).ThenByDescending(e => e.Kind)
                    .Select(e => (e.Kind, e.Subject!, e.Body ?? "", e.OccurredAt, e.TicketId)));
            Assert.All(timeline.Items, e => Assert.Equal("test", e.CreatedBy));

            var ana = await db.Customers.SingleAsync(c => c.Email == "ana@example.com", ct);
            var anas = await db.TimelinePageAsync(ana.Id, TimelineFilter.Tickets, 1, ct: ct);
            Assert.Equal(3, anas.Total);
            Assert.Contains(anas.Items, e => e.Subject!.EndsWith(" cancelled") && e.OccurredAt == new DateTime(2020, 5, 6));

            // Pat existed before: his own two entries and two for the ticket imported onto him.
            Assert.Equal(4, (await db.TimelinePageAsync(patId, TimelineFilter.Tickets, 1, ct: ct)).Total);
            // Five tickets opened, four of them closed or cancelled.
            Assert.Equal(9, await db.Activities.CountAsync(a => a.ImportRunId == report.RunId, ct));
            Assert.Equal(0, await db.Activities.CountAsync(a => a.TicketId == null && a.ImportRunId != null, ct));
        }

        var undo = await importer.UndoAsync(report.RunId!.Value, "admin", ct);

        Assert.True(undo.Done, undo.Message);
        await using var after = database.CreateDbContext();
        Assert.Equal(0, await after.Activities.CountAsync(a => a.ImportRunId != null, ct));
        var left = await after.Activities.OrderBy(a => a.Id).Select(a => a.Kind).ToListAsync(ct);
        Assert.Equal([ActivityKind.TicketOpened, ActivityKind.TicketClosed], left);
        Assert.All(await after.Activities.ToListAsync(ct), a => Assert.Equal(patId, a.CustomerId));
    }

    [Theory, InlineData(DatabaseProvider.Sqlite), InlineData(DatabaseProvider.Postgres)]
    public async Task UndoIsRefusedWhenStaffWroteOnTheTimelineOfAnImportedTicket(DatabaseProvider provider)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var database = await TestDatabase.CreateAsync(provider, _time, ct: ct);
        var patId = await AddPatAsync(database, ct);
        var importer = Importer(database);
        var report = await importer.RunAsync(WriteFile(Header + Rows), "legacy.csv", dryRun: false, "test", ct: ct);
        Ticket imported;
        await using (var db = database.CreateDbContext())
            imported = await db.Tickets.SingleAsync(t => t.CustomerId == patId && t.ImportRunId == report.RunId, ct);
        await TicketOperations.ReopenAsync(database.Factory, imported.Id, imported.Version, _time, "staff", ct);

        var undo = await importer.UndoAsync(report.RunId!.Value, "admin", ct);

        Assert.False(undo.Done);
        Assert.Contains("timeline entries", undo.Message);
        await using var after = database.CreateDbContext();
        Assert.Equal(2 * report.Tickets - 1, await after.Activities.CountAsync(a => a.ImportRunId == report.RunId, ct));
    }

    [Theory, InlineData(DatabaseProvider.Sqlite), InlineData(DatabaseProvider.Postgres)]
    public async Task ImportedTicketsAreNumberedByTheSameAllocationAsStaffTickets(DatabaseProvider provider)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var database = await TestDatabase.CreateAsync(provider, _time, ct: ct);
        var patId = await AddPatAsync(database, ct);

        var report = await Importer(database).RunAsync(WriteFile(Header + Rows), "legacy.csv", dryRun: false, "test", ct: ct);
        var next = await TicketOperations.CreateAsync(database.Factory, new() { CustomerId = patId, Item = "Phone", Problem = "Again" }, _time, ct: ct);

        await using var db = database.CreateDbContext();
        var numbers = await db.Tickets.OrderBy(t => t.Sequence).Select(t => new { t.Sequence, t.Number, t.ImportRunId }).ToListAsync(ct);
        Assert.Equal(Enumerable.Range(1, 6), numbers.Select(n => n.Sequence));
        Assert.All(numbers, n => Assert.Equal(Ticket.FormatNumber(n.Sequence), n.Number));
        Assert.Equal([null, report.RunId, report.RunId, report.RunId, report.RunId, null], numbers.Select(n => n.ImportRunId));
        Assert.Equal("T-000006", next.Number);
    }

    /// <summary>
    /// Staff are opening a ticket (they hold the ticket-number lock and have taken the next number, not yet committed)
    /// when an import starts: the import queues on the same lock instead of taking the same number and failing on it.
    /// </summary>
    [Fact]
    public async Task OnPostgresAnImportWaitsForTheTicketNumberLockStaffHold()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Postgres, _time, ct: ct);
        var patId = await AddPatAsync(database, ct);
        var file = WriteFile(Header + Rows);

        Task<ImportReport> import;
        await using (var staff = database.CreateDbContext())
        {
            await using var tx = await staff.Database.BeginTransactionAsync(ct);
            var sequence = await TicketOperations.NextSequenceAsync(staff, ct);
            var now = _time.GetUtcNow().UtcDateTime;
            staff.Tickets.Add(new Ticket
            {
                Sequence = sequence, Number = Ticket.FormatNumber(sequence), CustomerId = patId, Problem = "Walk-in",
                Status = TicketStatus.Open, OpenedAt = now, UpdatedAt = now, Version = 1,
            });
            await staff.SaveChangesAsync(ct);

            import = Importer(database, batchSize: 5000).RunAsync(file, "legacy.csv", dryRun: false, "test", ct: ct);
            await using (var watcher = database.CreateDbContext())
            {
                var waiting = 0;
                for (var i = 0; i < 300 && waiting == 0 && !import.IsCompleted; i++)
                {
                    await Task.Delay(50, ct);
                    waiting = await watcher.Database.SqlQueryRaw<int>(
                        "SELECT count(*)::int AS \"Value\" FROM pg_locks WHERE locktype = 'advisory' AND NOT granted "
                        + "AND database = (SELECT oid FROM pg_database WHERE datname = current_database())").SingleAsync(ct);
                }
                Assert.Equal(1, waiting);
            }
            Assert.False(import.IsCompleted);
            await tx.CommitAsync(ct);
        }

        var report = await import;
        Assert.True(report.Succeeded, report.FatalError);
        await using var db = database.CreateDbContext();
        var numbers = await db.Tickets.OrderBy(t => t.Sequence).Select(t => new { t.Sequence, t.ImportRunId }).ToListAsync(ct);
        Assert.Equal(Enumerable.Range(1, 6), numbers.Select(n => n.Sequence));
        Assert.Equal([null, null, report.RunId, report.RunId, report.RunId, report.RunId], numbers.Select(n => n.ImportRunId));
    }

    [Theory, InlineData(DatabaseProvider.Sqlite), InlineData(DatabaseProvider.Postgres)]
    public async Task UndoIsRefusedWhenACreatedCustomerGotOtherWork(DatabaseProvider provider)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var database = await TestDatabase.CreateAsync(provider, _time, ct: ct);
        var importer = Importer(database);
        var report = await importer.RunAsync(WriteFile(Header + Rows), "legacy.csv", dryRun: false, "test", ct: ct);
        int johnId;
        await using (var db = database.CreateDbContext())
            johnId = (await db.Customers.SingleAsync(c => c.PrimaryPhone == "+12127365000", ct)).Id;
        await TicketOperations.CreateAsync(database.Factory,
            new() { CustomerId = johnId, Item = "Phone", Problem = "Cracked" }, _time, ct: ct);

        var undo = await importer.UndoAsync(report.RunId!.Value, "admin", ct);

        Assert.False(undo.Done);
        Assert.Contains("John Smith", undo.Message);
        await using var after = database.CreateDbContext();
        Assert.Equal(5, await after.Tickets.CountAsync(ct));
    }

    [Theory, InlineData(DatabaseProvider.Sqlite), InlineData(DatabaseProvider.Postgres)]
    public async Task ARowWithAnEmailButNoPhoneCreatesACustomerKnownByEmailAsStaffCan(DatabaseProvider provider)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var database = await TestDatabase.CreateAsync(provider, _time, ct: ct);
        var file = WriteFile(Header
            + "L-1,C-1,Li Wei,,,Li@Example.com,2020-03-01,Tablet,Battery,closed,80\n"
            + "L-2,C-1,Li Wei,,,li@example.com,2020-04-01,Phone,Screen,open,\n"
            + "L-3,C-2,Mei Chen,,,mei@example.com,2020-05-01,Laptop,Keys,open,\n"
            + "L-4,C-3,No Contact,,,,2020-05-01,Laptop,Keys,open,\n");

        var report = await Importer(database).RunAsync(file, "legacy.csv", dryRun: false, "test", ct: ct);

        Assert.True(report.Succeeded, report.FatalError);
        Assert.Equal((3, 2, 1), (report.Tickets, report.CustomersCreated, report.RowsRejected));
        Assert.Contains(report.Issues, i => i is { Line: 5, Kind: ImportIssueKind.Rejected } && i.Message.Contains("phone number or an email"));
        await using var db = database.CreateDbContext();
        var li = await db.Customers.SingleAsync(c => c.Email == "li@example.com", ct);
        Assert.Equal(("", false), (li.PrimaryPhone, li.PrimaryPhoneSmsCapable));
        Assert.Equal(2, await db.Tickets.CountAsync(t => t.CustomerId == li.Id, ct));
        Assert.Equal(1, await db.Customers.CountAsync(c => c.Email == "mei@example.com", ct));
    }

    [Theory, InlineData(DatabaseProvider.Sqlite), InlineData(DatabaseProvider.Postgres)]
    public async Task TicketForADeletedCustomerIsRejectedWithTheReason(DatabaseProvider provider)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var database = await TestDatabase.CreateAsync(provider, _time, ct: ct);
        var importer = Importer(database);
        await importer.RunAsync(WriteFile(Header + Rows), "legacy.csv", dryRun: false, "test", ct: ct);
        await using (var db = database.CreateDbContext())
        {
            var ana = await db.Customers.SingleAsync(c => c.Email == "ana@example.com", ct);
            ana.Status = CustomerStatus.Deleted;
            await db.SaveChangesAsync(ct);
        }

        var report = await importer.RunAsync(WriteFile(Header + "L-9,C-2,Ana Costa,+1 646 555 0142,,,2022-01-01,Phone,Screen,open,\n"),
            "more.csv", dryRun: false, "test", ct: ct);

        Assert.Equal(0, report.Tickets);
        Assert.Contains(report.Issues, i => i is { Line: 2, Kind: ImportIssueKind.Rejected } && i.Message.Contains("deleted"));
    }

    [Theory, InlineData(DatabaseProvider.Sqlite), InlineData(DatabaseProvider.Postgres)]
    public async Task BadFilesWriteNothingAndSayWhy(DatabaseProvider provider)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var database = await TestDatabase.CreateAsync(provider, _time, ct: ct);
        var importer = Importer(database);

        var missing = await importer.RunAsync(WriteFile("customer_id,customer_name,phone\nC-1,Ann,2127365000\n"), "x.csv", false, "test", ct: ct);
        Assert.Contains("LegacyImport:Columns:CreatedAt", missing.FatalError);
        var empty = await importer.RunAsync(WriteFile(""), "x.csv", false, "test", ct: ct);
        Assert.Contains("empty", empty.FatalError);

        var latin1 = await importer.RunAsync(WriteFile(Header + "L-1,C-1,Zoë Müller,+44 20 7946 0958,,,2021-04-04,Espresso machine,Leaks,closed,230\n"
            + "L-2,C-2,Long,+1 646 555 0199,,,2021-04-04,X," + new string('y', 20_000) + ",open,\n", Encoding.Latin1), "x.csv", false, "test", ct: ct);
        Assert.NotNull(latin1.EncodingWarning);
        Assert.Contains(latin1.Issues, i => i is { Line: 3, Kind: ImportIssueKind.Rejected } && i.Message.Contains("longer than"));

        await using var db = database.CreateDbContext();
        Assert.Equal("Zoë", (await db.Customers.SingleAsync(ct)).FirstName);
        Assert.Equal(1, await db.ImportRuns.CountAsync(ct));
    }

    [Theory, InlineData(DatabaseProvider.Sqlite), InlineData(DatabaseProvider.Postgres)]
    public async Task TenMegabyteLinesAreReportedWithTheirLineAndTheRowsAroundThemAreImported(DatabaseProvider provider)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var database = await TestDatabase.CreateAsync(provider, _time, ct: ct);
        // The app's own limit (100,000 characters), not the small one the other tests use.
        var importer = new LegacyImporter(database.Factory, new PhoneNormalizer("US"), Options.Create(new LegacyImportOptions { BatchSize = 2 }),
            Options.Create(new CustomersOptions()), _time);
        var tenMegabytes = new string('y', 10 * 1024 * 1024);

        var report = await importer.RunAsync(WriteFile(Header
            + "L-1,C-1,Ann Lee,+1 212 736 5000,,,2021-04-04,Espresso machine,Leaks,open,\n"
            + "L-2,C-2,Long,+1 646 555 0199,,,2021-04-04,X," + tenMegabytes + ",open,\n"
            + "L-3,C-3,Quoted,+1 646 555 0198,,,2021-04-04,X,\"" + tenMegabytes + "\",open,\n"
            + "L-4,C-1,Ann Lee,+1 212 736 5000,,,2021-04-05,Grinder,Noisy,open,\n"), "big.csv", false, "test", ct: ct);

        Assert.True(report.Succeeded, report.FatalError);
        Assert.Equal(2, report.Tickets);
        Assert.Contains(report.Issues, i => i is { Line: 3, Kind: ImportIssueKind.Rejected } && i.Message.Contains("longer than"));
        Assert.Contains(report.Issues, i => i is { Line: 4, Kind: ImportIssueKind.Rejected } && i.Message.Contains("longer than"));
        await using var db = database.CreateDbContext();
        Assert.Equal(["Espresso machine", "Grinder"], await db.Tickets.OrderBy(t => t.Item).Select(t => t.Item!).ToListAsync(ct));
        Assert.Equal(1, await db.Customers.CountAsync(ct));
    }

    [Fact]
    public async Task ADatabaseLockedWhenABatchStartsFailsTheRunWithAClearMessage()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite, _time, ct: ct);
        await AddPatAsync(database, ct);
        var locked = new LockedAtBegin();
        // Armed once the first batch (John's two tickets) is written: the second batch cannot start its transaction.
        var report = await Importer(database.FactoryWith(locked)).RunAsync(WriteFile(Header + Rows), "legacy.csv", dryRun: false, "test",
            new Hook<ImportProgress>(_ => locked.Armed = true), ct: ct);

        Assert.True(locked.Fired);
        Assert.False(report.Succeeded);
        Assert.Contains("the database is busy", report.FatalError);
        Assert.Contains("database is locked", report.FatalError);
        Assert.Contains("2 tickets from earlier batches are kept", report.FatalError);
        await using var db = database.CreateDbContext();
        var run = await db.ImportRuns.SingleAsync(ct);
        Assert.Equal((ImportRunStatus.Failed, report.FatalError), (run.Status, run.Error));
        Assert.NotNull(run.FinishedAt);
        Assert.Equal(2, await db.Tickets.CountAsync(t => t.ImportRunId == run.Id, ct));
    }

    [Theory, InlineData(DatabaseProvider.Sqlite), InlineData(DatabaseProvider.Postgres)]
    public async Task CancellingMidBatchKeepsOnlyWholeBatchesUnderACancelledRunThatCanBeUndone(DatabaseProvider provider)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var database = await TestDatabase.CreateAsync(provider, _time, ct: ct);
        var patId = await AddPatAsync(database, ct);
        var patsVisit = PatsVisit;
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var atCommit = new CancelAtCommit(cts);
        // Armed once the first batch (John's two tickets) is written: the second batch (Ana and Li, two new
        // customers) is cancelled with all its rows inserted and its transaction about to commit.
        var report = await Importer(database.FactoryWith(atCommit)).RunAsync(WriteFile(Header + Rows), "legacy.csv", dryRun: false, "test",
            new Hook<ImportProgress>(_ => atCommit.Armed = true), ct: cts.Token);

        Assert.True(atCommit.Fired);
        Assert.False(report.Succeeded);
        Assert.Contains("cancelled", report.FatalError);
        Assert.Contains("undo", report.FatalError);
        Assert.Equal((2, 1), (report.Tickets, report.CustomersCreated));
        await using (var db = database.CreateDbContext())
        {
            var run = await db.ImportRuns.SingleAsync(ct);
            Assert.Equal(ImportRunStatus.Cancelled, run.Status);
            Assert.Equal((2, 1, report.RowsRead), (run.TicketsImported, run.CustomersCreated, run.RowsRead));
            Assert.Equal(2, await db.Tickets.CountAsync(t => t.ImportRunId == run.Id, ct));
            Assert.Equal(["John"], await db.Customers.Where(c => c.ImportRunId == run.Id).Select(c => c.FirstName).ToListAsync(ct));
            Assert.False(await db.Customers.AnyAsync(c => c.Email == "ana@example.com" || c.Email == "li@example.com", ct));
            Assert.Equal(["C-1"], await db.LegacyCustomerLinks.Select(l => l.LegacyId).ToListAsync(ct));
            Assert.Equal(0, await db.Tickets.CountAsync(t => !db.Customers.Any(c => c.Id == t.CustomerId), ct));
            var john = await db.Customers.SingleAsync(c => c.PrimaryPhone == "+12127365000", ct);
            Assert.Equal((150.50m, 2), (john.TotalSpent, john.VisitCount));
        }

        var undo = await Importer(database).UndoAsync(report.RunId!.Value, "admin", ct);

        Assert.True(undo.Done, undo.Message);
        Assert.Equal((2, 1), (undo.TicketsDeleted, undo.CustomersDeleted));
        await using var after = database.CreateDbContext();
        var pat = await after.Customers.SingleAsync(ct);
        Assert.Equal((patId, 10m, 1, patsVisit), (pat.Id, pat.TotalSpent, pat.VisitCount, pat.LastVisitAt));
        Assert.Equal(1, await after.Tickets.CountAsync(ct));
    }

    [Theory, InlineData(DatabaseProvider.Sqlite), InlineData(DatabaseProvider.Postgres)]
    public async Task RunLeftRunningByADeadProcessIsShownInterruptedAndUndoesExactlyWhatItCreated(DatabaseProvider provider)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var database = await TestDatabase.CreateAsync(provider, _time, ct: ct);
        var patId = await AddPatAsync(database, ct);
        var patsVisit = PatsVisit;
        var batches = 0;

        // The process dies right after its second batch committed: nothing gets to record how the run ended.
        await Assert.ThrowsAsync<ProcessDied>(() => Importer(database).RunAsync(WriteFile(Header + Rows), "legacy.csv", dryRun: false, "test",
            new Hook<ImportProgress>(_ => { if (++batches == 2) throw new ProcessDied(); }), ct: ct));

        var restarted = Importer(database);
        int runId;
        await using (var db = database.CreateDbContext())
        {
            var run = await db.ImportRuns.SingleAsync(ct);
            runId = run.Id;
            Assert.Equal((ImportRunStatus.Running, 3), (run.Status, run.TicketsImported));
        }
        var tooEarly = await restarted.UndoAsync(runId, "admin", ct);
        Assert.False(tooEarly.Done);
        Assert.Contains("still running", tooEarly.Message);

        _time.Advance(TimeSpan.FromMinutes(3));
        Assert.Equal(1, await restarted.MarkInterruptedAsync(ct: ct));
        await using (var db = database.CreateDbContext())
        {
            var run = await db.ImportRuns.SingleAsync(ct);
            Assert.Equal(ImportRunStatus.Interrupted, run.Status);
            Assert.Contains("stopped without finishing", run.Error);
            Assert.Equal(run.StartedAt, run.FinishedAt);
        }

        var undo = await restarted.UndoAsync(runId, "admin", ct);

        Assert.True(undo.Done, undo.Message);
        Assert.Equal((3, 2, 0), (undo.TicketsDeleted, undo.CustomersDeleted, undo.CustomersAdjusted));
        await using var after = database.CreateDbContext();
        var pat = await after.Customers.SingleAsync(ct);
        Assert.Equal((patId, 10m, 1, patsVisit), (pat.Id, pat.TotalSpent, pat.VisitCount, pat.LastVisitAt));
        Assert.Equal(1, await after.Tickets.CountAsync(ct));
        Assert.Equal(0, await after.LegacyCustomerLinks.CountAsync(ct));
        Assert.Equal(ImportRunStatus.Undone, (await after.ImportRuns.SingleAsync(ct)).Status);
    }

    [Theory, InlineData(DatabaseProvider.Sqlite), InlineData(DatabaseProvider.Postgres)]
    public async Task LongRunKeepsItsHeartbeatSoItIsNeverTakenForInterrupted(DatabaseProvider provider)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var database = await TestDatabase.CreateAsync(provider, _time, ct: ct);
        var rows = new StringBuilder(Header);
        for (var i = 1; i <= 1500; i++) rows.Append($"L-{i},C-1,John Smith,(212) 736-5000,,,2019-03-04,Laptop,Screen {i},open,\n");
        var importer = Importer(database, batchSize: 100);
        var marked = new List<int>();

        // Ten seconds pass per batch, so the run lasts longer than InterruptedAfter (2 minutes); another process
        // looking for dead runs all along must never find this one.
        var report = await importer.RunAsync(WriteFile(rows.ToString()), "long.csv", dryRun: false, "test", new Hook<ImportProgress>(_ =>
        {
            _time.Advance(TimeSpan.FromSeconds(10));
            marked.Add(Task.Run(() => Importer(database).MarkInterruptedAsync(ct: ct), ct).GetAwaiter().GetResult());
        }), ct: ct);

        Assert.True(report.Succeeded, report.FatalError);
        Assert.True(marked.Count > 12);
        Assert.All(marked, m => Assert.Equal(0, m));
        await using var db = database.CreateDbContext();
        var run = await db.ImportRuns.SingleAsync(ct);
        Assert.Equal((ImportRunStatus.Completed, 1500), (run.Status, run.TicketsImported));
    }

    private sealed class ProcessDied() : Exception("Simulated crash");

    /// <summary>Calls back on the importer's own thread, unlike <see cref="Progress{T}"/>, so a test can act between two batches.</summary>
    private sealed class Hook<T>(Action<T> action) : IProgress<T>
    {
        public void Report(T value) => action(value);
    }

    /// <summary>Once armed, every transaction fails to start as SQLite's does while another process holds the write lock.</summary>
    private sealed class LockedAtBegin : DbTransactionInterceptor
    {
        public volatile bool Armed;
        public bool Fired { get; private set; }

        public override ValueTask<InterceptionResult<DbTransaction>> TransactionStartingAsync(DbConnection connection, TransactionStartingEventData eventData,
            InterceptionResult<DbTransaction> result, CancellationToken cancellationToken = default)
        {
            if (!Armed) return ValueTask.FromResult(result);
            Fired = true;
            throw new Microsoft.Data.Sqlite.SqliteException("SQLite Error 5: 'database is locked'.", 5);
        }
    }

    /// <summary>Once armed, cancels the import at the next commit: the batch's rows are all written but not committed.</summary>
    private sealed class CancelAtCommit(CancellationTokenSource cts) : DbTransactionInterceptor
    {
        public volatile bool Armed;
        public bool Fired { get; private set; }

        public override ValueTask<InterceptionResult> TransactionCommittingAsync(DbTransaction transaction, TransactionEventData eventData,
            InterceptionResult result, CancellationToken cancellationToken = default)
        {
            if (!Armed) return ValueTask.FromResult(result);
            Fired = true;
            cts.Cancel();
            throw new OperationCanceledException(cts.Token);
        }
    }
}
