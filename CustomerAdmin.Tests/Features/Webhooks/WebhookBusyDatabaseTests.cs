using System.Diagnostics;
using CustomerAdmin.Data;
using CustomerAdmin.Features.Customers;
using CustomerAdmin.Features.Webhooks;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;

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
        var settings = new Dictionary<string, string?>
        {
            ["Webhooks:AllowHttp"] = "true", ["Webhooks:DispatchInterval"] = "00:00:00.2", ["Webhooks:RetryBaseDelay"] = "00:00:01",
        };
        // SQLite's busy timeout (the command timeout) cut to a second, so a pass gives up within the test's patience.
        if (provider == DatabaseProvider.Sqlite)
            settings["ConnectionStrings:Sqlite"] = new SqliteConnectionStringBuilder(database.ConnectionString) { DefaultTimeout = 1 }.ToString();
        await using var app = new SecurityTestApp(database, settings);
        _ = app.Services; // Starts the host and its dispatcher.

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
        await WaitUntilAsync(async () => await DeliveryAsync(database) is { Status: WebhookDeliveryStatus.Pending, Attempts: 1 });

        await using (var holder = await HoldWriteLockAsync(database))
        {
            if (provider == DatabaseProvider.Sqlite)
                await WaitUntilAsync(() => Task.FromResult(app.Entries.Any(e => e.Message.Contains("found the database busy", StringComparison.Ordinal))));
            else
                await Task.Delay(TimeSpan.FromSeconds(2), Ct);
            Assert.Single(receiver.Requests);
        }

        await WaitUntilAsync(async () => await DeliveryAsync(database) is { Status: WebhookDeliveryStatus.Delivered });
        Assert.Equal([503, 200], (await DeliveryAsync(database))!.AttemptLog.OrderBy(a => a.Id).Select(a => a.StatusCode ?? 0));
        Assert.Equal(2, receiver.Requests.Count);
        var errors = app.Entries.Where(e => e.Level >= LogLevel.Error).Select(e => $"{e.Category}: {e.Message}").ToList();
        Assert.True(errors.Count == 0, string.Join("\n", errors));
        if (provider == DatabaseProvider.Sqlite)
            // Once for the whole time the lock was held, not at every pass.
            Assert.Single(app.Entries, e => e.Level == LogLevel.Information && e.Message.StartsWith("Webhook dispatch pass found the database busy", StringComparison.Ordinal));
    }

    private static async Task<WebhookDelivery?> DeliveryAsync(TestDatabase database)
    {
        await using var db = database.CreateDbContext();
        return await db.WebhookDeliveries.AsNoTracking().Include(d => d.AttemptLog).SingleOrDefaultAsync(Ct);
    }

    /// <summary>Another connection's open write transaction (as another instance or an import holds it), released on dispose.</summary>
    private static async Task<IAsyncDisposable> HoldWriteLockAsync(TestDatabase database)
    {
        if (database.Provider == DatabaseProvider.Sqlite)
        {
            var connection = new SqliteConnection(database.ConnectionString);
            await connection.OpenAsync(Ct);
            await using (var begin = connection.CreateCommand())
            {
                begin.CommandText = "BEGIN IMMEDIATE";
                await begin.ExecuteNonQueryAsync(Ct);
            }
            return connection;
        }
        var pg = new NpgsqlConnection(database.ConnectionString);
        await pg.OpenAsync(Ct);
        await using (var lockTable = new NpgsqlCommand("BEGIN; LOCK TABLE \"WebhookDeliveries\" IN EXCLUSIVE MODE", pg))
            await lockTable.ExecuteNonQueryAsync(Ct);
        return pg;
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        var clock = Stopwatch.StartNew();
        while (!await condition())
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), "Timed out waiting.");
            await Task.Delay(100, Ct);
        }
    }
}
