using CustomerAdmin.Data;
using Microsoft.EntityFrameworkCore;

namespace CustomerAdmin.Tests.Infrastructure;

/// <summary>
/// The one way a test arranges records: each is written through its own short-lived context, with minimal valid values,
/// and <c>with</c> sets only the fields the test is about. Events and bookings are created and updated at the
/// <paramref name="time"/>'s now (the system clock unless a test gives its own).
/// </summary>
public sealed class TestData(IDbContextFactory<AppDbContext> factory, TimeProvider? time = null)
{
    private DateTime Now => (time ?? TimeProvider.System).GetUtcNow().UtcDateTime;

    public const string Phone = "+12127365000";

    public Task<Customer> CustomerAsync(string firstName = "Ann", string lastName = "Lee", string phoneE164 = Phone,
        Action<Customer>? with = null, CancellationToken ct = default)
    {
        var customer = TestCustomers.Individual(firstName, lastName, phoneE164);
        with?.Invoke(customer);
        return AddAsync(customer, ct);
    }

    public Task<Event> EventAsync(string name, DateTime startsAt, int capacity, Action<Event>? with = null,
        CancellationToken ct = default)
    {
        var ev = new Event { Name = name, StartsAt = startsAt, Capacity = capacity, CreatedAt = Now, UpdatedAt = Now, Version = 1 };
        with?.Invoke(ev);
        return AddAsync(ev, ct);
    }

    /// <summary>A booking written directly, past <c>BookingOperations</c>' rules (a past event, a full one).</summary>
    public Task<Booking> BookingAsync(int customerId, int eventId, int seats, Action<Booking>? with = null,
        CancellationToken ct = default)
    {
        var booking = new Booking { CustomerId = customerId, EventId = eventId, Seats = seats, CreatedAt = Now, UpdatedAt = Now, Version = 1 };
        with?.Invoke(booking);
        return AddAsync(booking, ct);
    }

    /// <summary>Any record (with the records it points at), saved as it is.</summary>
    public async Task<T> AddAsync<T>(T entity, CancellationToken ct = default) where T : class
    {
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
