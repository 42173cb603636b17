using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace CustomerAdmin.Tests.Infrastructure;

/// <summary>One POST as the receiver saw it: the headers the app signs with and the raw body.</summary>
public sealed record WebhookRequest(string? Id, string? Timestamp, string? Signature, string? ContentType, string Body);

/// <summary>
/// A webhook receiver as a real HTTP server on 127.0.0.1 (in-process Kestrel, a free port), so the app's dispatcher is
/// exercised over the wire. Records every POST and counts them by event id; answers 200 unless <see cref="Answer"/>
/// scripts another status (it gets the request and how many times that event id arrived, 1 for the first).
/// </summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, int> _byEventId = new();

    private WebhookReceiver(WebApplication app) => _app = app;

    public string Url { get; private set; } = "";
    public ConcurrentQueue<WebhookRequest> Requests { get; } = new();
    public Func<WebhookRequest, int, int>? Answer { get; set; }
    public IReadOnlyDictionary<string, int> ByEventId => _byEventId;

    public static async Task<WebhookReceiver> StartAsync(CancellationToken ct = default)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var receiver = new WebhookReceiver(app);
        app.MapPost("/hooks", (Delegate)receiver.ReceiveAsync);
        await app.StartAsync(ct);
        receiver.Url = app.Urls.First() + "/hooks";
        return receiver;
    }

    private async Task ReceiveAsync(HttpContext context)
    {
        using var reader = new StreamReader(context.Request.Body);
        var request = new WebhookRequest(context.Request.Headers["Webhook-Id"], context.Request.Headers["Webhook-Timestamp"],
            context.Request.Headers["Webhook-Signature"], context.Request.ContentType, await reader.ReadToEndAsync(context.RequestAborted));
        Requests.Enqueue(request);
        var seen = _byEventId.AddOrUpdate(request.Id ?? "", 1, (_, n) => n + 1);
        context.Response.StatusCode = Answer?.Invoke(request, seen) ?? 200;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
