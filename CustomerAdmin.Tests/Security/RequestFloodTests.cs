using System.Net;
using System.Security.Claims;
using CustomerAdmin.Features.Sms;
using CustomerAdmin.Features.Sms.Reminders;
using CustomerAdmin.Features.Sms.Sending;
using CustomerAdmin.Features.Sms.Templates;
using CustomerAdmin.Features.Sms.Webhooks;
using CustomerAdmin.Data;
using CustomerAdmin.Security;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace CustomerAdmin.Tests.Security;

/// <summary>
/// What anonymous callers can throw at the app: refused webhook calls and oversized forms cost a bounded amount of
/// log and no server error; one user cannot open circuits without end.
/// </summary>
public sealed class RequestFloodTests
{
    private const string AuthToken = "flood-test-token";
    private const string PublicBaseUrl = "https://admin.example.com";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task AHundredRefusedWebhookCallsWriteABoundedNumberOfWarnings()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite, ct: Ct);
        await using var app = new SecurityTestApp(database, new Dictionary<string, string?>
        {
            ["Sms:Twilio:AuthToken"] = AuthToken, ["Sms:PublicBaseUrl"] = PublicBaseUrl, ["Sms:RunDispatcher"] = "false",
        });
        var client = app.CreateBrowserlikeClient();

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 100; i++)
        {
            var path = i % 2 == 0 ? SmsWebhooks.StatusPath : SmsWebhooks.InboundPath;
            using var request = new HttpRequestMessage(HttpMethod.Post, path.TrimStart('/'))
            {
                Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["MessageSid"] = $"SM{i}", ["MessageStatus"] = "delivered" }),
            };
            request.Headers.Add(TwilioSignature.Header, "forged-signature");
            using var response = await client.SendAsync(request, Ct);
            statuses.Add(response.StatusCode);
        }

        Assert.All(statuses, s => Assert.Equal(HttpStatusCode.Forbidden, s));
        var warnings = app.Entries.Where(e => e.Level >= LogLevel.Warning && e.Message.Contains("Twilio webhook")).ToList();
        Assert.InRange(warnings.Count, 1, LogThrottle.PerMinute);
    }

    [Fact]
    public async Task WebhookCallsWithoutAConfiguredTokenWarnABoundedNumberOfTimes()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite, ct: Ct);
        await using var app = new SecurityTestApp(database, new Dictionary<string, string?> { ["Sms:RunDispatcher"] = "false" });
        var client = app.CreateBrowserlikeClient();

        for (var i = 0; i < 100; i++)
        {
            using var response = await client.PostAsync(SmsWebhooks.InboundPath.TrimStart('/'),
                new FormUrlEncodedContent(new Dictionary<string, string> { ["Body"] = "hi" }), Ct);
            Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        }

        Assert.InRange(app.Entries.Count(e => e.Level >= LogLevel.Warning && e.Message.Contains("AuthToken is not set")), 1, LogThrottle.PerMinute);
    }

    [Theory]
    [InlineData("account/sign-in", 5_000_000, true)]
    [InlineData("account/sign-in", 100_000, true)]
    [InlineData("account/sign-in", 5_000_000, false)]
    [InlineData("sms/twilio/inbound", 5_000_000, true)]
    [InlineData("sms/twilio/status", 5_000_000, false)]
    public async Task OversizedAnonymousFormsGet413AndNoErrorLog(string path, int size, bool withLength)
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite, ct: Ct);
        await using var app = new SecurityTestApp(database, new Dictionary<string, string?>
        {
            ["Sms:Twilio:AuthToken"] = AuthToken, ["Sms:PublicBaseUrl"] = PublicBaseUrl, ["Sms:RunDispatcher"] = "false",
        });
        var client = app.CreateBrowserlikeClient();
        var page = await client.GetStringAsync("account/sign-in", Ct);
        var form = new Dictionary<string, string>
        {
            ["_handler"] = "sign-in", ["__RequestVerificationToken"] = SignInLimitTests.Token(page),
            ["Input.Email"] = "a@b.c", ["Input.Password"] = new string('x', size), ["Body"] = "hello", ["From"] = "+16175550123",
        };
        var encoded = await new FormUrlEncodedContent(form).ReadAsByteArrayAsync(Ct);
        // Without a length the body arrives chunked and is cut off while it is read.
        HttpContent content = withLength ? new ByteArrayContent(encoded) : new StreamContent(new UnknownLengthStream(encoded));
        content.Headers.ContentType = new("application/x-www-form-urlencoded");
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = content };
        request.Headers.Add(TwilioSignature.Header, TwilioSignature.Compute(AuthToken, PublicBaseUrl + "/" + path, form));

        using var response = await client.SendAsync(request, Ct);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.DoesNotContain(app.Entries, e => e.Level >= LogLevel.Error);
        Assert.Single(app.Entries, e => e.Level == LogLevel.Warning && e.Message.Contains("Refused an anonymous form"));
    }

    [Fact]
    public async Task ASmallAnonymousFormIsStillRead()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite, ct: Ct);
        await using var app = new SecurityTestApp(database);
        var (email, password) = await app.CreateUserAsync(AppRoles.Staff);

        using var response = await SecurityTestApp.PostSignInAsync(app.CreateBrowserlikeClient(), email, password);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
    }

    [Fact]
    public async Task TheEleventhCircuitOfAUserIsRefusedUntilOneCloses()
    {
        var circuits = new UserCircuits();
        var options = Options.Create(new SecurityOptions());
        var throttle = new LogThrottle(TimeProvider.System);
        CircuitAdmission Open(string userId) =>
            new(new FixedUser(userId), circuits, options, throttle, NullLogger<CircuitAdmission>.Instance);

        var admitted = new List<CircuitAdmission>();
        for (var i = 0; i < options.Value.MaxCircuitsPerUser; i++)
        {
            var circuit = Open("ada");
            await circuit.OnCircuitOpenedAsync(null!, Ct);
            Assert.False(circuit.Refused);
            admitted.Add(circuit);
        }
        var eleventh = Open("ada");
        await eleventh.OnCircuitOpenedAsync(null!, Ct);
        var otherUser = Open("grace");
        await otherUser.OnCircuitOpenedAsync(null!, Ct);

        Assert.True(eleventh.Refused);
        Assert.False(otherUser.Refused);
        // A refused circuit is not counted, so closing it frees nothing; closing an admitted one does.
        await eleventh.OnCircuitClosedAsync(null!, Ct);
        Assert.Equal(10, circuits.OpenFor("ada"));
        await admitted[0].OnCircuitClosedAsync(null!, Ct);
        var next = Open("ada");
        await next.OnCircuitOpenedAsync(null!, Ct);
        Assert.False(next.Refused);
        Assert.Equal(10, circuits.OpenFor("ada"));
    }

    private sealed class FixedUser(string userId) : AuthenticationStateProvider
    {
        public override Task<AuthenticationState> GetAuthenticationStateAsync() => Task.FromResult(new AuthenticationState(
            new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.NameIdentifier, userId)], "Test"))));
    }

    /// <summary>A body whose length the client cannot know in advance.</summary>
    private sealed class UnknownLengthStream(byte[] content) : MemoryStream(content)
    {
        public override bool CanSeek => false;
        public override long Length => throw new NotSupportedException();
    }
}
