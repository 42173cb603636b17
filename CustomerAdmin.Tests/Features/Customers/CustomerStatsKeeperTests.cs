using CustomerAdmin.Data;
using CustomerAdmin.Features;
using CustomerAdmin.Features.Customers;
using CustomerAdmin.Features.Sales;
using CustomerAdmin.Features.Tickets;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Time.Testing;

namespace CustomerAdmin.Tests.Features.Customers;

/// <summary>
/// What <see cref="CustomerStatsKeeper"/> promises beyond "equals a count from scratch" (DerivedDataTests): concurrent
/// saves lose nothing, a statistics change is a change of the customer (version, stamp), a tracked customer is given
/// what was written, and a save that moves nothing writes nothing.
/// </summary>
public sealed class CustomerStatsKeeperTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 3, 1, 9, 0, 0, TimeSpan.Zero));

    [Theory, InlineData(DatabaseProvider.Postgres)]
    public async Task TwoTransactionsClosingTicketsOfOneCustomerAtOnceLoseNeither(DatabaseProvider provider)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var database = await TestDatabase.CreateAsync(provider, _time, ct: ct);
        var customerId = await AddCustomerAsync(database, ct);
        var first = await OpenAsync(database, customerId, ct);
        var second = await OpenAsync(database, customerId, ct);
        // Without the dashboard summary, whose keeper locks the same rows: this proves the statistics keeper's own lock.
        var factory = database.FactoryWithKeepers(DerivedData.Keepers.Where(k => k.Name != "dashboard summary").ToList());

        await using var a = factory.CreateDbContext();
        await using var txA = await a.Database.BeginTransactionAsync(ct);
        await CloseAsync(a, first.Id, 40m, ct);

        await using var b = factory.CreateDbContext();
        await using var txB = await b.Database.BeginTransactionAsync(ct);
        var closing = Task.Run(() => CloseAsync(b, second.Id, 2.5m, ct), ct);
        await Task.Delay(TimeSpan.FromMilliseconds(500), ct);
        Assert.False(closing.IsCompleted, "The second save should wait for the first transaction's lock on the customer.");
        await txA.CommitAsync(ct);
        await closing;
        await txB.CommitAsync(ct);

        await using var check = database.CreateDbContext();
        var customer = await check.Customers.AsNoTracking().SingleAsync(c => c.Id == customerId, ct);
        Assert.Equal((42.5m, 2), (customer.TotalSpent, customer.VisitCount));
    }

    [Theory, InlineData(DatabaseProvider.Sqlite), InlineData(DatabaseProvider.Postgres)]
    public async Task AnEditFormOpenedBeforeAVisitSeesTheConflict(DatabaseProvider provider)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var database = await TestDatabase.CreateAsync(provider, _time, ct: ct);
        var customerId = await AddCustomerAsync(database, ct);
        var ticket = await OpenAsync(database, customerId, ct);
        await using var form = database.CreateDbContext();
        var editing = await form.Customers.SingleAsync(c => c.Id == customerId, ct);

        _time.Advance(TimeSpan.FromHours(1));
        await TicketOperations.ChangeStatusAsync(database.Factory, ticket.Id, ticket.Version, TicketStatus.Closed, 80m, _time, "clerk", ct);

        await using (var db = database.CreateDbContext())
        {
            var stored = await db.Customers.AsNoTracking().SingleAsync(c => c.Id == customerId, ct);
            Assert.Equal((editing.Version + 1, _time.GetUtcNow().UtcDateTime, "clerk"), (stored.Version, stored.UpdatedAt, stored.UpdatedBy));
            Assert.Equal((80m, 1, (DateTime?)_time.GetUtcNow().UtcDateTime), (stored.TotalSpent, stored.VisitCount, stored.LastVisitAt));
        }
        editing.City = "Albany";
        await Assert.ThrowsAsync<DbUpdateConcurrencyException>(() => form.SaveChangesAsync(ct));
    }

    [Theory, InlineData(DatabaseProvider.Sqlite), InlineData(DatabaseProvider.Postgres)]
    public async Task ATrackedCustomerIsGivenTheStatisticsTheSaveWrote(DatabaseProvider provider)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var database = await TestDatabase.CreateAsync(provider, _time, ct: ct);
        var customerId = await AddCustomerAsync(database, ct);
        await using var db = database.CreateDbContext();
        var customer = await db.Customers.SingleAsync(c => c.Id == customerId, ct);
        var version = customer.Version;

        db.Sales.Add(new Sale { CustomerId = customerId, SoldAt = _time.GetUtcNow().UtcDateTime, Total = 12.5m });
        await db.SaveChangesAsync(ct);

        Assert.Equal((12.5m, 1, version + 1), (customer.TotalSpent, customer.VisitCount, customer.Version));
        Assert.Equal(EntityState.Unchanged, db.Entry(customer).State);
        // The next save of the same context is not a conflict with the keeper's own write.
        customer.City = "Salem";
        await db.SaveChangesAsync(ct);
        await using var check = database.CreateDbContext();
        var stored = await check.Customers.AsNoTracking().SingleAsync(c => c.Id == customerId, ct);
        Assert.Equal((12.5m, "Salem"), (stored.TotalSpent, stored.City));
    }

    [Theory, InlineData(DatabaseProvider.Sqlite), InlineData(DatabaseProvider.Postgres)]
    public async Task ASaveThatMovesNoStatisticLeavesTheCustomerAlone(DatabaseProvider provider)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var database = await TestDatabase.CreateAsync(provider, _time, ct: ct);
        var customerId = await AddCustomerAsync(database, ct);
        var ticket = await OpenAsync(database, customerId, ct);
        int version;
        await using (var db = database.CreateDbContext())
            version = await db.Customers.Where(c => c.Id == customerId).Select(c => c.Version).SingleAsync(ct);

        // A status change is looked at by the keeper, but an open ticket is no visit.
        await TicketOperations.ChangeStatusAsync(database.Factory, ticket.Id, ticket.Version, TicketStatus.InProgress, null, _time, ct: ct);

        await using var check = database.CreateDbContext();
        Assert.Equal(version, await check.Customers.Where(c => c.Id == customerId).Select(c => c.Version).SingleAsync(ct));
    }

    private static async Task CloseAsync(AppDbContext db, int ticketId, decimal amount, CancellationToken ct)
    {
        var ticket = await db.Tickets.SingleAsync(t => t.Id == ticketId, ct);
        (ticket.Status, ticket.FinalAmount, ticket.ClosedAt) = (TicketStatus.Closed, amount, DateTime.UtcNow);
        await db.SaveChangesAsync(ct);
    }

    private Task<Ticket> OpenAsync(TestDatabase database, int customerId, CancellationToken ct) =>
        TicketOperations.CreateAsync(database.Factory, new TicketDraft { CustomerId = customerId, Item = "Phone", Problem = "Cracked" }, _time, ct: ct);

    private static async Task<int> AddCustomerAsync(TestDatabase database, CancellationToken ct)
    {
        await using var db = database.CreateDbContext();
        var customer = TestCustomers.Individual("Ann", "Lee", "+12127365000");
        db.Customers.Add(customer);
        await db.SaveChangesAsync(ct);
        return customer.Id;
    }
}
