using CustomerAdmin.Common;
using CustomerAdmin.Features.Customers;
using CustomerAdmin.Features.Customers.Search;
using CustomerAdmin.Features.Sales;
using CustomerAdmin.Features.Tickets;
using CustomerAdmin.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Time.Testing;

namespace CustomerAdmin.Tests.Features.Tickets;

public class TicketTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 3, 1, 9, 0, 0, TimeSpan.Zero));

    [Theory, InlineData(DatabaseProvider.Sqlite), InlineData(DatabaseProvider.Postgres)]
    public async Task StatsStayCorrectAfterCloseReopenAndReclose(DatabaseProvider provider)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var database = await TestDatabase.CreateAsync(provider, ct: ct);
        var customerId = (await database.Data.CustomerAsync()).Id;
        var earlier = await OpenAsync(database, customerId, ct);
        var ticket = await OpenAsync(database, customerId, ct);

        var firstClose = _time.GetUtcNow().UtcDateTime;
        earlier = await TicketOperations.ChangeStatusAsync(database.Factory, earlier.Id, earlier.Version, TicketStatus.Closed, 40m, _time, ct: ct);
        _time.Advance(TimeSpan.FromDays(1));
        ticket = await TicketOperations.ChangeStatusAsync(database.Factory, ticket.Id, ticket.Version, TicketStatus.InProgress, null, _time, ct: ct);
        ticket = await TicketOperations.ChangeStatusAsync(database.Factory, ticket.Id, ticket.Version, TicketStatus.Closed, 123.45m, _time, ct: ct);
        await AssertStatsAsync(database, customerId, 163.45m, 2, _time.GetUtcNow().UtcDateTime, open: 0, closed: 2, ct);

        // Reopening takes the amount and the visit back out, and the last visit falls back to the earlier close.
        ticket = await TicketOperations.ReopenAsync(database.Factory, ticket.Id, ticket.Version, _time, ct: ct);
        Assert.Equal(TicketStatus.Open, ticket.Status);
        Assert.Null(ticket.FinalAmount);
        await AssertStatsAsync(database, customerId, 40m, 1, firstClose, open: 1, closed: 1, ct);

        _time.Advance(TimeSpan.FromDays(1));
        await TicketOperations.ChangeStatusAsync(database.Factory, ticket.Id, ticket.Version, TicketStatus.Closed, 100m, _time, ct: ct);
        await AssertStatsAsync(database, customerId, 140m, 2, _time.GetUtcNow().UtcDateTime, open: 0, closed: 2, ct);

        await using var db = database.CreateDbContext();
        var stats = await db.ForCustomerAsync(customerId, ct);
        Assert.Equal(140m, stats!.LifetimeValue);
        Assert.Equal(70m, stats.AverageTicketValue);
    }

    [Theory, InlineData(DatabaseProvider.Sqlite), InlineData(DatabaseProvider.Postgres)]
    public async Task IllegalTransitionOrBadAmountChangesNothing(DatabaseProvider provider)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var database = await TestDatabase.CreateAsync(provider, ct: ct);
        var customerId = (await database.Data.CustomerAsync()).Id;
        var ticket = await OpenAsync(database, customerId, ct);

        var negative = await Assert.ThrowsAsync<RuleViolationException>(() =>
            TicketOperations.ChangeStatusAsync(database.Factory, ticket.Id, ticket.Version, TicketStatus.Closed, -1m, _time, ct: ct));
        Assert.Contains("negative", negative.Message);
        await Assert.ThrowsAsync<RuleViolationException>(() =>
            TicketOperations.ChangeStatusAsync(database.Factory, ticket.Id, ticket.Version, TicketStatus.Closed, 99_999_999m, _time, ct: ct));
        await Assert.ThrowsAsync<RuleViolationException>(() =>
            TicketOperations.ChangeStatusAsync(database.Factory, ticket.Id, ticket.Version, TicketStatus.Closed, null, _time, ct: ct));
        await AssertStatsAsync(database, customerId, 0m, 0, null, open: 1, closed: 0, ct);

        ticket = await TicketOperations.ChangeStatusAsync(database.Factory, ticket.Id, ticket.Version, TicketStatus.Cancelled, null, _time, ct: ct);
        var illegal = await Assert.ThrowsAsync<RuleViolationException>(() =>
            TicketOperations.ChangeStatusAsync(database.Factory, ticket.Id, ticket.Version, TicketStatus.Open, null, _time, ct: ct));
        Assert.Contains("reopen", illegal.Message);
        await Assert.ThrowsAsync<RuleViolationException>(() =>
            TicketOperations.ChangeStatusAsync(database.Factory, ticket.Id, ticket.Version, TicketStatus.Closed, 10m, _time, ct: ct));

        await using var db = database.CreateDbContext();
        var stored = await db.Tickets.SingleAsync(t => t.Id == ticket.Id, ct);
        Assert.Equal(TicketStatus.Cancelled, stored.Status);
        Assert.Null(stored.FinalAmount);
        await AssertStatsAsync(database, customerId, 0m, 0, null, open: 0, closed: 0, ct);
    }

    [Theory, InlineData(DatabaseProvider.Sqlite), InlineData(DatabaseProvider.Postgres)]
    public async Task ChangeBasedOnAStaleVersionIsRefused(DatabaseProvider provider)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var database = await TestDatabase.CreateAsync(provider, ct: ct);
        var customerId = (await database.Data.CustomerAsync()).Id;
        var ticket = await OpenAsync(database, customerId, ct);
        await TicketOperations.ChangeStatusAsync(database.Factory, ticket.Id, ticket.Version, TicketStatus.Closed, 10m, _time, ct: ct);

        // A second person still looking at the open ticket must not close it (and count it) again.
        await Assert.ThrowsAsync<StaleTicketException>(() =>
            TicketOperations.ChangeStatusAsync(database.Factory, ticket.Id, ticket.Version, TicketStatus.Closed, 10m, _time, ct: ct));
        await AssertStatsAsync(database, customerId, 10m, 1, _time.GetUtcNow().UtcDateTime, open: 0, closed: 1, ct);
    }

    [Theory, InlineData(DatabaseProvider.Sqlite), InlineData(DatabaseProvider.Postgres)]
    public async Task TicketNumbersAreHumanSequentialAndUnique(DatabaseProvider provider)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var database = await TestDatabase.CreateAsync(provider, ct: ct);
        var customerId = (await database.Data.CustomerAsync()).Id;
        var first = await OpenAsync(database, customerId, ct);
        var second = await OpenAsync(database, customerId, ct);
        Assert.Equal("T-000001", first.Number);
        Assert.Equal("T-000002", second.Number);

        // Concurrent creates read the same maximum; the unique index turns the clash into a retry, not a duplicate.
        var concurrent = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => Task.Run(() => OpenAsync(database, customerId, ct), ct)));
        Assert.Equal(10, concurrent.Select(t => t.Number).Distinct().Count());

        await using var db = database.CreateDbContext();
        db.Tickets.Add(new Ticket { Sequence = 99, Number = first.Number, CustomerId = customerId, Problem = "x", OpenedAt = DateTime.UtcNow, UpdatedAt = DateTime.UtcNow });
        await Assert.ThrowsAnyAsync<DbUpdateException>(() => db.SaveChangesAsync(ct));
    }

    [Theory, InlineData(DatabaseProvider.Sqlite), InlineData(DatabaseProvider.Postgres)]
    public async Task CustomerWithOpenTicketsCannotBeDeleted(DatabaseProvider provider)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var database = await TestDatabase.CreateAsync(provider, ct: ct);
        var customerId = (await database.Data.CustomerAsync()).Id;
        var open = await OpenAsync(database, customerId, ct);
        var closed = await OpenAsync(database, customerId, ct);
        await TicketOperations.ChangeStatusAsync(database.Factory, closed.Id, closed.Version, TicketStatus.Closed, 5m, _time, ct: ct);

        await using (var db = database.CreateDbContext())
        {
            var numbers = await db.OpenTicketNumbersAsync(customerId, ct);
            Assert.Equal([open.Number], numbers);
            var refusal = CustomerDeletion.Refusal("Ann Lee", numbers);
            Assert.Contains(open.Number, refusal);
            Assert.DoesNotContain(closed.Number, refusal);
        }

        await TicketOperations.ChangeStatusAsync(database.Factory, open.Id, open.Version, TicketStatus.Cancelled, null, _time, ct: ct);
        await using (var db = database.CreateDbContext())
            Assert.Null(CustomerDeletion.Refusal("Ann Lee", await db.OpenTicketNumbersAsync(customerId, ct)));

        // And the database itself refuses to remove a customer who has tickets.
        await using (var db = database.CreateDbContext())
        {
            db.Customers.Remove(await db.Customers.SingleAsync(c => c.Id == customerId, ct));
            await Assert.ThrowsAnyAsync<DbUpdateException>(() => db.SaveChangesAsync(ct));
        }
    }

    [Theory, InlineData(DatabaseProvider.Sqlite), InlineData(DatabaseProvider.Postgres)]
    public async Task NoTicketOrSaleForADeletedCustomer(DatabaseProvider provider)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var database = await TestDatabase.CreateAsync(provider, ct: ct);
        var customerId = (await database.Data.CustomerAsync()).Id;
        await using (var db = database.CreateDbContext())
        {
            (await db.Customers.SingleAsync(c => c.Id == customerId, ct)).Status = CustomerStatus.Deleted;
            await db.SaveChangesAsync(ct);
        }

        var ticket = await Assert.ThrowsAsync<RuleViolationException>(() => OpenAsync(database, customerId, ct));
        Assert.Contains("deleted", ticket.Message);
        await Assert.ThrowsAsync<RuleViolationException>(() => OpenAsync(database, 12345, ct));
        await Assert.ThrowsAsync<RuleViolationException>(() => SaleOperations.CreateAsync(database.Factory, customerId,
            [new SaleLineDraft { Description = "Cable", UnitPrice = 5m }], _time, ct: ct));

        await using var check = database.CreateDbContext();
        Assert.Equal(0, await check.Tickets.CountAsync(ct));
        Assert.Equal(0, await check.Sales.CountAsync(ct));
    }

    [Theory, InlineData(DatabaseProvider.Sqlite), InlineData(DatabaseProvider.Postgres)]
    public async Task SaleAddsItsTotalAndAVisit(DatabaseProvider provider)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var database = await TestDatabase.CreateAsync(provider, ct: ct);
        var customerId = (await database.Data.CustomerAsync()).Id;
        var sale = await SaleOperations.CreateAsync(database.Factory, customerId,
            [new SaleLineDraft { Description = "Cable", Quantity = 3, UnitPrice = 2.50m }, new SaleLineDraft { Description = "Fee", UnitPrice = 0.99m }], _time, ct: ct);
        Assert.Equal(8.49m, sale.Total);
        await AssertStatsAsync(database, customerId, 8.49m, 1, _time.GetUtcNow().UtcDateTime, open: 0, closed: 0, ct);

        await Assert.ThrowsAsync<RuleViolationException>(() => SaleOperations.CreateAsync(database.Factory, customerId,
            [new SaleLineDraft { Description = "Typo", UnitPrice = -3m }], _time, ct: ct));
        await using var db = database.CreateDbContext();
        Assert.Equal(1, await db.Sales.CountAsync(ct));
        Assert.Equal(2, await db.SaleLines.CountAsync(ct));
        Assert.Equal(8.49m, (await db.ForCustomerAsync(customerId, ct))!.LifetimeValue);
    }

    [Theory, InlineData(DatabaseProvider.Sqlite), InlineData(DatabaseProvider.Postgres)]
    public async Task SerialNumberFindsEquipmentAndOwnerAndTicketSearchFindsByNumberOrCustomer(DatabaseProvider provider)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var database = await TestDatabase.CreateAsync(provider, ct: ct);
        var customerId = (await database.Data.CustomerAsync()).Id;
        int equipmentId;
        await using (var db = database.CreateDbContext())
        {
            var equipment = new Equipment { CustomerId = customerId, Type = "Laptop", Make = "Lenovo", SerialNumber = "pf-2x 9911", SerialKey = Equipment.KeyOf("pf-2x 9911"), CreatedAt = DateTime.UtcNow };
            db.Equipment.Add(equipment);
            await db.SaveChangesAsync(ct);
            equipmentId = equipment.Id;
        }
        var ticket = await TicketOperations.CreateAsync(database.Factory,
            new TicketDraft { CustomerId = customerId, EquipmentId = equipmentId, Problem = "Won't boot" }, _time, ct: ct);

        await using var check = database.CreateDbContext();
        var found = Assert.Single(await check.FindEquipmentAsync("PF2X", ct));
        Assert.Equal("Ann Lee", found.OwnerName);
        var phones = new PhoneNormalizer("US");
        foreach (var term in new[] { ticket.Number, "1", "ann", "5000", "pf2x" })
            Assert.Equal(ticket.Id, Assert.Single(await check.Filtered(new TicketListFilter { Search = term }, phones).ToListAsync(ct)).Id);
        Assert.Empty(await check.Filtered(new TicketListFilter { Search = "bob" }, phones).ToListAsync(ct));
    }

    private async Task AssertStatsAsync(TestDatabase database, int customerId, decimal total, int visits, DateTime? lastVisit,
        int open, int closed, CancellationToken ct)
    {
        await using var db = database.CreateDbContext();
        var stats = await db.ForCustomerAsync(customerId, ct);
        Assert.NotNull(stats);
        Assert.Equal(total, stats.TotalSpent);
        Assert.Equal(visits, stats.Visits);
        Assert.Equal(lastVisit, stats.LastVisitAt);
        Assert.Equal(open, stats.OpenTickets);
        Assert.Equal(closed, stats.ClosedTickets);
    }

    [Theory, InlineData(DatabaseProvider.Sqlite), InlineData(DatabaseProvider.Postgres)]
    public async Task EditChangesTheDetailsAndRefusesWhatCreationRefuses(DatabaseProvider provider)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var database = await TestDatabase.CreateAsync(provider, ct: ct);
        var customerId = (await database.Data.CustomerAsync()).Id;
        var ticket = await OpenAsync(database, customerId, ct);
        var laptop = await EquipmentOperations.CreateAsync(database.Factory, customerId, new() { Type = "Laptop", SerialNumber = "sn-1" }, _time, ct);
        int strangersEquipment;
        await using (var db = database.CreateDbContext())
        {
            var stranger = TestCustomers.Individual("Bo", "Stranger", "+12127365001");
            db.Customers.Add(stranger);
            await db.SaveChangesAsync(ct);
            strangersEquipment = (await EquipmentOperations.CreateAsync(database.Factory, stranger.Id, new() { Type = "Phone" }, _time, ct)).Id;
        }
        _time.Advance(TimeSpan.FromHours(1));

        var edited = await TicketOperations.EditAsync(database.Factory, ticket.Id, ticket.Version, new()
        {
            CustomerId = customerId, EquipmentId = laptop.Id, Item = "  ", Problem = "  Hinge broken  ", Priority = TicketPriority.Urgent,
            QuotedAmount = 75.5m, Assignee = " Sam ",
        }, _time, "editor", ct);

        Assert.Equal(ticket.Version + 1, edited.Version);
        await using (var db = database.CreateDbContext())
        {
            var saved = await db.Tickets.SingleAsync(t => t.Id == ticket.Id, ct);
            Assert.Equal((laptop.Id, null, "Hinge broken", TicketPriority.Urgent, 75.5m, "Sam", "editor", _time.GetUtcNow().UtcDateTime),
                (saved.EquipmentId, saved.Item, saved.Problem, saved.Priority, saved.QuotedAmount, saved.Assignee, saved.UpdatedBy, saved.UpdatedAt));
            Assert.Equal((ticket.Number, TicketStatus.Open, customerId), (saved.Number, saved.Status, saved.CustomerId));
        }

        TicketDraft Bad(Action<TicketDraft> change)
        {
            var d = TicketOperations.DraftOf(edited);
            change(d);
            return d;
        }
        var refused = new (TicketDraft Draft, string Field)[]
        {
            (Bad(d => d.QuotedAmount = -1m), nameof(TicketDraft.QuotedAmount)),
            (Bad(d => d.QuotedAmount = Money.Max + 1), nameof(TicketDraft.QuotedAmount)),
            (Bad(d => d.Problem = new string('x', Ticket.ProblemMax + 1)), nameof(TicketDraft.Problem)),
            (Bad(d => d.Problem = " "), nameof(TicketDraft.Problem)),
            (Bad(d => d.Item = new string('x', Ticket.ItemMax + 1)), nameof(TicketDraft.Item)),
            (Bad(d => { d.EquipmentId = null; d.Item = null; }), nameof(TicketDraft.Item)),
            (Bad(d => d.EquipmentId = strangersEquipment), nameof(TicketDraft.EquipmentId)),
            (Bad(d => d.CustomerId = customerId + 1000), nameof(TicketDraft.CustomerId)),
        };
        foreach (var (draft, field) in refused)
        {
            var ex = await Assert.ThrowsAsync<RuleViolationException>(() =>
                TicketOperations.EditAsync(database.Factory, ticket.Id, edited.Version, draft, _time, ct: ct));
            Assert.Equal(field, ex.Field);
        }
        await using var after = database.CreateDbContext();
        var unchanged = await after.Tickets.SingleAsync(t => t.Id == ticket.Id, ct);
        Assert.Equal((edited.Version, 75.5m, "Hinge broken", laptop.Id), (unchanged.Version, unchanged.QuotedAmount, unchanged.Problem, unchanged.EquipmentId));
    }

    [Theory, InlineData(DatabaseProvider.Sqlite), InlineData(DatabaseProvider.Postgres)]
    public async Task EditOverSomeoneElsesChangeIsRefused(DatabaseProvider provider)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var database = await TestDatabase.CreateAsync(provider, ct: ct);
        var ticket = await OpenAsync(database, (await database.Data.CustomerAsync()).Id, ct);
        var mine = TicketOperations.DraftOf(ticket);
        mine.Problem = "Mine";
        await TicketOperations.ChangeStatusAsync(database.Factory, ticket.Id, ticket.Version, TicketStatus.InProgress, null, _time, ct: ct);

        var ex = await Assert.ThrowsAsync<StaleTicketException>(() => TicketOperations.EditAsync(database.Factory, ticket.Id, ticket.Version, mine, _time, ct: ct));

        Assert.Contains("Someone else changed this ticket", ex.Message);
        await using var db = database.CreateDbContext();
        Assert.Equal("Cracked screen", (await db.Tickets.SingleAsync(ct)).Problem);
    }

    [Theory, InlineData(DatabaseProvider.Sqlite), InlineData(DatabaseProvider.Postgres)]
    public async Task ClosedTicketsQuoteIsNotAnEditButItsTextIs(DatabaseProvider provider)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var database = await TestDatabase.CreateAsync(provider, ct: ct);
        var customerId = (await database.Data.CustomerAsync()).Id;
        var ticket = await OpenAsync(database, customerId, ct);
        ticket = await TicketOperations.ChangeStatusAsync(database.Factory, ticket.Id, ticket.Version, TicketStatus.Closed, 90m, _time, ct: ct);
        var draft = TicketOperations.DraftOf(ticket);
        draft.QuotedAmount = 500m;

        var ex = await Assert.ThrowsAsync<RuleViolationException>(() => TicketOperations.EditAsync(database.Factory, ticket.Id, ticket.Version, draft, _time, ct: ct));
        Assert.Contains("reopen", ex.Message);

        draft = TicketOperations.DraftOf(ticket);
        draft.Problem = "Cracked screen (and keyboard)";
        var edited = await TicketOperations.EditAsync(database.Factory, ticket.Id, ticket.Version, draft, _time, ct: ct);
        Assert.Equal((TicketStatus.Closed, 90m, "Cracked screen (and keyboard)"), (edited.Status, edited.FinalAmount, edited.Problem));
        await AssertStatsAsync(database, customerId, 90m, 1, _time.GetUtcNow().UtcDateTime, open: 0, closed: 1, ct);
    }

    [Theory, InlineData(DatabaseProvider.Sqlite), InlineData(DatabaseProvider.Postgres)]
    public async Task EquipmentEditIsCheckedLikeCreationAndItsSerialIsFoundAfterwards(DatabaseProvider provider)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var database = await TestDatabase.CreateAsync(provider, ct: ct);
        var customerId = (await database.Data.CustomerAsync()).Id;
        var scanner = await EquipmentOperations.CreateAsync(database.Factory, customerId, new() { Type = "Scanner", SerialNumber = "OLD-1" }, _time, ct);

        await EquipmentOperations.UpdateAsync(database.Factory, scanner.Id,
            new() { Type = " Ultrasound scanner ", Make = "GE", Model = " Logiq ", SerialNumber = "new 77-ab", Notes = " " }, ct);

        await using (var db = database.CreateDbContext())
        {
            var saved = await db.Equipment.SingleAsync(ct);
            Assert.Equal(("Ultrasound scanner", "GE", "Logiq", "new 77-ab", "NEW77AB", null, customerId),
                (saved.Type, saved.Make, saved.Model, saved.SerialNumber, saved.SerialKey, saved.Notes, saved.CustomerId));
            Assert.Equal(scanner.Id, Assert.Single(await db.FindEquipmentAsync("NEW 77", ct)).Id);
            Assert.Empty(await db.FindEquipmentAsync("OLD-1", ct));
        }

        foreach (var (bad, field) in new (Equipment, string)[]
        {
            (new() { Type = "  " }, nameof(Equipment.Type)),
            (new() { Type = new string('t', Equipment.TextMax + 1) }, nameof(Equipment.Type)),
            (new() { Type = "Scanner", SerialNumber = new string('s', Equipment.TextMax + 1) }, nameof(Equipment.SerialNumber)),
            (new() { Type = "Scanner", Notes = new string('n', Customer.NotesMax + 1) }, nameof(Equipment.Notes)),
        })
        {
            Assert.Equal(field, (await Assert.ThrowsAsync<RuleViolationException>(() => EquipmentOperations.UpdateAsync(database.Factory, scanner.Id, bad, ct))).Field);
            Assert.Equal(field, (await Assert.ThrowsAsync<RuleViolationException>(() => EquipmentOperations.CreateAsync(database.Factory, customerId, bad, _time, ct))).Field);
        }
        await using var after = database.CreateDbContext();
        Assert.Equal("Ultrasound scanner", (await after.Equipment.SingleAsync(ct)).Type);
    }

    private Task<Ticket> OpenAsync(TestDatabase database, int customerId, CancellationToken ct) =>
        TicketOperations.CreateAsync(database.Factory,
            new TicketDraft { CustomerId = customerId, Item = "Phone", Problem = "Cracked screen", QuotedAmount = 80m }, _time, ct: ct);
}
