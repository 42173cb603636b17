using CustomerAdmin.Data;
using CustomerAdmin.Features.Tickets;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Time.Testing;

namespace CustomerAdmin.Tests.Infrastructure;

/// <summary>
/// The one way a test arranges records: each is written through its own short-lived context, with minimal valid values,
/// and <c>with</c> sets only the fields the test is about. Events and bookings are created and updated at the
/// <paramref name="time"/>'s now (the system clock unless a test gives its own). Every call ends when the test is cancelled.
/// </summary>
public sealed partial class TestData(IDbContextFactory<AppDbContext> factory, TimeProvider? time = null)
{
    private DateTime Now => (time ?? TimeProvider.System).GetUtcNow().UtcDateTime;

    public const string Phone = "+12127365000";

    public Task<Customer> CustomerAsync(string firstName = "Ann", string lastName = "Lee", string phoneE164 = Phone,
        Action<Customer>? with = null)
    {
        var customer = TestCustomers.Individual(firstName, lastName, phoneE164);
        with?.Invoke(customer);
        return AddAsync(customer);
    }

    public Task<Event> EventAsync(string name, DateTime startsAt, int capacity, Action<Event>? with = null)
    {
        var ev = new Event { Name = name, StartsAt = startsAt, Capacity = capacity, CreatedAt = Now, UpdatedAt = Now, Version = 1 };
        with?.Invoke(ev);
        return AddAsync(ev);
    }

    /// <summary>A booking written directly, past <c>BookingOperations</c>' rules (a past event, a full one).</summary>
    public Task<Booking> BookingAsync(int customerId, int eventId, int seats, Action<Booking>? with = null)
    {
        var booking = new Booking { CustomerId = customerId, EventId = eventId, Seats = seats, CreatedAt = Now, UpdatedAt = Now, Version = 1 };
        with?.Invoke(booking);
        return AddAsync(booking);
    }

    /// <summary>
    /// A ticket opened through <see cref="TicketOperations"/>, as staff open one, at <paramref name="openedAt"/> (the
    /// data's clock when not given), so its number and the customer's figures move as the app moves them.
    /// </summary>
    public Task<Ticket> TicketAsync(int customerId, DateTime? openedAt = null, Action<TicketDraft>? with = null)
    {
        var draft = new TicketDraft { CustomerId = customerId, Item = "Phone", Problem = "Cracked screen" };
        with?.Invoke(draft);
        var clock = openedAt is { } at ? new FakeTimeProvider(new DateTimeOffset(at)) : time ?? TimeProvider.System;
        return TicketOperations.CreateAsync(factory, draft, clock, ct: TestContext.Current.CancellationToken);
    }

    /// <summary>Many records at exact times, added by <paramref name="arrange"/> to one context and written by one save (see <see cref="Batch"/>).</summary>
    public async Task BatchAsync(Action<Batch> arrange)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var db = await factory.CreateDbContextAsync(ct);
        arrange(new Batch(db));
        await db.SaveChangesAsync(ct);
    }

    /// <summary>
    /// A review-queue pair of two customers, as the duplicate scan writes one (the lower id first), without any matching:
    /// the score, level and reasons are what the test says. It replaces the pair the duplicate check may already have
    /// written for the two when they were saved.
    /// </summary>
    public async Task<DuplicatePair> DuplicatePairAsync(int customerId, int otherId, double score = 12.5, DuplicateLevel level = DuplicateLevel.Likely,
        string reasons = "same phone; names sound alike", Action<DuplicatePair>? with = null)
    {
        var (a, b) = DuplicatePair.Ordered(customerId, otherId);
        var pair = new DuplicatePair
        {
            CustomerAId = a, CustomerBId = b, Score = score, Level = level, Reasons = reasons, Signature = $"test-{a}-{b}",
            FoundAt = Now, UpdatedAt = Now, Version = 1,
        };
        with?.Invoke(pair);
        await using (var db = await factory.CreateDbContextAsync(TestContext.Current.CancellationToken))
        {
            await db.DuplicatePairs.Where(p => p.CustomerAId == a && p.CustomerBId == b).ExecuteDeleteAsync(TestContext.Current.CancellationToken);
        }
        return await AddAsync(pair);
    }

    /// <summary>Any record (with the records it points at), saved as it is.</summary>
    public async Task<T> AddAsync<T>(T entity) where T : class
    {
        var ct = TestContext.Current.CancellationToken;
        await using var db = await factory.CreateDbContextAsync(ct);
        db.Add(entity);
        await db.SaveChangesAsync(ct);
        return entity;
    }
}

public static class TestDataExtensions
{
    extension(TestDatabase database)
    {
        public TestData Data => new(database.Factory);
    }
}
