using System.Net;
using System.Text;
using CustomerAdmin.Features.Sms.Reminders;
using CustomerAdmin.Features.Sms.Sending;
using CustomerAdmin.Features.Sms.Webhooks;
using CustomerAdmin.Data;
using Microsoft.EntityFrameworkCore;

namespace CustomerAdmin.Tests.Features.Sms.Sending;

/// <summary>The dispatcher through the real Twilio sender against a fake Twilio on loopback, on SQLite unless stated.</summary>
public sealed class SmsDispatcherTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task SendsThroughTwilioAndStoresTheSidAndStatus()
    {
        await using var rig = await SmsRig.CreateAsync();
        var customer = await rig.CustomerAsync();
        var message = await rig.EnqueueAsync(customer, "You're booked for Jazz Night.");

        Assert.Equal(1, await rig.Dispatcher().DispatchDueAsync(Ct));

        var stored = await rig.LoadAsync(message.Id);
        var created = Assert.Single(rig.Twilio.Messages.Values);
        Assert.Equal(SmsStatus.Queued, stored.Status);
        Assert.Equal(created.Sid, stored.ProviderId);
        Assert.Equal(1, stored.Segments);
        Assert.Equal(rig.Now, stored.SentAt);
        Assert.Equal(1, stored.Attempts);
        Assert.Null(stored.LeaseOwner);
        var request = Assert.Single(rig.Posts);
        Assert.Equal(FakeTwilio.AccountSid, request.Account);
        Assert.Equal("Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{FakeTwilio.AccountSid}:{FakeTwilio.AuthToken}")),
            request.Authorization);
        Assert.Contains("application/json", request.Accept);
        Assert.Equal(customer.PrimaryPhone, request.Form["To"]);
        Assert.Equal(FakeTwilio.From, request.Form["From"]);
        Assert.Equal("You're booked for Jazz Night.", request.Form["Body"]);
        Assert.Equal($"https://admin.example.com/sms/twilio/status?outboxId={message.Id}", request.Form["StatusCallback"]);
    }

    [Fact]
    public async Task ApiKeyAndMessagingServiceAreUsedWhenConfigured()
    {
        await using var rig = await SmsRig.CreateAsync();
        rig.Options.Twilio.ApiKeySid = "SKkey";
        rig.Options.Twilio.ApiKeySecret = "key-secret";
        rig.Options.Twilio.MessagingServiceSid = "MGservice";
        rig.Options.Twilio.StatusCallbackUrl = "https://hooks.example.com/status?site=main";
        var message = await rig.EnqueueAsync(await rig.CustomerAsync(), "Hello");

        await rig.Dispatcher().DispatchDueAsync(Ct);

        var request = Assert.Single(rig.Posts);
        Assert.Equal("Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("SKkey:key-secret")), request.Authorization);
        Assert.Equal("MGservice", request.Form["MessagingServiceSid"]);
        Assert.False(request.Form.ContainsKey("From"));
        Assert.Equal($"https://hooks.example.com/status?site=main&outboxId={message.Id}", request.Form["StatusCallback"]);
    }

    [Fact]
    public async Task TooManyRequestsWaitsForRetryAfterThenSends()
    {
        await using var rig = await SmsRig.CreateAsync();
        rig.Options.RetryBaseDelay = TimeSpan.FromSeconds(1);
        rig.Twilio.OnSend = (_, n) => n == 1 ? FakeTwilioReply.Error(429, 20429, "Too Many Requests") with { RetryAfter = "120" } : null;
        var message = await rig.EnqueueAsync(await rig.CustomerAsync(), "Hello");
        var dispatcher = rig.Dispatcher();

        await dispatcher.DispatchDueAsync(Ct);
        var waiting = await rig.LoadAsync(message.Id);
        Assert.Equal(SmsStatus.Pending, waiting.Status);
        Assert.Equal(rig.Now.AddSeconds(120), waiting.NextAttemptAt);
        Assert.Equal("20429", waiting.ErrorCode);

        rig.Time.Advance(TimeSpan.FromSeconds(119));
        Assert.Equal(0, await dispatcher.DispatchDueAsync(Ct));
        rig.Time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(1, await dispatcher.DispatchDueAsync(Ct));

        var sent = await rig.LoadAsync(message.Id);
        Assert.Equal(SmsStatus.Queued, sent.Status);
        Assert.Equal(2, sent.Attempts);
        Assert.Equal(2, rig.Posts.Count);
        Assert.Single(rig.Twilio.Messages);
    }

    [Fact]
    public async Task ServerErrorsUntilAttemptsRunOutMarkTheMessageFailedNotLost()
    {
        await using var rig = await SmsRig.CreateAsync();
        rig.Options.MaxAttempts = 3;
        rig.Twilio.OnSend = (_, _) => FakeTwilioReply.Error(500, 20500, "Internal Server Error");
        var message = await rig.EnqueueAsync(await rig.CustomerAsync(), "Hello");
        var dispatcher = rig.Dispatcher();

        for (var i = 0; i < 5; i++)
        {
            await dispatcher.DispatchDueAsync(Ct);
            rig.Time.Advance(rig.Options.MaxRetryDelay * 1.25);
        }

        var failed = await rig.LoadAsync(message.Id);
        Assert.Equal(SmsStatus.Failed, failed.Status);
        Assert.Equal(3, failed.Attempts);
        Assert.Equal("20500", failed.ErrorCode);
        Assert.Contains("3 attempts", failed.ErrorMessage);
        Assert.Equal(3, rig.Posts.Count);
    }

    [Fact]
    public async Task InvalidNumberFailsAtOnceWithTwiliosCode()
    {
        await using var rig = await SmsRig.CreateAsync();
        rig.Twilio.OnSend = (_, _) => FakeTwilioReply.Error(400, 21211, "The 'To' number is not a valid phone number.");
        var message = await rig.EnqueueAsync(await rig.CustomerAsync(), "Hello");

        await rig.Dispatcher().DispatchDueAsync(Ct);
        rig.Time.Advance(TimeSpan.FromHours(1));
        await rig.Dispatcher().DispatchDueAsync(Ct);

        var failed = await rig.LoadAsync(message.Id);
        Assert.Equal(SmsStatus.Failed, failed.Status);
        Assert.Equal("21211", failed.ErrorCode);
        Assert.Equal("The 'To' number is not a valid phone number.", failed.ErrorMessage);
        Assert.Single(rig.Posts);
    }

    [Fact]
    public async Task UnsubscribedNumberOptsTheCustomerOutAndSkipsTheirOtherMessages()
    {
        await using var rig = await SmsRig.CreateAsync();
        rig.Twilio.OnSend = (_, _) => FakeTwilioReply.Error(400, 21610, "Attempt to send to unsubscribed recipient");
        var customer = await rig.CustomerAsync();
        var first = await rig.EnqueueAsync(customer, "Booked");
        var later = await rig.EnqueueAsync(customer, "Reminder", SmsKind.Reminder24Hour, change: m => m.NextAttemptAt = rig.Now.AddDays(1));

        await rig.Dispatcher().DispatchDueAsync(Ct);

        Assert.Equal("21610", (await rig.LoadAsync(first.Id)).ErrorCode);
        var skipped = await rig.LoadAsync(later.Id);
        Assert.Equal(SmsStatus.Skipped, skipped.Status);
        Assert.Equal("opted-out", skipped.ErrorCode);
        var stored = await rig.LoadCustomerAsync(customer.Id);
        Assert.False(stored.SmsOptedIn);
        Assert.Equal(rig.Now, stored.SmsOptedOutAt);
        Assert.Equal("twilio:21610", stored.SmsOptOutSource);
    }

    [Fact]
    public async Task CustomerWhoOptedOutAfterEnqueueIsSkipped()
    {
        await using var rig = await SmsRig.CreateAsync();
        var customer = await rig.CustomerAsync();
        var message = await rig.EnqueueAsync(customer, "Hello");
        await using (var db = rig.Database.CreateDbContext())
            await db.Customers.Where(c => c.Id == customer.Id).ExecuteUpdateAsync(s => s
                .SetProperty(c => c.SmsOptedIn, false).SetProperty(c => c.SmsOptedOutAt, rig.Now), Ct);

        await rig.Dispatcher().DispatchDueAsync(Ct);

        var skipped = await rig.LoadAsync(message.Id);
        Assert.Equal(SmsStatus.Skipped, skipped.Status);
        Assert.Equal("opted-out", skipped.ErrorCode);
        Assert.Empty(rig.Posts);
    }

    [Fact]
    public async Task TimedOutSendIsReconciledThenSentAgain()
    {
        await using var rig = await SmsRig.CreateAsync();
        // The first answer never comes in time. The timeout is long enough for the request to reach Twilio even on a
        // loaded machine (a request cut off before it arrives is another case: nothing to reconcile), and far shorter
        // than the answer's delay, so the outcome is unknown whatever the load.
        rig.Options.SendTimeout = TimeSpan.FromSeconds(1);
        rig.Twilio.OnSend = (_, n) => n == 1 ? new FakeTwilioReply(201, Delay: TimeSpan.FromMinutes(5)) : null;
        var message = await rig.EnqueueAsync(await rig.CustomerAsync(), "Hello");
        var dispatcher = rig.Dispatcher();

        await dispatcher.DispatchDueAsync(Ct);
        var unresolved = await rig.LoadAsync(message.Id);
        Assert.Equal(SmsStatus.Sending, unresolved.Status);
        Assert.Equal("unknown-outcome", unresolved.ErrorCode);
        Assert.Single(rig.Posts);
        // Every later answer comes at once: the rig's usual timeout keeps a slow machine from turning one of them (the
        // lookups, the resend) into a second unknown outcome.
        rig.Options.SendTimeout = TimeSpan.FromSeconds(10);

        // Not found at the first look, but still inside the unknown-outcome window: held and looked at again, not resent.
        rig.Time.Advance(rig.Options.MaxRetryDelay);
        await dispatcher.DispatchDueAsync(Ct);
        var held = await rig.LoadAsync(message.Id);
        Assert.Equal(SmsStatus.Sending, held.Status);
        Assert.Equal(1, held.Attempts);
        Assert.Single(rig.Posts);

        rig.Time.Advance(rig.Options.UnknownOutcomeWindow);
        await dispatcher.DispatchDueAsync(Ct);

        var sent = await rig.LoadAsync(message.Id);
        Assert.Equal(SmsStatus.Queued, sent.Status);
        Assert.Equal(Assert.Single(rig.Twilio.Messages.Values).Sid, sent.ProviderId);
        Assert.Equal(2, rig.Posts.Count);
        Assert.Equal(2, sent.Attempts);
        Assert.True(rig.Twilio.Requests.Count(r => r.Method == "GET") >= 2, "looked at Twilio's list before and at the window's end");
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task MessageTwilioCreatesAMinuteAfterTheTimeoutArrivesExactlyOnce(DatabaseProvider provider)
    {
        await using var rig = await SmsRig.CreateAsync(provider);
        rig.Options.SendTimeout = TimeSpan.FromMilliseconds(200);
        // The clock stands still while the request times out: a minute after it arrived is a minute after the timeout.
        rig.Twilio.OnSend = (_, n) => n == 1
            ? new FakeTwilioReply(201, Delay: TimeSpan.FromSeconds(5), CreateAfter: TimeSpan.FromSeconds(60))
            : null;
        var customer = await rig.CustomerAsync();
        var message = await rig.EnqueueAsync(customer, "You're booked for Jazz Night on Friday.");
        var dispatcher = rig.Dispatcher();

        await RunDispatcherAsync(rig, dispatcher, TimeSpan.FromMinutes(30));

        var arrived = Assert.Single(rig.Twilio.Messages.Values);
        Assert.Equal(1, rig.Twilio.SendsOf(customer.PrimaryPhone, message.Body));
        var stored = await rig.LoadAsync(message.Id);
        Assert.Equal(arrived.Sid, stored.ProviderId);
        Assert.Equal(SmsStatus.Sent, stored.Status);
        Assert.Null(stored.LeaseOwner);
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task TimedOutSendThatTwilioStillHoldsQueuedIsRecordedNotResent(DatabaseProvider provider)
    {
        await using var rig = await SmsRig.CreateAsync(provider);
        rig.Options.SendTimeout = TimeSpan.FromMilliseconds(200);
        rig.Twilio.StillQueued = true;
        rig.Twilio.OnSend = (_, n) => n == 1 ? new FakeTwilioReply(201, Delay: TimeSpan.FromSeconds(5), Create: true) : null;
        var customer = await rig.CustomerAsync();
        var message = await rig.EnqueueAsync(customer, "You're booked for Jazz Night on Friday.");
        var dispatcher = rig.Dispatcher();

        await RunDispatcherAsync(rig, dispatcher, TimeSpan.FromMinutes(30));

        var queued = Assert.Single(rig.Twilio.Messages.Values);
        Assert.Null(queued.SentUtc);
        Assert.Single(rig.Posts);
        var stored = await rig.LoadAsync(message.Id);
        Assert.Equal(queued.Sid, stored.ProviderId);
        Assert.Equal(SmsStatus.Queued, stored.Status);
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task CrashedSendThatTwilioStillHoldsQueuedIsRecordedNotResent(DatabaseProvider provider)
    {
        await using var rig = await SmsRig.CreateAsync(provider);
        rig.Twilio.ListPageSize = 2;
        var customer = await rig.CustomerAsync();
        var message = await rig.EnqueueAsync(customer, "You're booked", change: m => Crashed(m, rig.Now));
        var queued = rig.Twilio.Add(customer.PrimaryPhone, "You're booked", rig.Now.AddMinutes(-3).AddSeconds(1), "queued");
        // A customer with a long history: two years of messages behind the queued one, which paging must not walk through.
        for (var i = 0; i < 200; i++)
            rig.Twilio.Add(customer.PrimaryPhone, i % 10 == 0 ? "You're booked" : $"Reminder {i}", rig.Now.AddDays(-3 - 3.5 * i));

        Assert.Equal(1, await rig.Dispatcher().DispatchDueAsync(Ct));

        var stored = await rig.LoadAsync(message.Id);
        Assert.Equal(queued.Sid, stored.ProviderId);
        Assert.Equal(SmsStatus.Queued, stored.Status);
        Assert.Null(stored.LeaseOwner);
        Assert.Empty(rig.Posts);
        Assert.Single(rig.Twilio.Requests, r => r.Method == "GET");
        Assert.DoesNotContain("DateSent", Assert.Single(rig.Twilio.Requests).PathAndQuery);
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task MessageCreatedAfterTheTimeoutReportsItselfThroughItsStatusCallback(DatabaseProvider provider)
    {
        await using var rig = await SmsRig.CreateAsync(provider);
        rig.Options.SendTimeout = TimeSpan.FromMilliseconds(200);
        rig.Twilio.OnSend = (_, n) => n == 1
            ? new FakeTwilioReply(201, Delay: TimeSpan.FromSeconds(5), CreateAfter: TimeSpan.FromSeconds(60))
            : null;
        var customer = await rig.CustomerAsync();
        var message = await rig.EnqueueAsync(customer, "You're booked for Jazz Night on Friday.");
        // Another instance of the app receives Twilio's callbacks, at the address the sender gave Twilio.
        await using var app = new SecurityTestApp(rig.Database, new Dictionary<string, string?>
        {
            ["Sms:Twilio:AuthToken"] = FakeTwilio.AuthToken, ["Sms:PublicBaseUrl"] = rig.Options.PublicBaseUrl,
            ["Sms:RunDispatcher"] = "false", ["Sms:RunReminderScan"] = "false",
        });
        var client = app.CreateBrowserlikeClient();
        var dispatcher = rig.Dispatcher();

        await dispatcher.DispatchDueAsync(Ct);
        rig.Time.Advance(TimeSpan.FromSeconds(61));
        Assert.Equal([HttpStatusCode.OK], await rig.Twilio.DeliverStatusCallbacksAsync(client, Ct));

        var created = Assert.Single(rig.Twilio.Messages.Values);
        var reported = await rig.LoadAsync(message.Id);
        Assert.Equal(created.Sid, reported.ProviderId);
        Assert.Equal(SmsStatus.Sent, reported.Status);
        Assert.Null(reported.LeaseOwner);
        Assert.Null(reported.ErrorCode);
        Assert.DoesNotContain(rig.Twilio.Requests, r => r.Method == "GET");

        // The dispatcher has nothing left to resolve or send for it, however long it runs.
        await RunDispatcherAsync(rig, dispatcher, TimeSpan.FromMinutes(30));
        Assert.Single(rig.Posts);
        Assert.Single(rig.Twilio.Messages);
        Assert.Equal(created.Sid, (await rig.LoadAsync(message.Id)).ProviderId);
    }

    [Fact]
    public async Task TimedOutSendThatTwilioMadeIsRecordedNotResent()
    {
        await using var rig = await SmsRig.CreateAsync();
        rig.Options.SendTimeout = TimeSpan.FromMilliseconds(200);
        rig.Twilio.OnSend = (_, n) => n == 1 ? new FakeTwilioReply(201, Delay: TimeSpan.FromSeconds(5), Create: true) : null;
        var message = await rig.EnqueueAsync(await rig.CustomerAsync(), "Hello");
        var dispatcher = rig.Dispatcher();

        await dispatcher.DispatchDueAsync(Ct);
        rig.Time.Advance(rig.Options.MaxRetryDelay);
        await dispatcher.DispatchDueAsync(Ct);

        var sent = await rig.LoadAsync(message.Id);
        Assert.Equal(Assert.Single(rig.Twilio.Messages.Values).Sid, sent.ProviderId);
        Assert.Single(rig.Posts);
    }

    [Fact]
    public async Task CrashedSendThatTwilioHasIsRecordedNotResent()
    {
        await using var rig = await SmsRig.CreateAsync();
        rig.Twilio.ListPageSize = 2;
        var customer = await rig.CustomerAsync();
        var message = await rig.EnqueueAsync(customer, "You're booked", change: m => Crashed(m, rig.Now));
        // The one we want sits on the last page, behind newer messages to the same number.
        var ours = rig.Twilio.Add(customer.PrimaryPhone, "You're booked", rig.Now.AddMinutes(-3).AddSeconds(2), "delivered");
        for (var i = 0; i < 4; i++) rig.Twilio.Add(customer.PrimaryPhone, $"Other {i}", rig.Now.AddMinutes(-2));
        rig.Twilio.Add(customer.PrimaryPhone, "You're booked", rig.Now.AddDays(-3));

        Assert.Equal(1, await rig.Dispatcher().DispatchDueAsync(Ct));

        var stored = await rig.LoadAsync(message.Id);
        Assert.Equal(ours.Sid, stored.ProviderId);
        Assert.Equal(SmsStatus.Delivered, stored.Status);
        Assert.Null(stored.LeaseOwner);
        Assert.Empty(rig.Posts);
        Assert.True(rig.Twilio.Requests.Count(r => r.Method == "GET") >= 3, "the list was followed across pages");
    }

    [Fact]
    public async Task CrashedSendThatTwilioNeverGotIsSentExactlyOnce()
    {
        await using var rig = await SmsRig.CreateAsync();
        var customer = await rig.CustomerAsync();
        var message = await rig.EnqueueAsync(customer, "You're booked", change: m => Crashed(m, rig.Now));
        var dispatcher = rig.Dispatcher();

        await dispatcher.DispatchDueAsync(Ct);
        rig.Time.Advance(TimeSpan.FromHours(1));
        await dispatcher.DispatchDueAsync(Ct);

        var stored = await rig.LoadAsync(message.Id);
        Assert.Equal(SmsStatus.Queued, stored.Status);
        Assert.Equal(Assert.Single(rig.Twilio.Messages.Values).Sid, stored.ProviderId);
        Assert.Equal(1, rig.Twilio.SendsOf(customer.PrimaryPhone, "You're booked"));
        Assert.Equal(2, stored.Attempts);
    }

    [Fact]
    public async Task HtmlServerErrorIsRetriedLater()
    {
        await using var rig = await SmsRig.CreateAsync();
        rig.Twilio.OnSend = (_, n) => n == 1 ? FakeTwilioReply.Html(502) : null;
        var message = await rig.EnqueueAsync(await rig.CustomerAsync(), "Hello");
        var dispatcher = rig.Dispatcher();

        await dispatcher.DispatchDueAsync(Ct);
        var waiting = await rig.LoadAsync(message.Id);
        Assert.Equal(SmsStatus.Pending, waiting.Status);
        Assert.Equal("502", waiting.ErrorCode);
        Assert.True(waiting.NextAttemptAt > rig.Now);

        rig.Time.Advance(rig.Options.MaxRetryDelay);
        await dispatcher.DispatchDueAsync(Ct);
        Assert.Equal(SmsStatus.Queued, (await rig.LoadAsync(message.Id)).Status);
    }

    [Fact]
    public async Task SuccessWithoutReadableJsonIsReconciledNotResent()
    {
        await using var rig = await SmsRig.CreateAsync();
        rig.Twilio.OnSend = (_, n) => n == 1 ? new FakeTwilioReply(200, "OK", "text/plain", Create: true) : null;
        var message = await rig.EnqueueAsync(await rig.CustomerAsync(), "Hello");
        var dispatcher = rig.Dispatcher();

        await dispatcher.DispatchDueAsync(Ct);
        Assert.Equal(SmsStatus.Sending, (await rig.LoadAsync(message.Id)).Status);
        rig.Time.Advance(rig.Options.MaxRetryDelay);
        await dispatcher.DispatchDueAsync(Ct);

        Assert.Equal(Assert.Single(rig.Twilio.Messages.Values).Sid, (await rig.LoadAsync(message.Id)).ProviderId);
        Assert.Single(rig.Posts);
    }

    [Fact]
    public async Task QuietHoursHoldAutomaticMessagesUntilMorningButNotManualOnes()
    {
        await using var rig = await SmsRig.CreateAsync(start: new DateTimeOffset(2026, 6, 10, 22, 30, 0, TimeSpan.Zero));
        var customer = await rig.CustomerAsync();
        var reminder = await rig.EnqueueAsync(customer, "See you tomorrow", SmsKind.Reminder24Hour);
        var manual = await rig.EnqueueAsync(customer, "Your table is ready", SmsKind.Manual);
        var dispatcher = rig.Dispatcher();

        await dispatcher.DispatchDueAsync(Ct);

        var held = await rig.LoadAsync(reminder.Id);
        Assert.Equal(SmsStatus.Pending, held.Status);
        Assert.Equal(new DateTime(2026, 6, 11, 9, 0, 0, DateTimeKind.Utc), held.NextAttemptAt);
        Assert.Equal(0, held.Attempts);
        Assert.Equal(SmsStatus.Queued, (await rig.LoadAsync(manual.Id)).Status);

        rig.Time.SetUtcNow(new DateTimeOffset(2026, 6, 11, 9, 0, 0, TimeSpan.Zero));
        await dispatcher.DispatchDueAsync(Ct);
        Assert.Equal(SmsStatus.Queued, (await rig.LoadAsync(reminder.Id)).Status);
    }

    [Fact]
    public async Task FourthMessageToOneNumberInAnHourWaitsForAFreeSlot()
    {
        await using var rig = await SmsRig.CreateAsync();
        var customer = await rig.CustomerAsync();
        var messages = new List<SmsMessage>();
        for (var i = 1; i <= 4; i++) messages.Add(await rig.EnqueueAsync(customer, $"Message {i}"));
        var dispatcher = rig.Dispatcher();

        await dispatcher.DispatchDueAsync(Ct);

        Assert.Equal(3, rig.Posts.Count);
        var fourth = await rig.LoadAsync(messages[3].Id);
        Assert.Equal(SmsStatus.Pending, fourth.Status);
        Assert.Equal(rig.Now.AddHours(1), fourth.NextAttemptAt);

        rig.Time.Advance(TimeSpan.FromHours(1));
        await dispatcher.DispatchDueAsync(Ct);
        Assert.Equal(SmsStatus.Queued, (await rig.LoadAsync(messages[3].Id)).Status);
        Assert.Equal(4, rig.Posts.Count);
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task TwoDispatchersOnOneDatabaseSendEachMessageExactlyOnce(DatabaseProvider provider)
    {
        const int count = 1000;
        await using var rig = await SmsRig.CreateAsync(provider);
        rig.Options.BatchSize = 50;
        rig.Options.Concurrency = 8;
        rig.Twilio.RecordRequests = false;
        var customer = await rig.CustomerAsync();
        await using (var db = rig.Database.CreateDbContext())
        {
            for (var i = 0; i < count; i++)
                db.SmsMessages.Add(new SmsMessage
                {
                    CustomerId = customer.Id, Kind = SmsKind.Bulk, To = $"+1617555{i:D4}", Body = $"Bulk message {i}",
                    NextAttemptAt = rig.Now, CreatedAt = rig.Now, UpdatedAt = rig.Now,
                });
            await db.SaveChangesAsync(Ct);
        }
        SmsDispatcher[] dispatchers = [rig.Dispatcher(rig.OwnFactory()), rig.Dispatcher(rig.OwnFactory())];

        var claimed = await Task.WhenAll(dispatchers.Select(d => Task.Run(async () =>
        {
            var total = 0;
            while (await d.DispatchDueAsync(Ct) is var n && n > 0) total += n;
            return total;
        }, Ct)));

        Assert.Equal(count, claimed.Sum());
        Assert.Equal(count, rig.Twilio.SendCount);
        Assert.All(rig.Twilio.SendsByRecipientAndBody.Values, n => Assert.Equal(1, n));
        await using var check = rig.Database.CreateDbContext();
        Assert.Equal(count, await check.SmsMessages.CountAsync(m => m.Status == SmsStatus.Queued && m.ProviderId != null, Ct));
    }

    /// <summary>The dispatcher's loop on the fake clock: a pass every dispatch interval for <paramref name="duration"/>.</summary>
    private static async Task RunDispatcherAsync(SmsRig rig, SmsDispatcher dispatcher, TimeSpan duration)
    {
        for (var end = rig.Now + duration; rig.Now < end; rig.Time.Advance(rig.Options.DispatchInterval))
            await dispatcher.DispatchDueAsync(Ct);
    }

    /// <summary>The row an instance leaves behind when it dies mid-send: Sending, lease run out, attempt three minutes ago.</summary>
    private static void Crashed(SmsMessage message, DateTime now)
    {
        message.Status = SmsStatus.Sending;
        message.LeaseOwner = "dead-instance:1";
        message.LeaseUntil = now.AddMinutes(-1);
        message.LastAttemptAt = now.AddMinutes(-3);
        message.Attempts = 1;
    }
}
