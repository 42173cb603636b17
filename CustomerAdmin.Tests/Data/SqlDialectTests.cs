using CustomerAdmin.Data;
using CustomerAdmin.Data.Sql;
using Microsoft.EntityFrameworkCore;

namespace CustomerAdmin.Tests.Data;

/// <summary>
/// The SQL dialect on each database: unique violations told apart by index, row and advisory locks that really make a
/// second transaction wait, and claims that pass over rows another claimer holds.
/// </summary>
public sealed class SqlDialectTests
{
    [Theory, InlineData(DatabaseProvider.Sqlite), InlineData(DatabaseProvider.Postgres)]
    public async Task UniqueViolationIsRecognisedForTheViolatedIndexOnly(DatabaseProvider provider)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var database = await TestDatabase.CreateAsync(provider, ct: ct);
        var customerId = await CustomerAsync(database, "+12127365001", ct);
        await using (var db = database.CreateDbContext())
        {
            db.Tickets.Add(NewTicket(customerId, 1, "T-1"));
            await db.SaveChangesAsync(ct);
        }

        await using var second = database.CreateDbContext();
        second.Tickets.Add(NewTicket(customerId, 1, "T-2"));
        var ex = await Assert.ThrowsAsync<DbUpdateException>(() => second.SaveChangesAsync(ct));

        var sequence = second.Model.UniqueIndex<Ticket>(nameof(Ticket.Sequence));
        var number = second.Model.UniqueIndex<Ticket>(nameof(Ticket.Number));
        var booking = second.Model.UniqueIndex<Booking>(nameof(Booking.CustomerId), nameof(Booking.EventId));
        Assert.True(second.Sql().IsUniqueViolation(ex, sequence));
        Assert.True(SqlDialects.IsUniqueViolation(ex, sequence));
        Assert.True(SqlDialects.IsUniqueViolation(ex.InnerException!, sequence));
        Assert.False(second.Sql().IsUniqueViolation(ex, number));
        Assert.False(SqlDialects.IsUniqueViolation(ex, booking));
        Assert.Same(sequence, ex.UniqueIndex<Ticket>(nameof(Ticket.Sequence)));
    }

    [Theory, InlineData(DatabaseProvider.Sqlite), InlineData(DatabaseProvider.Postgres)]
    public async Task AnotherConstraintIsNoUniqueViolation(DatabaseProvider provider)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var database = await TestDatabase.CreateAsync(provider, ct: ct);
        await using var db = database.CreateDbContext();
        db.Tickets.Add(NewTicket(customerId: 987654, 1, "T-1"));
        var ex = await Assert.ThrowsAsync<DbUpdateException>(() => db.SaveChangesAsync(ct));
        Assert.False(db.Sql().IsUniqueViolation(ex, db.Model.UniqueIndex<Ticket>(nameof(Ticket.Sequence))));
    }

    [Fact]
    public async Task LockedRowsMakeASecondTransactionWaitOnPostgres()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Postgres, ct: ct);
        var id = await CustomerAsync(database, "+12127365002", ct);
        var other = await CustomerAsync(database, "+12127365003", ct);

        await using var holder = database.CreateDbContext();
        await using (var tx = await holder.Database.BeginTransactionAsync(ct))
        {
            await holder.Sql().LockRowsAsync<Customer>(holder, [id], RowLock.Values, ct);
            Assert.False(await TriesAsync(database, (db, c) => db.Sql().LockRowsAsync<Customer>(db, [other, id], RowLock.Values, c), ct));
            Assert.True(await TriesAsync(database, (db, c) => db.Sql().LockRowsAsync<Customer>(db, [other], RowLock.Values, c), ct));
            await tx.CommitAsync(ct);
        }
        Assert.True(await TriesAsync(database, (db, c) => db.Sql().LockRowsAsync<Customer>(db, [other, id], RowLock.Values, c), ct));
    }

    [Fact]
    public async Task RowsLockedForTheirValuesStillTakeNewReferencesOnPostgres()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Postgres, ct: ct);
        var id = await CustomerAsync(database, "+12127365004", ct);
        // A row that references the customer (a foreign key check locks the customer's row to insert it).
        Func<AppDbContext, CancellationToken, Task> reference(long key) => (db, c) =>
        {
            db.CustomerMatchKeys.Add(new CustomerMatchKey { KeyHash = key, CustomerId = id });
            return db.SaveChangesAsync(c);
        };

        await using var holder = database.CreateDbContext();
        await using (var tx = await holder.Database.BeginTransactionAsync(ct))
        {
            await holder.Sql().LockRowsAsync<Customer>(holder, [id], RowLock.Values, ct);
            Assert.True(await TriesAsync(database, reference(1), ct));
            Assert.False(await TriesAsync(database, (db, c) => db.Sql().LockRowsAsync<Customer>(db, [id], RowLock.Values, c), ct));
            await tx.RollbackAsync(ct);
        }
        await using (var tx = await holder.Database.BeginTransactionAsync(ct))
        {
            await holder.Sql().LockRowsAsync<Customer>(holder, [id], RowLock.Whole, ct);
            Assert.False(await TriesAsync(database, reference(2), ct));
            await tx.RollbackAsync(ct);
        }
    }

    [Fact]
    public async Task AdvisoryLockMakesASecondTransactionWaitOnPostgres()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Postgres, ct: ct);
        await using var holder = database.CreateDbContext();
        await using (var tx = await holder.Database.BeginTransactionAsync(ct))
        {
            await holder.Sql().AdvisoryLockAsync(holder, 42, ct);
            Assert.False(await TriesAsync(database, (db, c) => db.Sql().AdvisoryLockAsync(db, 42, c), ct));
            Assert.True(await TriesAsync(database, (db, c) => db.Sql().AdvisoryLockAsync(db, 43, c), ct));
            await tx.CommitAsync(ct);
        }
        Assert.True(await TriesAsync(database, (db, c) => db.Sql().AdvisoryLockAsync(db, 42, c), ct));
    }

    [Theory, InlineData(DatabaseProvider.Sqlite), InlineData(DatabaseProvider.Postgres)]
    public async Task ClaimTakesTheFirstDueRowsInOrder(DatabaseProvider provider)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var database = await TestDatabase.CreateAsync(provider, ct: ct);
        var ids = new List<int>();
        for (var i = 0; i < 4; i++) ids.Add(await CustomerAsync(database, $"+1212736501{i}", ct));

        await using var db = database.CreateDbContext();
        Assert.Equal(2, await ClaimAsync(db, "first", ct));
        Assert.Equal(ids[..2], await ClaimedByAsync(database, "first", ct));
    }

    [Fact]
    public async Task ClaimPassesOverRowsAnotherTransactionHoldsOnPostgres()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Postgres, ct: ct);
        var ids = new List<int>();
        for (var i = 0; i < 4; i++) ids.Add(await CustomerAsync(database, $"+1212736502{i}", ct));

        await using var holder = database.CreateDbContext();
        await using (var tx = await holder.Database.BeginTransactionAsync(ct))
        {
            await holder.Sql().LockRowsAsync<Customer>(holder, [ids[0]], RowLock.Values, ct);
            await using var claimer = database.CreateDbContext();
            await using (var claim = await claimer.Database.BeginTransactionAsync(ct))
            {
                await claimer.Database.ExecuteSqlRawAsync("SET LOCAL lock_timeout = '2s'", ct);
                Assert.Equal(2, await ClaimAsync(claimer, "second", ct));
                await claim.CommitAsync(ct);
            }
            await tx.CommitAsync(ct);
        }
        Assert.Equal(ids[1..3], await ClaimedByAsync(database, "second", ct));
    }

    /// <summary>Claims two customers without notes, in id order, writing <paramref name="by"/> into their notes.</summary>
    private static Task<int> ClaimAsync(AppDbContext db, string by, CancellationToken ct) =>
        db.Sql().ClaimAsync(db, db.Customers.Where(c => c.Notes == null).OrderBy(c => c.Id), 2, s => s.SetProperty(c => c.Notes, by), ct);

    private static async Task<List<int>> ClaimedByAsync(TestDatabase database, string by, CancellationToken ct)
    {
        await using var db = database.CreateDbContext();
        return await db.Customers.Where(c => c.Notes == by).OrderBy(c => c.Id).Select(c => c.Id).ToListAsync(ct);
    }

    /// <summary>True when <paramref name="take"/> gets its lock within a short wait in a transaction of its own.</summary>
    private static async Task<bool> TriesAsync(TestDatabase database, Func<AppDbContext, CancellationToken, Task> take, CancellationToken ct)
    {
        await using var db = database.CreateDbContext();
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        await db.Database.ExecuteSqlRawAsync("SET LOCAL lock_timeout = '300ms'", ct);
        try
        {
            await take(db, ct);
            return true;
        }
        catch (Exception ex) when (IsLockTimeout(ex))
        {
            return false;
        }
    }

    /// <summary>A save wraps the server's error (in a DbUpdateException, and that in the execution strategy's).</summary>
    private static bool IsLockTimeout(Exception? ex) => ex switch
    {
        null => false,
        Npgsql.PostgresException p => p.SqlState == "55P03",
        _ => IsLockTimeout(ex.InnerException),
    };

    private static async Task<int> CustomerAsync(TestDatabase database, string phone, CancellationToken ct)
    {
        await using var db = database.CreateDbContext();
        var customer = TestCustomers.Individual("Ada", "Lovelace", phone);
        db.Customers.Add(customer);
        await db.SaveChangesAsync(ct);
        return customer.Id;
    }

    private static Ticket NewTicket(int customerId, int sequence, string number) => new()
    {
        Sequence = sequence, Number = number, CustomerId = customerId, Item = "Phone", Problem = "Cracked screen",
        Status = TicketStatus.Open, Priority = TicketPriority.Normal, OpenedAt = new DateTime(2026, 1, 5, 10, 0, 0, DateTimeKind.Utc),
        CreatedBy = "test", UpdatedAt = new DateTime(2026, 1, 5, 10, 0, 0, DateTimeKind.Utc), UpdatedBy = "test", Version = 1,
    };
}
