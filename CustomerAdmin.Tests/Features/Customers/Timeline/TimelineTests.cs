using System.Data.Common;
using CustomerAdmin.Common;
using CustomerAdmin.Features.Customers;
using CustomerAdmin.Features.Customers.Search;
using CustomerAdmin.Features.Customers.Timeline;
using CustomerAdmin.Features.Sales;
using CustomerAdmin.Features.Tickets;
using CustomerAdmin.Data;
using CustomerAdmin.Features;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.Time.Testing;

namespace CustomerAdmin.Tests.Features.Customers.Timeline;

public class TimelineTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 3, 1, 9, 0, 0, TimeSpan.Zero));
    private static readonly TimelineUser Ann = new("ann", false);
    private static readonly TimelineUser Bob = new("bob", false);
    private static readonly TimelineUser Manager = new("mary", true);

    [Theory, InlineData(DatabaseProvider.Sqlite), InlineData(DatabaseProvider.Postgres)]
    public async Task TicketAndSaleWriteTheirTimelineEntriesInTheSameTransaction(DatabaseProvider provider)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var database = await TestDatabase.CreateAsync(provider, ct: ct);
        var customerId = (await database.Data.CustomerAsync()).Id;

        var ticket = await TicketOperations.CreateAsync(database.Factory,
            new TicketDraft { CustomerId = customerId, Item = "Laptop", Problem = "Does not boot" }, _time, "ann", ct);
        _time.Advance(TimeSpan.FromHours(1));
        ticket = await TicketOperations.ChangeStatusAsync(database.Factory, ticket.Id, ticket.Version, TicketStatus.Closed, 80m, _time, "bob", ct);
        _time.Advance(TimeSpan.FromHours(1));
        var sale = await SaleOperations.CreateAsync(database.Factory, customerId,
            [new SaleLineDraft { Description = "Cable", Quantity = 2, UnitPrice = 5m }], _time, "ann", ct);

        // A refused close (bad amount) must not leave a timeline entry behind.
        await Assert.ThrowsAsync<RuleViolationException>(() =>
            TicketOperations.ChangeStatusAsync(database.Factory, ticket.Id, ticket.Version, TicketStatus.Closed, -5m, _time, "bob", ct));

        await using var db = database.CreateDbContext();
        var page = await db.TimelinePageAsync(customerId, TimelineFilter.All, 1, ct: ct);
        Assert.Equal([ActivityKind.Sale, ActivityKind.TicketClosed, ActivityKind.TicketOpened], page.Items.Select(i => i.Kind));
        Assert.Equal(sale.Id, page.Items[0].SaleId);
        Assert.Equal("ann", page.Items[0].CreatedBy);
        Assert.Contains("2 × Cable", page.Items[0].Body);
        Assert.Equal(ticket.Id, page.Items[1].TicketId);
        Assert.Equal("bob", page.Items[1].CreatedBy);
        Assert.Contains(ticket.Number, page.Items[2].Subject);
        Assert.All(page.Items, i => Assert.True(i.IsSystem));
    }

    [Theory, InlineData(DatabaseProvider.Sqlite), InlineData(DatabaseProvider.Postgres)]
    public async Task ContactChangeWritesOneEntryAndOtherEditsWriteNone(DatabaseProvider provider)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var database = await TestDatabase.CreateAsync(provider, _time, ct: ct);
        var customerId = (await database.Data.CustomerAsync()).Id;

        await using (var db = database.CreateDbContext())
        {
            db.Actor = "ann";
            var customer = await db.Customers.SingleAsync(c => c.Id == customerId, ct);
            customer.Notes = "Likes mornings";
            await db.SaveChangesAsync(ct);
            customer.Email = "ann@example.com";
            customer.AddressLine1 = "1 Main St";
            customer.AddressLine2 = "Flat 2";
            await db.SaveChangesAsync(ct);
        }

        await using var read = database.CreateDbContext();
        var entry = Assert.Single((await read.TimelinePageAsync(customerId, TimelineFilter.All, 1, ct: ct)).Items);
        Assert.Equal(ActivityKind.ContactChanged, entry.Kind);
        Assert.Equal("email, address", entry.Body);
        Assert.Equal("ann", entry.CreatedBy);
    }

    [Theory, InlineData(DatabaseProvider.Sqlite), InlineData(DatabaseProvider.Postgres)]
    public async Task TimelineIsNewestFirstPagedAndFilteredInTheDatabase(DatabaseProvider provider)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var database = await TestDatabase.CreateAsync(provider, ct: ct);
        var customerId = (await database.Data.CustomerAsync()).Id;
        var start = _time.GetUtcNow().UtcDateTime;
        await using (var db = database.CreateDbContext())
        {
            for (var i = 0; i < 45; i++)
            {
                db.Activities.Add(new Activity
                {
                    CustomerId = customerId, Kind = i % 3 == 0 ? ActivityKind.Call : ActivityKind.Note, NoteType = i % 3 == 0 ? null : NoteType.General,
                    Body = $"entry {i}", OccurredAt = start.AddMinutes(i), CreatedAt = start, CreatedBy = "ann",
                });
            }
            await db.SaveChangesAsync(ct);
        }

        await using var read = database.CreateDbContext();
        var first = await read.TimelinePageAsync(customerId, TimelineFilter.All, 1, 20, ct);
        Assert.Equal(45, first.Total);
        Assert.Equal(3, first.PageCount);
        Assert.Equal("entry 44", first.Items[0].Body);
        var last = await read.TimelinePageAsync(customerId, TimelineFilter.All, 3, 20, ct);
        Assert.Equal(["entry 4", "entry 3", "entry 2", "entry 1", "entry 0"], last.Items.Select(i => i.Body));
        var beyond = await read.TimelinePageAsync(customerId, TimelineFilter.All, 99, 20, ct);
        Assert.Equal(3, beyond.Page);

        var calls = await read.TimelinePageAsync(customerId, TimelineFilter.Calls, 1, 20, ct);
        Assert.Equal(15, calls.Total);
        Assert.All(calls.Items, i => Assert.Equal(ActivityKind.Call, i.Kind));
        Assert.Equal("entry 42", calls.Items[0].Body);
    }

    [Theory, InlineData(DatabaseProvider.Sqlite), InlineData(DatabaseProvider.Postgres)]
    public async Task StaffChangeOnlyTheirOwnEntriesManagersAnyAndNobodyTheSystems(DatabaseProvider provider)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var database = await TestDatabase.CreateAsync(provider, ct: ct);
        var customerId = (await database.Data.CustomerAsync()).Id;
        var draft = new ActivityDraft { Kind = ActivityKind.Note, NoteType = NoteType.Complaint, IsInternal = true, Body = "Waited an hour", OccurredAt = _time.GetUtcNow().UtcDateTime };
        var annsNote = await ActivityOperations.AddAsync(database.Factory, customerId, draft, Ann, _time, ct);

        var edit = new ActivityDraft { Kind = ActivityKind.Call, Body = "Called back", OccurredAt = _time.GetUtcNow().UtcDateTime };
        var refused = await Assert.ThrowsAsync<RuleViolationException>(() => ActivityOperations.UpdateAsync(database.Factory, annsNote.Id, edit, Bob, _time, ct));
        Assert.Contains("you wrote", refused.Message);
        await Assert.ThrowsAsync<RuleViolationException>(() => ActivityOperations.DeleteAsync(database.Factory, annsNote.Id, Bob, ct));

        await ActivityOperations.UpdateAsync(database.Factory, annsNote.Id, edit, Ann, _time, ct);
        await using (var db = database.CreateDbContext())
        {
            var stored = await db.Activities.SingleAsync(a => a.Id == annsNote.Id, ct);
            Assert.Equal(ActivityKind.Call, stored.Kind);
            Assert.Null(stored.NoteType);
            Assert.Equal("ann", stored.UpdatedBy);
        }
        await ActivityOperations.DeleteAsync(database.Factory, annsNote.Id, Manager, ct);

        var ticket = await TicketOperations.CreateAsync(database.Factory,
            new TicketDraft { CustomerId = customerId, Item = "Phone", Problem = "Cracked" }, _time, "mary", ct);
        await using var read = database.CreateDbContext();
        var system = await read.Activities.SingleAsync(a => a.TicketId == ticket.Id, ct);
        await Assert.ThrowsAsync<RuleViolationException>(() => ActivityOperations.DeleteAsync(database.Factory, system.Id, Manager, ct));
        Assert.False(Manager.MayChange("mary", ActivityKind.TicketOpened));
    }

    [Fact]
    public void DraftValidationSaysWhatIsWrong()
    {
        var now = _time.GetUtcNow().UtcDateTime;
        var errors = ActivityOperations.Validate(new ActivityDraft { Kind = ActivityKind.Sale, Body = " ", OccurredAt = now.AddDays(1) }, now);
        Assert.Equal(
            new[] { nameof(ActivityDraft.Body), nameof(ActivityDraft.Kind), nameof(ActivityDraft.OccurredAt) },
            errors.Keys.Order());
        Assert.Equal("That is in the future.", errors[nameof(ActivityDraft.OccurredAt)]);
        Assert.Empty(ActivityOperations.Validate(new ActivityDraft { Kind = ActivityKind.Meeting, Body = "Demo", OccurredAt = now }, now));
    }

    [Theory, InlineData(DatabaseProvider.Sqlite), InlineData(DatabaseProvider.Postgres)]
    public async Task CustomerPageLoadsInAFixedNumberOfQueriesWhateverTheHistoryLength(DatabaseProvider provider)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var database = await TestDatabase.CreateAsync(provider, ct: ct);
        var small = (await database.Data.CustomerAsync()).Id;
        var large = (await database.Data.CustomerAsync(phoneE164: "+12127365001")).Id;
        await AddHistoryAsync(database, small, 3, 0, ct);
        await AddHistoryAsync(database, large, 300, 1000, ct);

        var smallCount = await CountQueriesAsync(database, small, ct);
        var largeCount = await CountQueriesAsync(database, large, ct);

        Assert.Equal(smallCount, largeCount);
        Assert.InRange(largeCount, 1, 15);
    }

    private static async Task<int> CountQueriesAsync(TestDatabase database, int customerId, CancellationToken ct)
    {
        var counter = new CommandCounter();
        await using var db = CreateContext(database, counter);
        var page = await db.LoadCustomerPageAsync(customerId, ct);
        Assert.NotNull(page);
        Assert.NotEmpty(page.Timeline.Items);
        Assert.NotEmpty(page.Documents);
        return counter.Count;
    }

    private static AppDbContext CreateContext(TestDatabase database, IInterceptor interceptor) => database.Provider switch
    {
        DatabaseProvider.Sqlite => new SqliteAppDbContext(new DbContextOptionsBuilder<SqliteAppDbContext>()
            .UseSqlite(database.ConnectionString).AddInterceptors(interceptor).UseCustomerAdmin(null).Options),
        _ => new PostgresAppDbContext(new DbContextOptionsBuilder<PostgresAppDbContext>()
            .UseNpgsql(database.ConnectionString).AddInterceptors(interceptor).UseCustomerAdmin(null).Options),
    };

    private async Task AddHistoryAsync(TestDatabase database, int customerId, int n, int sequenceBase, CancellationToken ct)
    {
        var at = _time.GetUtcNow().UtcDateTime;
        await using var db = database.CreateDbContext();
        for (var i = 0; i < n; i++)
        {
            var equipment = new Equipment { CustomerId = customerId, Type = "Laptop", CreatedAt = at };
            var ticket = new Ticket
            {
                CustomerId = customerId, Equipment = equipment, Sequence = sequenceBase + i + 1, Number = Ticket.FormatNumber(sequenceBase + i + 1),
                Problem = "Broken", Status = i % 2 == 0 ? TicketStatus.Closed : TicketStatus.Open, FinalAmount = i % 2 == 0 ? 10m : null,
                OpenedAt = at.AddMinutes(i), ClosedAt = i % 2 == 0 ? at.AddMinutes(i + 1) : null, UpdatedAt = at, Version = 1,
            };
            var sale = new Sale { CustomerId = customerId, SoldAt = at.AddMinutes(i), Total = 5m, Lines = [new SaleLine { Description = "Item", UnitPrice = 5m, LineTotal = 5m }] };
            db.AddRange(equipment, ticket, sale);
            db.Activities.Add(new Activity { CustomerId = customerId, Kind = ActivityKind.TicketOpened, Ticket = ticket, OccurredAt = at.AddMinutes(i), CreatedAt = at });
            db.Activities.Add(new Activity { CustomerId = customerId, Kind = ActivityKind.Note, NoteType = NoteType.General, Body = "n", OccurredAt = at.AddMinutes(i), CreatedAt = at });
            db.Documents.Add(new CustomerDocument
            {
                CustomerId = customerId, Type = DocumentType.Other, FileName = $"f{i}.pdf", StoredName = Guid.NewGuid().ToString("N"),
                ContentType = "application/pdf", Size = 10, Sha256 = new string('0', 64), UploadedAt = at,
            });
        }
        await db.SaveChangesAsync(ct);
    }

    private sealed class CommandCounter : DbCommandInterceptor
    {
        private int _count;
        public int Count => _count;

        public override ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(DbCommand command, CommandEventData eventData,
            InterceptionResult<DbDataReader> result, CancellationToken ct = default)
        {
            Interlocked.Increment(ref _count);
            return base.ReaderExecutingAsync(command, eventData, result, ct);
        }

        public override ValueTask<InterceptionResult<object>> ScalarExecutingAsync(DbCommand command, CommandEventData eventData,
            InterceptionResult<object> result, CancellationToken ct = default)
        {
            Interlocked.Increment(ref _count);
            return base.ScalarExecutingAsync(command, eventData, result, ct);
        }

        public override ValueTask<InterceptionResult<int>> NonQueryExecutingAsync(DbCommand command, CommandEventData eventData,
            InterceptionResult<int> result, CancellationToken ct = default)
        {
            Interlocked.Increment(ref _count);
            return base.NonQueryExecutingAsync(command, eventData, result, ct);
        }
    }
}
