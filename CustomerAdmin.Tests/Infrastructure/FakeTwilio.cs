using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace CustomerAdmin.Tests.Infrastructure;

/// <summary>
/// Twilio's Messages API as a real HTTP server on 127.0.0.1 (in-process Kestrel, a free port), so the app's
/// <c>TwilioSmsSender</c> is exercised over the wire. Records every request; answers 201 with a new message unless
/// <see cref="OnSend"/> scripts another answer. Like Twilio, the list endpoint returns newest first, its <c>DateSent</c>
/// filters apply to <c>date_sent</c> (which a message still queued does not have), and every message made from a request
/// with a <c>StatusCallback</c> can report itself there (<see cref="DeliverStatusCallbacksAsync"/>). Also linked into the
/// benchmark program.
/// </summary>
public sealed class FakeTwilio : IAsyncDisposable
{
    public const string AccountSid = "ACf00000000000000000000000000000fa";
    public const string AuthToken = "fake-twilio-auth-token";
    public const string From = "+15005550006";

    private readonly WebApplication _app;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<(string To, string Body), int> _sends = new();
    private readonly ConcurrentDictionary<string, FakeTwilioMessage> _messages = new();
    private readonly ConcurrentQueue<FakeTwilioMessage> _later = new();
    private readonly ConcurrentDictionary<string, byte> _reported = new();

    private FakeTwilio(WebApplication app, TimeProvider time)
    {
        _app = app;
        _time = time;
    }

    public string BaseUrl { get; private set; } = "";

    /// <summary>Every request, in arrival order. Off in the benchmark, where only the counts matter.</summary>
    public ConcurrentQueue<FakeTwilioRequest> Requests { get; } = new();
    public bool RecordRequests { get; set; } = true;

    /// <summary>The messages Twilio "has" (listed by the GET endpoint), by sid, as of the fake's clock; tests may add their own.</summary>
    public ConcurrentDictionary<string, FakeTwilioMessage> Messages
    {
        get
        {
            CreateDue();
            return _messages;
        }
    }

    /// <summary>Scripts a send: gets the request and how many times this To+Body was posted (1 for the first); null = created, 201.</summary>
    public Func<FakeTwilioRequest, int, FakeTwilioReply?>? OnSend { get; set; }

    /// <summary>Messages per page of the list endpoint (small in tests, so paging is exercised).</summary>
    public int ListPageSize { get; set; } = 50;

    /// <summary>Messages made from requests stay "queued" with no <c>date_sent</c> (Twilio accepted them and has not sent
    /// them yet: a backlog, a messaging service's queue); otherwise they are "sent" at once.</summary>
    public bool StillQueued { get; set; }

    public int SendCount => _sends.Values.Sum();
    public int SendsOf(string to, string body) => _sends.TryGetValue((to, body), out var n) ? n : 0;
    public IReadOnlyDictionary<(string To, string Body), int> SendsByRecipientAndBody => _sends;

    public static async Task<FakeTwilio> StartAsync(TimeProvider? time = null, CancellationToken ct = default)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var fake = new FakeTwilio(app, time ?? TimeProvider.System);
        app.MapPost("/2010-04-01/Accounts/{account}/Messages.json", (Delegate)fake.SendAsync);
        app.MapGet("/2010-04-01/Accounts/{account}/Messages.json", (Delegate)fake.ListAsync);
        await app.StartAsync(ct);
        fake.BaseUrl = app.Urls.First();
        return fake;
    }

    /// <summary>Adds a message Twilio has; one that is still queued or accepted has no sent date.</summary>
    public FakeTwilioMessage Add(string to, string body, DateTime createdUtc, string status = "delivered", string? statusCallback = null)
    {
        var message = new FakeTwilioMessage("SM" + Guid.NewGuid().ToString("N"), to, body, status, createdUtc,
            status is "queued" or "accepted" ? null : createdUtc, statusCallback);
        Messages[message.Sid] = message;
        return message;
    }

    /// <summary>
    /// Posts each message's status to its <c>StatusCallback</c> once, signed with <see cref="AuthToken"/> as Twilio signs
    /// (HMAC-SHA1 over the full URL, query string included, then the sorted parameters), through <paramref name="app"/>,
    /// a client of the app that Twilio's callback URL points at. Returns the app's answers.
    /// </summary>
    public async Task<IReadOnlyList<HttpStatusCode>> DeliverStatusCallbacksAsync(HttpClient app, CancellationToken ct = default)
    {
        var answers = new List<HttpStatusCode>();
        foreach (var message in Messages.Values.OrderBy(m => m.CreatedUtc))
        {
            if (message.StatusCallback is not { } callback || !_reported.TryAdd(message.Sid, 0)) continue;
            var form = new Dictionary<string, string>
            {
                ["AccountSid"] = AccountSid, ["ApiVersion"] = "2010-04-01", ["From"] = From, ["MessageSid"] = message.Sid,
                ["MessageStatus"] = message.Status, ["SmsSid"] = message.Sid, ["SmsStatus"] = message.Status, ["To"] = message.To,
            };
            using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(callback).PathAndQuery.TrimStart('/'))
            {
                Content = new FormUrlEncodedContent(form),
            };
            request.Headers.Add("X-Twilio-Signature", Sign(callback, form));
            using var response = await app.SendAsync(request, ct);
            answers.Add(response.StatusCode);
        }
        return answers;
    }

    private static string Sign(string url, Dictionary<string, string> form)
    {
        var data = new StringBuilder(url);
        foreach (var (name, value) in form.OrderBy(f => f.Key, StringComparer.Ordinal)) data.Append(name).Append(value);
        return Convert.ToBase64String(HMACSHA1.HashData(Encoding.UTF8.GetBytes(AuthToken), Encoding.UTF8.GetBytes(data.ToString())));
    }

    /// <summary>Messages whose creation was scripted for later (<see cref="FakeTwilioReply.CreateAfter"/>) exist once the clock reaches them.</summary>
    private void CreateDue()
    {
        var now = _time.GetUtcNow().UtcDateTime;
        for (var n = _later.Count; n > 0 && _later.TryDequeue(out var message); n--)
        {
            if (message.CreatedUtc <= now) _messages[message.Sid] = message;
            else _later.Enqueue(message);
        }
    }

    private async Task SendAsync(HttpContext context, string account)
    {
        var form = await context.Request.ReadFormAsync(context.RequestAborted);
        var request = new FakeTwilioRequest(context.Request.Method, context.Request.Path + context.Request.QueryString, account,
            form.ToDictionary(f => f.Key, f => f.Value.ToString()), context.Request.Headers.Authorization.ToString(),
            context.Request.Headers.Accept.ToString());
        if (RecordRequests) Requests.Enqueue(request);
        var to = request.Form.GetValueOrDefault("To") ?? "";
        var body = request.Form.GetValueOrDefault("Body") ?? "";
        var callback = request.Form.GetValueOrDefault("StatusCallback");
        var count = _sends.AddOrUpdate((to, body), 1, (_, n) => n + 1);
        var reply = OnSend?.Invoke(request, count);

        FakeTwilioMessage? created = null;
        var now = _time.GetUtcNow().UtcDateTime;
        if (reply is { CreateAfter: { } after })
            _later.Enqueue(new FakeTwilioMessage("SM" + Guid.NewGuid().ToString("N"), to, body, StillQueued ? "queued" : "sent",
                now + after, StillQueued ? null : now + after, callback));
        else if (reply is null || reply.Create)
        {
            var stored = Add(to, body, now, StillQueued ? "queued" : "sent", callback);
            // The create answer always says queued: Twilio answers before it sends.
            created = stored with { Status = "queued", SentUtc = null };
        }
        if (reply is { Delay: var delay } && delay > TimeSpan.Zero)
        {
            try { await Task.Delay(delay, context.RequestAborted); }
            catch (OperationCanceledException) { return; }
        }
        if (reply is null)
        {
            context.Response.StatusCode = StatusCodes.Status201Created;
            await context.Response.WriteAsJsonAsync(Json(created!, account), context.RequestAborted);
            return;
        }
        context.Response.StatusCode = reply.Status;
        if (reply.RetryAfter is not null) context.Response.Headers.RetryAfter = reply.RetryAfter;
        context.Response.ContentType = reply.ContentType;
        await context.Response.WriteAsync(reply.Body ?? (created is null ? "" : JsonSerializer.Serialize(Json(created, account))), context.RequestAborted);
    }

    private async Task ListAsync(HttpContext context, string account)
    {
        if (RecordRequests)
            Requests.Enqueue(new FakeTwilioRequest("GET", context.Request.Path + context.Request.QueryString, account,
                new Dictionary<string, string>(), context.Request.Headers.Authorization.ToString(), context.Request.Headers.Accept.ToString()));
        var query = context.Request.Query;
        var to = query["To"].ToString();
        DateTime? since = DateTime.TryParseExact(query["DateSent>"].ToString(), "yyyy-MM-dd", CultureInfo.InvariantCulture,
            DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var day) ? day : null;
        var page = int.TryParse(query["Page"], out var p) ? p : 0;
        // A message not sent yet has no date_sent, so any DateSent filter leaves it out, as Twilio's does.
        var all = Messages.Values.Where(m => m.To == to && (since is null || m.SentUtc >= since))
            .OrderByDescending(m => m.CreatedUtc).ToList();
        var slice = all.Skip(page * ListPageSize).Take(ListPageSize).ToList();
        string? next = (page + 1) * ListPageSize < all.Count
            ? $"/2010-04-01/Accounts/{account}/Messages.json?To={Uri.EscapeDataString(to)}&Page={page + 1}&PageToken=PA{page + 1}"
            : null;
        await context.Response.WriteAsJsonAsync(new Dictionary<string, object?>
        {
            ["messages"] = slice.Select(m => Json(m, account)).ToList(), ["next_page_uri"] = next, ["page"] = page,
        }, context.RequestAborted);
    }

    private static Dictionary<string, object?> Json(FakeTwilioMessage m, string account) => new()
    {
        ["sid"] = m.Sid, ["account_sid"] = account, ["to"] = m.To, ["from"] = From, ["body"] = m.Body, ["status"] = m.Status,
        ["direction"] = "outbound-api", ["num_segments"] = "1", ["error_code"] = null, ["error_message"] = null,
        ["date_created"] = m.CreatedUtc.ToString("ddd, dd MMM yyyy HH:mm:ss '+0000'", CultureInfo.InvariantCulture),
        ["date_sent"] = m.SentUtc?.ToString("ddd, dd MMM yyyy HH:mm:ss '+0000'", CultureInfo.InvariantCulture),
        ["price"] = null, ["uri"] = $"/2010-04-01/Accounts/{account}/Messages/{m.Sid}.json",
    };

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

public sealed record FakeTwilioRequest(string Method, string PathAndQuery, string Account, IReadOnlyDictionary<string, string> Form,
    string Authorization, string Accept);

public sealed record FakeTwilioMessage(string Sid, string To, string Body, string Status, DateTime CreatedUtc,
    DateTime? SentUtc = null, string? StatusCallback = null);

/// <summary>
/// A scripted answer. <see cref="Create"/>: Twilio made the message even though the answer says otherwise or is late.
/// <see cref="CreateAfter"/>: Twilio makes it only this long (on the fake's clock) after the request arrived, as a
/// backed-up Twilio can, long after the request timed out.
/// </summary>
public sealed record FakeTwilioReply(int Status, string? Body = null, string ContentType = "application/json",
    TimeSpan Delay = default, string? RetryAfter = null, bool Create = false, TimeSpan? CreateAfter = null)
{
    public static FakeTwilioReply Error(int status, int code, string message) => new(status,
        JsonSerializer.Serialize(new { code, message, more_info = $"https://www.twilio.com/docs/errors/{code}", status }));

    public static FakeTwilioReply Html(int status) =>
        new(status, "<html><body><h1>502 Bad Gateway</h1></body></html>", "text/html");
}
