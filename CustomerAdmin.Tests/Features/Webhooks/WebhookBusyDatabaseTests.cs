using CustomerAdmin.Data;
using CustomerAdmin.Features.Customers;
using CustomerAdmin.Features.Webhooks;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace CustomerAdmin.Tests.Features.Webhooks;

/// <summary>
/// The app's own webhook dispatcher (the hosted service, real clock, real HTTP) while another connection holds the
/// database's write lock: a busy database is no fault. On SQLite the claim's <c>UPDATE</c> runs out of busy time at
/// every pass while the lock is held; on PostgreSQL it waits for the lock. Either way nothing is logged as an error
/// (neither by the dispatcher's loop nor by EF, which logs a failed command with its SQL), and the retry goes out once
/// the lock is released.
/// </summary>
public sealed class WebhookBusyDatabaseTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task DispatcherMeetingALockedDatabaseLogsNoErrorAndDeliversOnceItIsReleased(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider, ct: Ct);
        await using var receiver = await WebhookReceiver.StartAsync(Ct);
        await using var app = StartApp(database);
        await using (var scope = app.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<WebhookOperations>().CreateAsync(receiver.Url, [WebhookEvents.CustomerCreated], ct: Ct);
            // The first attempt fails, so the event waits in the outbox for its retry a second later.
            receiver.Answer = (_, seen) => seen == 1 ? 503 : 200;
            await scope.ServiceProvider.GetRequiredService<CustomerOperations>().CreateAsync(new Customer
            {
                Type = CustomerType.Individual, FirstName = "Maria", LastName = "Lopez", PrimaryPhone = "+16175550101",
            }, ct: Ct);
        }
        await Poll.UntilAsync(async () => await DeliveryAsync(database) is { Status: WebhookDeliveryStatus.Pending, Attempts: 1 });

        await using (var holder = await database.HoldWriteLockAsync("WebhookDeliveries", Ct))
        {
            if (provider == DatabaseProvider.Sqlite)
                await Poll.UntilAsync(() => app.Entries.Any(e => e.Message.Contains("found the database busy", StringComparison.Ordinal)));
            else
                await Task.Delay(TimeSpan.FromSeconds(2), Ct);
            Assert.Single(receiver.Requests);
        }

        await Poll.UntilAsync(async () => await DeliveryAsync(database) is { Status: WebhookDeliveryStatus.Delivered });
        Assert.Equal([503, 200], (await DeliveryAsync(database))!.AttemptLog.OrderBy(a => a.Id).Select(a => a.StatusCode ?? 0));
        Assert.Equal(2, receiver.Requests.Count);
        var errors = app.Entries.Where(e => e.Level >= LogLevel.Error).Select(e => $"{e.Category}: {e.Message}").ToList();
        Assert.True(errors.Count == 0, string.Join("\n", errors));
        if (provider == DatabaseProvider.Sqlite)
            // Once for the whole time the lock was held, not at every pass.
            Assert.Single(app.Entries, e => e.Level == LogLevel.Information && e.Message.StartsWith("Webhook dispatch pass found the database busy", StringComparison.Ordinal));
    }

    /// <summary>
    /// The lock is taken while the receiver answers, so the post succeeds and recording its result meets the busy
    /// database: the result waits for the lock instead of being lost (which would post the event again when the lease
    /// runs out), and nothing is logged as an error.
    /// </summary>
    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task AResultMeetingALockedDatabaseIsRecordedOnceItIsReleasedAndTheEventIsPostedOnce(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider, ct: Ct);
        await using var receiver = await WebhookReceiver.StartAsync(Ct);
        await using var app = StartApp(database);
        _ = app.Services;
        IAsyncDisposable? holder = null;
        receiver.Answer = (_, _) =>
        {
            holder ??= database.HoldWriteLockAsync("WebhookDeliveries").GetAwaiter().GetResult();
            return 200;
        };

        await using (var scope = app.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<WebhookOperations>().CreateAsync(receiver.Url, [WebhookEvents.CustomerCreated], ct: Ct);
            await scope.ServiceProvider.GetRequiredService<CustomerOperations>().CreateAsync(new Customer
            {
                Type = CustomerType.Individual, FirstName = "Maria", LastName = "Lopez", PrimaryPhone = "+16175550101",
            }, ct: Ct);
        }
        await Poll.UntilAsync(() => holder is not null);
        if (provider == DatabaseProvider.Sqlite)
            await Poll.UntilAsync(() => app.Entries.Any(e => e.Message.StartsWith("Recording webhook delivery", StringComparison.Ordinal)
                && e.Message.Contains("found the database busy", StringComparison.Ordinal)));
        else
            await Task.Delay(TimeSpan.FromSeconds(2), Ct);
        await holder!.DisposeAsync();

        await Poll.UntilAsync(async () => await DeliveryAsync(database) is { Status: WebhookDeliveryStatus.Delivered });
        var delivery = (await DeliveryAsync(database))!;
        Assert.Equal(1, delivery.Attempts);
        Assert.Equal([200], delivery.AttemptLog.Select(a => a.StatusCode ?? 0));
        Assert.Single(receiver.Requests);
        var errors = app.Entries.Where(e => e.Level >= LogLevel.Error).Select(e => $"{e.Category}: {e.Message}").ToList();
        Assert.True(errors.Count == 0, string.Join("\n", errors));
    }

    /// <summary>The app with its dispatcher every 0.2 s; on SQLite a busy timeout (the command timeout) of a second, so a write gives up within the test's patience.</summary>
    private static SecurityTestApp StartApp(TestDatabase database)
    {
        var settings = database.ShortBusyTimeoutSettings();
        settings["Webhooks:AllowHttp"] = "true";
        settings["Webhooks:DispatchInterval"] = "00:00:00.2";
        settings["Webhooks:RetryBaseDelay"] = "00:00:01";
        return new SecurityTestApp(database, settings);
    }

    private static async Task<WebhookDelivery?> DeliveryAsync(TestDatabase database)
    {
        await using var db = database.CreateDbContext();
        return await db.WebhookDeliveries.AsNoTracking().Include(d => d.AttemptLog).SingleOrDefaultAsync(Ct);
    }
}
