using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using CustomerAdmin.Data;
using CustomerAdmin.Features.Webhooks;
using Microsoft.EntityFrameworkCore;

namespace CustomerAdmin.Tests.Features.Webhooks;

/// <summary>
/// Events written by the app's writers reach a receiver on 127.0.0.1 over real HTTP: signed, with the event id, retried
/// with backoff until the window closes, once however many dispatchers run.
/// </summary>
public sealed class WebhookDeliveryTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task CustomerCreatedIsPostedOnceSignedAndCarriesTheEventId(DatabaseProvider provider)
    {
        await using var rig = await WebhookRig.CreateAsync(provider);
        var endpoint = await rig.EndpointAsync(WebhookEvents.CustomerCreated);
        var customer = await rig.CreateCustomerAsync();

        Assert.Equal(1, await rig.Dispatcher().DispatchDueAsync(Ct));
        Assert.Equal(0, await rig.Dispatcher().DispatchDueAsync(Ct));

        var request = Assert.Single(rig.Receiver.Requests);
        Assert.StartsWith("application/json", request.ContentType);
        Assert.Equal(rig.Time.GetUtcNow().ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture), request.Timestamp);
        // The receiver's check, written out as the README tells receivers to: HMAC-SHA256(secret, timestamp + "." + body).
        var expected = "v1=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(endpoint.Secret),
            Encoding.UTF8.GetBytes(request.Timestamp + "." + request.Body)));
        Assert.Equal(expected, request.Signature);
        Assert.True(WebhookSigner.Verify(endpoint.Secret, request.Timestamp!, request.Body, request.Signature!, rig.Time.GetUtcNow(), TimeSpan.FromMinutes(5)));
        Assert.False(WebhookSigner.Verify("another-secret-entirely", request.Timestamp!, request.Body, request.Signature!, rig.Time.GetUtcNow(), TimeSpan.FromMinutes(5)));

        using var body = JsonDocument.Parse(request.Body);
        var root = body.RootElement;
        Assert.StartsWith("evt_", request.Id);
        Assert.Equal(request.Id, root.GetProperty("id").GetString());
        Assert.Equal("customer.created", root.GetProperty("type").GetString());
        Assert.Equal(customer.Id, root.GetProperty("data").GetProperty("id").GetInt32());
        Assert.Equal("Lopez", root.GetProperty("data").GetProperty("customer").GetProperty("lastName").GetString());
        Assert.Equal("Individual", root.GetProperty("data").GetProperty("customer").GetProperty("type").GetString());

        var delivery = Assert.Single(await rig.DeliveriesAsync());
        Assert.Equal(WebhookDeliveryStatus.Delivered, delivery.Status);
        Assert.Equal(200, delivery.LastStatusCode);
        Assert.Equal(1, delivery.Attempts);
        Assert.Single(delivery.AttemptLog);
    }

    [Fact]
    public async Task ReceiverFailingTwiceGetsTheEventOnTheThirdAttemptWithTheSameIdAfterTheBackoff()
    {
        await using var rig = await WebhookRig.CreateAsync();
        await rig.EndpointAsync();
        rig.Receiver.Answer = (_, seen) => seen <= 2 ? 500 : 200;
        await rig.CreateCustomerAsync();
        var dispatcher = rig.Dispatcher();

        Assert.Equal(1, await dispatcher.DispatchDueAsync(Ct));
        // Not due again before the backoff (30 s after the first failure).
        rig.Time.Advance(TimeSpan.FromSeconds(29));
        Assert.Equal(0, await dispatcher.DispatchDueAsync(Ct));
        rig.Time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(1, await dispatcher.DispatchDueAsync(Ct));
        // Four times longer after the second failure.
        rig.Time.Advance(TimeSpan.FromSeconds(119));
        Assert.Equal(0, await dispatcher.DispatchDueAsync(Ct));
        rig.Time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(1, await dispatcher.DispatchDueAsync(Ct));

        Assert.Equal(3, rig.Receiver.Requests.Count);
        Assert.Single(rig.Receiver.Requests.Select(r => r.Id).Distinct());
        Assert.Single(rig.Receiver.Requests.Select(r => r.Body).Distinct());
        var delivery = Assert.Single(await rig.DeliveriesAsync());
        Assert.Equal(WebhookDeliveryStatus.Delivered, delivery.Status);
        Assert.Equal(3, delivery.Attempts);
        Assert.Equal([500, 500, 200], delivery.AttemptLog.OrderBy(a => a.AttemptedAt).Select(a => a.StatusCode ?? 0));
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task ReceiverFailingForTheWholeWindowLeavesTheDeliveryFailed(DatabaseProvider provider)
    {
        await using var rig = await WebhookRig.CreateAsync(provider);
        await rig.EndpointAsync();
        rig.Receiver.Answer = (_, _) => 503;
        var created = rig.Now;
        await rig.CreateCustomerAsync();
        var dispatcher = rig.Dispatcher();

        // Every minute for 25 hours, as the worker's loop would (with a fake clock).
        for (var end = created.AddHours(25); rig.Now < end; rig.Time.Advance(TimeSpan.FromMinutes(1)))
            await dispatcher.DispatchDueAsync(Ct);

        var delivery = Assert.Single(await rig.DeliveriesAsync());
        Assert.Equal(WebhookDeliveryStatus.Failed, delivery.Status);
        Assert.Equal(503, delivery.LastStatusCode);
        // 30 s, 2 min, 8 min, 32 min, then hourly: about 27 attempts in a day, none after it.
        Assert.InRange(delivery.Attempts, 20, 30);
        Assert.Equal(delivery.Attempts, rig.Receiver.Requests.Count);
        Assert.All(delivery.AttemptLog, a => Assert.True(a.AttemptedAt <= created.AddHours(24)));
        Assert.Contains(delivery.AttemptLog, a => a.AttemptedAt >= created.AddHours(23));
    }

    [Fact]
    public async Task NoDeliveryIsWrittenWhenNoEnabledEndpointSubscribesToTheEvent()
    {
        await using var rig = await WebhookRig.CreateAsync();
        await rig.CreateCustomerAsync("Ann", "Lee", "+16175550102");
        // One endpoint for other events, one for this event but disabled.
        await rig.EndpointAsync(WebhookEvents.CustomerUpdated, WebhookEvents.BookingCreated);
        var disabled = await rig.EndpointAsync(WebhookEvents.CustomerCreated);
        await rig.Operations.SetEnabledAsync(disabled.Endpoint.Id, false, Ct);
        await rig.CreateCustomerAsync("Bob", "Stone", "+16175550103");

        Assert.Empty(await rig.DeliveriesAsync());
        Assert.Equal(0, await rig.Dispatcher().DispatchDueAsync(Ct));
        Assert.Empty(rig.Receiver.Requests);

        await rig.Operations.SetEnabledAsync(disabled.Endpoint.Id, true, Ct);
        await rig.CreateCustomerAsync("Cy", "Moss", "+16175550104");
        Assert.Single(await rig.DeliveriesAsync());
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task TwoDispatchersOnOneDatabaseDeliverEachEventExactlyOnce(DatabaseProvider provider)
    {
        const int count = 500;
        await using var rig = await WebhookRig.CreateAsync(provider);
        rig.Options.BatchSize = 20;
        rig.Options.Concurrency = 8;
        var endpoint = await rig.EndpointAsync(WebhookEvents.CustomerCreated);
        await using (var db = rig.Database.CreateDbContext())
        {
            for (var i = 0; i < count; i++)
            {
                var (eventId, payload) = WebhookOutbox.Event(WebhookEvents.CustomerCreated, rig.Now, new { id = i });
                db.WebhookDeliveries.Add(WebhookOutbox.NewDelivery(endpoint.Endpoint.Id, eventId, WebhookEvents.CustomerCreated, payload, rig.Now, "test"));
            }
            await db.SaveChangesAsync(Ct);
        }
        WebhookDispatcher[] dispatchers = [rig.Dispatcher(rig.Database.FactoryWith()), rig.Dispatcher(rig.Database.FactoryWith())];

        var claimed = await Task.WhenAll(dispatchers.Select(d => Task.Run(async () =>
        {
            var total = 0;
            while (await d.DispatchDueAsync(Ct) is var n && n > 0) total += n;
            return total;
        }, Ct)));

        Assert.Equal(count, claimed.Sum());
        Assert.All(claimed, n => Assert.True(n > 0, "both dispatchers took part"));
        Assert.Equal(count, rig.Receiver.ByEventId.Count);
        Assert.All(rig.Receiver.ByEventId.Values, n => Assert.Equal(1, n));
        await using var check = rig.Database.CreateDbContext();
        Assert.Equal(count, await check.WebhookDeliveries.CountAsync(d => d.Status == WebhookDeliveryStatus.Delivered, Ct));
    }
}
