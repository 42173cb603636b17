using CustomerAdmin.Common;
using CustomerAdmin.Data;
using CustomerAdmin.Features.Customers;
using CustomerAdmin.Features.Webhooks;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace CustomerAdmin.Tests.Infrastructure;

/// <summary>
/// A database, a webhook receiver on loopback and a fake clock, wired to the real <see cref="WebhookOperations"/>,
/// <see cref="CustomerOperations"/> and <see cref="WebhookDispatcher"/> (real HTTP through an <see cref="IHttpClientFactory"/>).
/// </summary>
public sealed class WebhookRig : IAsyncDisposable
{
    public static readonly DateTimeOffset Start = new(2026, 6, 10, 15, 0, 0, TimeSpan.Zero);

    private readonly Clients _clients = new();

    private WebhookRig(TestDatabase database, WebhookReceiver receiver, FakeTimeProvider time)
    {
        Database = database;
        Receiver = receiver;
        Time = time;
        Secrets = new WebhookSecrets(new EphemeralDataProtectionProvider());
        Operations = new WebhookOperations(database.Factory, Secrets, Microsoft.Extensions.Options.Options.Create(Options), time);
        Customers = new CustomerOperations(database.Factory, new PhoneNormalizer("US"), time);
    }

    public TestDatabase Database { get; }
    public WebhookReceiver Receiver { get; }
    public FakeTimeProvider Time { get; }
    public WebhookSecrets Secrets { get; }
    public WebhookOptions Options { get; } = new() { AllowHttp = true, Timeout = TimeSpan.FromSeconds(10) };
    public WebhookOperations Operations { get; }
    public CustomerOperations Customers { get; }
    public DateTime Now => Time.GetUtcNow().UtcDateTime;

    public static async Task<WebhookRig> CreateAsync(DatabaseProvider provider = DatabaseProvider.Sqlite)
    {
        var ct = TestContext.Current.CancellationToken;
        var time = new FakeTimeProvider(Start);
        var database = await TestDatabase.CreateAsync(provider, time, ct: ct);
        try
        {
            return new WebhookRig(database, await WebhookReceiver.StartAsync(ct), time);
        }
        catch
        {
            await database.DisposeAsync();
            throw;
        }
    }

    /// <summary>A dispatcher of its own (a new lease owner), optionally over its own context factory, as a second app instance would be.</summary>
    public WebhookDispatcher Dispatcher(IDbContextFactory<AppDbContext>? factory = null) =>
        new(factory ?? Database.Factory, _clients, Secrets, Microsoft.Extensions.Options.Options.Create(Options), Time,
            NullLogger<WebhookDispatcher>.Instance);

    /// <summary>An endpoint at the receiver for <paramref name="events"/> (all when none), with the secret it signs with.</summary>
    public Task<NewWebhookEndpoint> EndpointAsync(params string[] events) =>
        Operations.CreateAsync(Receiver.Url, events.Length == 0 ? WebhookEvents.All : events);

    public Task<Customer> CreateCustomerAsync(string first = "Maria", string last = "Lopez", string phone = "+16175550101") =>
        Customers.CreateAsync(new Customer { Type = CustomerType.Individual, FirstName = first, LastName = last, PrimaryPhone = phone });

    public async Task<List<WebhookDelivery>> DeliveriesAsync()
    {
        await using var db = Database.CreateDbContext();
        return await db.WebhookDeliveries.AsNoTracking().Include(d => d.AttemptLog).OrderBy(d => d.Id).ToListAsync(TestContext.Current.CancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        _clients.Dispose();
        await Receiver.DisposeAsync();
        await Database.DisposeAsync();
    }

    /// <summary>One handler for every client, as the factory pools them; never follows redirects, as the app's does not.</summary>
    private sealed class Clients : IHttpClientFactory, IDisposable
    {
        private readonly SocketsHttpHandler _handler = new() { AllowAutoRedirect = false };

        public HttpClient CreateClient(string name) => new(_handler, disposeHandler: false) { Timeout = Timeout.InfiniteTimeSpan };

        public void Dispose() => _handler.Dispose();
    }
}
