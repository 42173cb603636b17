using System.Text.Json;
using CustomerAdmin.Features.Webhooks;
using Microsoft.Extensions.DependencyInjection;
using System.Net;
using CustomerAdmin.Features.Sms.Reminders;
using CustomerAdmin.Features.Sms.Sending;
using CustomerAdmin.Features.Sms.Templates;
using CustomerAdmin.Features.Sms.Webhooks;
using CustomerAdmin.Data;
using Microsoft.EntityFrameworkCore;

namespace CustomerAdmin.Tests.Features.Sms.Webhooks;

/// <summary>Twilio's status and inbound webhooks through the real app (TestServer) on SQLite.</summary>
public sealed class SmsWebhookTests
{
    private const string AuthToken = "webhook-test-token";
    private const string PublicBaseUrl = "https://admin.example.com";
    private const string Phone = "+16175550123";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static SecurityTestApp App(TestDatabase database, string? authToken = AuthToken, Dictionary<string, string?>? extra = null) =>
        new(database, new Dictionary<string, string?>(extra ?? [])
        {
            ["Sms:Twilio:AuthToken"] = authToken, ["Sms:PublicBaseUrl"] = PublicBaseUrl, ["Sms:RunDispatcher"] = "false",
        });

    private static async Task<HttpResponseMessage> PostAsync(HttpClient client, string path, Dictionary<string, string> form,
        string? signature = null, string token = AuthToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path.TrimStart('/')) { Content = new FormUrlEncodedContent(form) };
        request.Headers.Add(TwilioSignature.Header, signature ?? TwilioSignature.Compute(token, PublicBaseUrl + path, form));
        return await client.SendAsync(request, Ct);
    }

    private static Dictionary<string, string> Status(string sid, string status) => new()
    {
        ["MessageSid"] = sid, ["MessageStatus"] = status, ["AccountSid"] = "ACx", ["SmsSid"] = sid, ["ApiVersion"] = "2010-04-01",
    };

    private static Dictionary<string, string> Inbound(string from, string body, string sid) => new()
    {
        ["From"] = from, ["To"] = "+15005550006", ["Body"] = body, ["MessageSid"] = sid, ["NumMedia"] = "0", ["FromCity"] = "BOSTON",
    };

    private static async Task<(Customer Customer, SmsMessage Message)> SeedAsync(TestDatabase database, SmsStatus status, string? sid)
    {
        await using var db = database.CreateDbContext();
        var customer = TestCustomers.Individual("Ana", "Silva", Phone);
        customer.SmsOptedIn = true;
        var now = DateTime.UtcNow;
        var message = new SmsMessage
        {
            Customer = customer, Kind = SmsKind.BookingConfirmation, To = Phone, Body = "Booked", Status = status, ProviderId = sid,
            NextAttemptAt = now.AddHours(1), CreatedAt = now, UpdatedAt = now,
        };
        db.SmsMessages.Add(message);
        await db.SaveChangesAsync(Ct);
        return (customer, message);
    }

    private static async Task<SmsMessage> LoadAsync(TestDatabase database, long id)
    {
        await using var db = database.CreateDbContext();
        return await db.SmsMessages.AsNoTracking().SingleAsync(m => m.Id == id, Ct);
    }

    [Fact]
    public async Task WebhooksRefuseMissingOrWrongSignatures()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite, ct: Ct);
        await using var app = App(database);
        var client = app.CreateBrowserlikeClient();
        var form = Inbound(Phone, "Hi", "SM1");

        foreach (var path in SmsWebhooks.Paths)
        {
            using var unsigned = await client.PostAsync(path.TrimStart('/'), new FormUrlEncodedContent(form), Ct);
            Assert.Equal(HttpStatusCode.Forbidden, unsigned.StatusCode);
            using var wrongToken = await PostAsync(client, path, form, token: "another-token");
            Assert.Equal(HttpStatusCode.Forbidden, wrongToken.StatusCode);
            // Signed for the address the app sees rather than the public one Twilio called.
            using var wrongUrl = await PostAsync(client, path, form, TwilioSignature.Compute(AuthToken, "https://localhost" + path, form));
            Assert.Equal(HttpStatusCode.Forbidden, wrongUrl.StatusCode);
        }
    }

    [Fact]
    public async Task WebhooksRefuseEverythingWithoutAnAuthToken()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite, ct: Ct);
        await using var app = App(database, authToken: null);
        var client = app.CreateBrowserlikeClient();

        foreach (var path in SmsWebhooks.Paths)
        {
            using var response = await PostAsync(client, path, Inbound(Phone, "Hi", "SM1"), token: "");
            Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        }
    }

    [Fact]
    public async Task StatusMovesForwardNeverBackwardAndReplaysChangeNothing()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite, ct: Ct);
        var (_, message) = await SeedAsync(database, SmsStatus.Queued, "SMabc");
        await using var app = App(database);
        var client = app.CreateBrowserlikeClient();

        async Task<SmsMessage> PostStatusAsync(string status)
        {
            using var response = await PostAsync(client, SmsWebhooks.StatusPath, Status("SMabc", status));
            Assert.True(response.IsSuccessStatusCode, $"{status}: {(int)response.StatusCode}");
            await using var db = database.CreateDbContext();
            return await db.SmsMessages.AsNoTracking().SingleAsync(m => m.Id == message.Id, Ct);
        }

        Assert.Equal(SmsStatus.Sent, (await PostStatusAsync("sent")).Status);
        var delivered = await PostStatusAsync("delivered");
        Assert.Equal(SmsStatus.Delivered, delivered.Status);
        Assert.NotNull(delivered.DeliveredAt);
        var late = await PostStatusAsync("sent");
        Assert.Equal(SmsStatus.Delivered, late.Status);
        Assert.Equal(delivered.DeliveredAt, late.DeliveredAt);
        Assert.Equal(delivered.UpdatedAt, (await PostStatusAsync("delivered")).UpdatedAt);
        Assert.Equal(SmsStatus.Delivered, (await PostStatusAsync("undelivered")).Status);
    }

    [Fact]
    public async Task StatusForAnUnknownMessageIsAcknowledgedAndLogged()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite, ct: Ct);
        var (_, message) = await SeedAsync(database, SmsStatus.Queued, "SMknown");
        await using var app = App(database);

        using var response = await PostAsync(app.CreateBrowserlikeClient(), SmsWebhooks.StatusPath, Status("SMnobody", "delivered"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains(app.Log, line => line.Contains("SMnobody"));
        await using var db = database.CreateDbContext();
        Assert.Equal(SmsStatus.Queued, (await db.SmsMessages.SingleAsync(m => m.Id == message.Id, Ct)).Status);
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task StatusNamingAnOutboxRowAttachesItsSidOnlyWhenSignedOverTheFullUrl(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider, ct: Ct);
        var (_, message) = await SeedAsync(database, SmsStatus.Sending, null);
        await using (var db = database.CreateDbContext())
            await db.SmsMessages.Where(m => m.Id == message.Id).ExecuteUpdateAsync(s => s
                .SetProperty(m => m.LeaseOwner, "instance:1").SetProperty(m => m.LeaseUntil, DateTime.UtcNow.AddMinutes(1))
                .SetProperty(m => m.ErrorCode, "unknown-outcome"), Ct);
        await using var app = App(database);
        var client = app.CreateBrowserlikeClient();
        var path = $"{SmsWebhooks.StatusPath}?outboxId={message.Id}";
        var form = new Dictionary<string, string>(Status("SMlate", "sent")) { ["To"] = Phone };

        // Twilio signs the URL it called, query string included: a signature over the bare path is not Twilio's.
        using var bare = await PostAsync(client, path, form, TwilioSignature.Compute(AuthToken, PublicBaseUrl + SmsWebhooks.StatusPath, form));
        Assert.Equal(HttpStatusCode.Forbidden, bare.StatusCode);
        Assert.Null((await LoadAsync(database, message.Id)).ProviderId);

        // About another number: not this row's message, whatever the URL says.
        using var otherNumber = await PostAsync(client, path, new Dictionary<string, string>(form) { ["To"] = "+16175550999" });
        Assert.Equal(HttpStatusCode.OK, otherNumber.StatusCode);
        Assert.Null((await LoadAsync(database, message.Id)).ProviderId);

        using var signed = await PostAsync(client, path, form);
        Assert.Equal(HttpStatusCode.OK, signed.StatusCode);
        var attached = await LoadAsync(database, message.Id);
        Assert.Equal("SMlate", attached.ProviderId);
        Assert.Equal(SmsStatus.Sent, attached.Status);
        Assert.NotNull(attached.SentAt);
        Assert.Null(attached.LeaseOwner);
        Assert.Null(attached.LeaseUntil);
        Assert.Null(attached.ErrorCode);

        // Later updates find it by its SID; a second message made for the same row is reported, not attached over the first.
        using var delivered = await PostAsync(client, path, new Dictionary<string, string>(Status("SMlate", "delivered")) { ["To"] = Phone });
        Assert.Equal(SmsStatus.Delivered, (await LoadAsync(database, message.Id)).Status);
        using var twice = await PostAsync(client, path, new Dictionary<string, string>(Status("SMagain", "sent")) { ["To"] = Phone });
        Assert.Equal(HttpStatusCode.OK, twice.StatusCode);
        Assert.Equal("SMlate", (await LoadAsync(database, message.Id)).ProviderId);
        Assert.Contains(app.Log, line => line.Contains("SMagain") && line.Contains("twice"));
    }

    [Fact]
    public async Task TwilioModeRefusesToStartWithoutAnAddressForDeliveryReports()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite, ct: Ct);
        Dictionary<string, string?> Settings(string? key = null, string? value = null)
        {
            var settings = new Dictionary<string, string?>
            {
                ["Sms:Provider"] = "Twilio", ["Sms:Twilio:AccountSid"] = FakeTwilio.AccountSid, ["Sms:Twilio:AuthToken"] = FakeTwilio.AuthToken,
                ["Sms:Twilio:From"] = FakeTwilio.From, ["Sms:RunDispatcher"] = "false", ["Sms:RunReminderScan"] = "false",
            };
            if (key is not null) settings[key] = value;
            return settings;
        }

        var error = (await SecurityTestApp.StartupErrorAsync(database, Settings())).ToString();
        Assert.Contains("set Sms:PublicBaseUrl", error);
        Assert.Contains("Sms:Twilio:StatusCallbackUrl", error);
        Assert.Contains("Sms:PublicBaseUrl must be an absolute http(s) URL",
            (await SecurityTestApp.StartupErrorAsync(database, Settings("Sms:PublicBaseUrl", "admin.example.com"))).ToString());

        foreach (var (key, value) in new[]
                 {
                     ("Sms:PublicBaseUrl", "https://admin.example.com"), ("Sms:Twilio:StatusCallbackUrl", "https://hooks.example.com/sms/twilio/status"),
                 })
        {
            await using var app = new SecurityTestApp(database, Settings(key, value));
            using var response = await app.CreateBrowserlikeClient().GetAsync("account/sign-in", Ct);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task EveryStatusChangeWritesOneSmsStatusChangedEventTheAttachedCallbackAndAStopReplyIncluded(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider, ct: Ct);
        // The send's answer was lost: the row is in Sending without a SID, and Twilio's callback names the row.
        var (customer, lost) = await SeedAsync(database, SmsStatus.Sending, null);
        SmsMessage waiting;
        await using (var db = database.CreateDbContext())
        {
            await db.SmsMessages.Where(m => m.Id == lost.Id).ExecuteUpdateAsync(s => s
                .SetProperty(m => m.LeaseOwner, "instance:1").SetProperty(m => m.LeaseUntil, DateTime.UtcNow.AddMinutes(1)), Ct);
            waiting = new SmsMessage
            {
                CustomerId = customer.Id, Kind = SmsKind.Reminder24Hour, To = Phone, Body = "Tomorrow", Status = SmsStatus.Pending,
                NextAttemptAt = DateTime.UtcNow.AddHours(1), CreatedAt = DateTime.UtcNow, UpdatedAt = DateTime.UtcNow,
            };
            db.SmsMessages.Add(waiting);
            await db.SaveChangesAsync(Ct);
        }
        await using var app = App(database, extra: new() { ["Webhooks:RunDispatcher"] = "false" });
        await app.Services.GetRequiredService<WebhookOperations>().CreateAsync("https://receiver.example.com/hooks", [WebhookEvents.SmsStatusChanged], ct: Ct);
        var client = app.CreateBrowserlikeClient();
        var path = $"{SmsWebhooks.StatusPath}?outboxId={lost.Id}";

        using var attached = await PostAsync(client, path, new Dictionary<string, string>(Status("SMlate", "sent")) { ["To"] = Phone });
        Assert.Equal(HttpStatusCode.OK, attached.StatusCode);
        for (var replay = 0; replay < 2; replay++)
        {
            using var delivered = await PostAsync(client, path, new Dictionary<string, string>(Status("SMlate", "delivered")) { ["To"] = Phone });
            Assert.Equal(HttpStatusCode.OK, delivered.StatusCode);
        }
        // A late "sent" after "delivered" moves nothing, so it says nothing.
        using var late = await PostAsync(client, path, new Dictionary<string, string>(Status("SMlate", "sent")) { ["To"] = Phone });
        using var stop = await PostAsync(client, SmsWebhooks.InboundPath, Inbound(Phone, "STOP", "SMstop"));
        Assert.Equal(HttpStatusCode.OK, stop.StatusCode);

        await using (var db = database.CreateDbContext())
        {
            var events = (await db.WebhookDeliveries.AsNoTracking().Where(d => d.EventType == WebhookEvents.SmsStatusChanged)
                    .OrderBy(d => d.Id).Select(d => d.Payload).ToListAsync(Ct))
                .Select(p => JsonDocument.Parse(p).RootElement.GetProperty("data"))
                .Select(d => (d.GetProperty("id").GetInt64(), d.GetProperty("customerId").GetInt32(), d.GetProperty("status").GetString()))
                .ToList();
            Assert.Equal([(lost.Id, customer.Id, "Sent"), (lost.Id, customer.Id, "Delivered"), (waiting.Id, customer.Id, "Skipped")], events);
        }
    }

    [Fact]
    public async Task StopOptsOutAndSkipsPendingMessagesThenStartOptsBackIn()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite, ct: Ct);
        var (customer, pending) = await SeedAsync(database, SmsStatus.Pending, null);
        await using var app = App(database);
        var client = app.CreateBrowserlikeClient();

        for (var replay = 0; replay < 2; replay++)
        {
            using var stop = await PostAsync(client, SmsWebhooks.InboundPath, Inbound(Phone, "  stop \n", "SMstop"));
            Assert.Equal(HttpStatusCode.OK, stop.StatusCode);
            Assert.Contains("<Response/>", await stop.Content.ReadAsStringAsync(Ct));
        }
        await using (var db = database.CreateDbContext())
        {
            var optedOut = await db.Customers.AsNoTracking().SingleAsync(c => c.Id == customer.Id, Ct);
            Assert.False(optedOut.SmsOptedIn);
            Assert.NotNull(optedOut.SmsOptedOutAt);
            Assert.Equal("sms:STOP", optedOut.SmsOptOutSource);
            var skipped = await db.SmsMessages.AsNoTracking().SingleAsync(m => m.Id == pending.Id, Ct);
            Assert.Equal(SmsStatus.Skipped, skipped.Status);
            Assert.Equal("opted-out", skipped.ErrorCode);
            Assert.Single(await db.Activities.Where(a => a.CustomerId == customer.Id && a.Kind == ActivityKind.SmsOptedOut).ToListAsync(Ct));
        }

        using var start = await PostAsync(client, SmsWebhooks.InboundPath, Inbound(Phone, "Start", "SMstart"));
        Assert.Equal(HttpStatusCode.OK, start.StatusCode);
        await using (var db = database.CreateDbContext())
        {
            var optedIn = await db.Customers.AsNoTracking().SingleAsync(c => c.Id == customer.Id, Ct);
            Assert.True(optedIn.SmsOptedIn);
            Assert.False(optedIn.SmsOptedOut);
            Assert.NotNull(optedIn.SmsOptedInAt);
            Assert.Equal("sms:START", optedIn.SmsOptInSource);
            Assert.Single(await db.Activities.Where(a => a.CustomerId == customer.Id && a.Kind == ActivityKind.SmsOptedIn).ToListAsync(Ct));
        }
    }

    [Fact]
    public async Task OtherReplyLandsOnTheTimelineOnceEvenWhenReplayed()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite, ct: Ct);
        var (customer, _) = await SeedAsync(database, SmsStatus.Delivered, "SMout");
        await using var app = App(database);
        var client = app.CreateBrowserlikeClient();

        for (var replay = 0; replay < 2; replay++)
        {
            using var response = await PostAsync(client, SmsWebhooks.InboundPath, Inbound(Phone, "Can I bring a friend? STOP by later", "SMreply"));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        await using var db = database.CreateDbContext();
        var reply = Assert.Single(await db.Activities.Where(a => a.CustomerId == customer.Id && a.Kind == ActivityKind.SmsReply).ToListAsync(Ct));
        Assert.Equal("SMS reply", reply.Subject);
        Assert.Equal("Can I bring a friend? STOP by later", reply.Body);
        Assert.True((await db.Customers.SingleAsync(c => c.Id == customer.Id, Ct)).SmsOptedIn);
    }

    [Fact]
    public async Task ReplyFromAnUnknownNumberIsAcknowledgedAndNotStored()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite, ct: Ct);
        await SeedAsync(database, SmsStatus.Delivered, "SMout");
        await using var app = App(database);

        using var response = await PostAsync(app.CreateBrowserlikeClient(), SmsWebhooks.InboundPath, Inbound("+19995550000", "STOP", "SMx"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await using var db = database.CreateDbContext();
        Assert.Empty(await db.Activities.Where(a => a.Kind == ActivityKind.SmsReply || a.Kind == ActivityKind.SmsOptedOut).ToListAsync(Ct));
        Assert.Contains(app.Log, line => line.Contains("SMx"));
    }
}
