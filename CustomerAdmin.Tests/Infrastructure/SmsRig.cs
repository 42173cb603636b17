using CustomerAdmin.Common;
using CustomerAdmin.Features.Sms;
using CustomerAdmin.Features.Sms.Sending;
using CustomerAdmin.Features.Sms.Webhooks;
using CustomerAdmin.Data;
using CustomerAdmin.Features;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace CustomerAdmin.Tests.Infrastructure;

/// <summary>
/// A database, a fake Twilio on loopback and a fake clock, wired to the real <see cref="TwilioSmsSender"/> and
/// <see cref="SmsDispatcher"/>. The clock starts mid-afternoon at a UTC venue, outside the default quiet hours.
/// </summary>
public sealed class SmsRig : IAsyncDisposable
{
    public static readonly DateTimeOffset Start = new(2026, 6, 10, 15, 0, 0, TimeSpan.Zero);

    private readonly List<HttpClient> _clients = [];

    private SmsRig(TestDatabase database, FakeTwilio twilio, FakeTimeProvider time)
    {
        Database = database;
        Twilio = twilio;
        Time = time;
        Options = new SmsOptions
        {
            Provider = SmsProvider.Twilio,
            RetryBaseDelay = TimeSpan.FromSeconds(10),
            MaxRetryDelay = TimeSpan.FromMinutes(5),
            SendTimeout = TimeSpan.FromSeconds(10),
            PublicBaseUrl = "https://admin.example.com",
            Twilio = new TwilioOptions
            {
                AccountSid = FakeTwilio.AccountSid, AuthToken = FakeTwilio.AuthToken, From = FakeTwilio.From, BaseUrl = twilio.BaseUrl,
            },
        };
    }

    public TestDatabase Database { get; }
    public FakeTwilio Twilio { get; }
    public FakeTimeProvider Time { get; }
    public SmsOptions Options { get; }
    public VenueOptions Venue { get; } = new() { TimeZone = "UTC" };
    public DateTime Now => Time.GetUtcNow().UtcDateTime;

    public static async Task<SmsRig> CreateAsync(DatabaseProvider provider = DatabaseProvider.Sqlite, DateTimeOffset? start = null)
    {
        var ct = TestContext.Current.CancellationToken;
        var time = new FakeTimeProvider(start ?? Start);
        var database = await TestDatabase.CreateAsync(provider, time, ct: ct);
        try
        {
            return new SmsRig(database, await FakeTwilio.StartAsync(time, ct), time);
        }
        catch
        {
            await database.DisposeAsync();
            throw;
        }
    }

    /// <summary>A dispatcher of its own (a new lease owner), optionally over its own context factory, as a second app instance would be.</summary>
    public SmsDispatcher Dispatcher(IDbContextFactory<AppDbContext>? factory = null)
    {
        var http = new HttpClient { Timeout = Timeout.InfiniteTimeSpan };
        _clients.Add(http);
        var options = Microsoft.Extensions.Options.Options.Create(Options);
        var sender = new TwilioSmsSender(http, options, Time, NullLogger<TwilioSmsSender>.Instance);
        return new SmsDispatcher(factory ?? Database.Factory, sender, options, Microsoft.Extensions.Options.Options.Create(Venue), Time,
            NullLogger<SmsDispatcher>.Instance);
    }

    /// <summary>A second context factory over the same database, as another app instance has.</summary>
    public IDbContextFactory<AppDbContext> OwnFactory() => Database.Provider == DatabaseProvider.Sqlite
        ? new Factory(() => new SqliteAppDbContext(new DbContextOptionsBuilder<SqliteAppDbContext>().UseSqlite(Database.ConnectionString).UseCustomerAdmin(Time).Options))
        : new Factory(() => new PostgresAppDbContext(new DbContextOptionsBuilder<PostgresAppDbContext>().UseNpgsql(Database.ConnectionString).UseCustomerAdmin(Time).Options));

    public Task<Customer> CustomerAsync(string phone = "+16175550101") =>
        Database.Data.CustomerAsync("Maria", "Lopez", phone, c => c.SmsOptedIn = true);

    public async Task<SmsMessage> EnqueueAsync(Customer customer, string body, SmsKind kind = SmsKind.BookingConfirmation,
        string? to = null, Action<SmsMessage>? change = null)
    {
        await using var db = Database.CreateDbContext();
        var message = new SmsMessage
        {
            CustomerId = customer.Id, Kind = kind, To = to ?? customer.PrimaryPhone, Body = body, Status = SmsStatus.Pending,
            NextAttemptAt = Now, CreatedAt = Now, UpdatedAt = Now, Segments = 1,
        };
        change?.Invoke(message);
        db.SmsMessages.Add(message);
        await db.SaveChangesAsync(TestContext.Current.CancellationToken);
        return message;
    }

    public async Task<SmsMessage> LoadAsync(long id)
    {
        await using var db = Database.CreateDbContext();
        return await db.SmsMessages.AsNoTracking().SingleAsync(m => m.Id == id, TestContext.Current.CancellationToken);
    }

    public async Task<Customer> LoadCustomerAsync(int id)
    {
        await using var db = Database.CreateDbContext();
        return await db.Customers.AsNoTracking().SingleAsync(c => c.Id == id, TestContext.Current.CancellationToken);
    }

    public IReadOnlyList<FakeTwilioRequest> Posts => Twilio.Requests.Where(r => r.Method == "POST").ToList();

    public async ValueTask DisposeAsync()
    {
        foreach (var client in _clients) client.Dispose();
        await Twilio.DisposeAsync();
        await Database.DisposeAsync();
    }

    private sealed class Factory(Func<AppDbContext> create) : IDbContextFactory<AppDbContext>
    {
        public AppDbContext CreateDbContext() => create();
    }
}
