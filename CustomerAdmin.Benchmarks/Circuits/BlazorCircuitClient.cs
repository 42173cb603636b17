using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.AspNetCore.SignalR.Protocol;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace CustomerAdmin.Benchmarks.Circuits;

/// <summary>
/// One staff member's tab without a browser: signs in over HTTP, reads the prerendered page's root component markers,
/// opens a circuit on <c>/_blazor</c> with the blazorpack protocol and starts it as blazor.web.js does in .NET 10
/// (<c>StartCircuit</c> with no components, then <c>UpdateRootComponents</c> with the markers), applies and acknowledges
/// every render batch into a <see cref="Dom"/>, answers the JS interop calls the app and MudBlazor make, dispatches
/// browser events through the renderer's interop object and follows navigations. Written from what .NET 10's
/// blazor.web.js (10.0.12) sends and expects, and checked against the ASP.NET Core team's old test client Ignitor (its
/// <c>ElementHive</c> applies edits the same way); its own code.
/// </summary>
internal sealed partial class BlazorCircuitClient : IAsyncDisposable
{
    private static readonly ConcurrentDictionary<string, bool> ReportedInterop = new();
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private readonly HttpClient _http;
    private HubConnection _hub = null!;
    private readonly Dom _dom = new();
    private readonly Lock _lock = new();
    private readonly List<(Func<Dom, bool> Condition, TaskCompletionSource<long> Met)> _waiters = [];
    private readonly ConcurrentDictionary<string, TaskCompletionSource<bool>> _dotNetCalls = new();
    private readonly ConcurrentDictionary<int, TaskCompletionSource<bool>> _locationChanging = new();
    private long _rendererObjectId = -1;
    private int _nextCallId;
    private int _nextJsObjectId;
    private int _navigations;
    private bool _hasLocationChangingListeners;
    private string? _circuitSecret;

    private BlazorCircuitClient(HttpClient http, string uri)
    {
        _http = http;
        Uri = uri;
    }

    /// <summary>The address the tab is on (as its history would show it).</summary>
    public string Uri { get; private set; }

    public string Path => new Uri(Uri).AbsolutePath;

    /// <summary>What went wrong in this circuit: <c>JS.Error</c>, failed event dispatches, connection errors.</summary>
    public ConcurrentQueue<string> Errors { get; } = new();

    public int Batches { get; private set; }

    /// <summary>How many navigations the tab has made (links followed and those .NET asked for).</summary>
    public int Navigations => _navigations;

    /// <summary>The circuit failed (<c>JS.Error</c>) or its connection closed: nothing more can be done with it.</summary>
    public bool Dead { get; private set; }

    /// <summary>Signs in through the sign-in form, opens <paramref name="firstPage"/> (the customer list by default) and
    /// returns once the circuit is interactive (the layout's <c>data-interactive="true"</c> rendered).</summary>
    public static async Task<BlazorCircuitClient> OpenAsync(AppProcess app, (string Email, string Password) user, string firstPage = "customers")
    {
        var cookies = new CookieContainer();
        var http = app.CreateHttpClient(cookies);
        await AppProcess.SignInAsync(http, user.Email, user.Password);
        var pageUri = new Uri(app.BaseUrl, firstPage).ToString();
        var html = await http.GetStringAsync(pageUri);
        var markers = Markers().Matches(html).Select(m => JsonNode.Parse(m.Groups[1].Value)!)
            .Where(m => (string?)m["type"] == "server").ToList();
        if (markers.Count == 0) throw new InvalidOperationException($"No interactive server component on {pageUri}.");
        var state = ServerState().Match(html) is { Success: true } s ? s.Groups[1].Value : "";

        var hubBuilder = new HubConnectionBuilder()
            .WithUrl(new Uri(app.BaseUrl, "_blazor"), HttpTransportType.WebSockets, o =>
            {
                o.Cookies = cookies;
                o.SkipNegotiation = true;
            });
        hubBuilder.Services.AddSingleton<IHubProtocol, BlazorPackProtocol>();
        var client = new BlazorCircuitClient(http, pageUri);
        hubBuilder.Services.AddLogging(l => l.AddProvider(new ErrorLog(client.Errors)).SetMinimumLevel(LogLevel.Warning));
        var hub = client._hub = hubBuilder.Build();
        client.Listen();
        try
        {
            await hub.StartAsync();
            client._circuitSecret = await hub.InvokeAsync<string?>("StartCircuit", app.BaseUrl.ToString(), pageUri, "[]", state)
                ?? throw new InvalidOperationException($"The server refused to start a circuit: {string.Join("; ", client.Errors)}");
            var operations = new JsonObject
            {
                ["batchId"] = 1,
                ["operations"] = new JsonArray(markers.Select((marker, i) => (JsonNode)new JsonObject
                {
                    ["type"] = "add", ["ssrComponentId"] = i + 1, ["marker"] = marker,
                }).ToArray()),
            };
            await hub.SendAsync("UpdateRootComponents", operations.ToJsonString(), state);
            await client.WaitAsync(dom => dom.Elements().Any(e => e["data-interactive"] == "true"), TimeSpan.FromSeconds(300));
            return client;
        }
        catch
        {
            await client.DisposeAsync();
            throw;
        }
    }

    [GeneratedRegex(@"<!--Blazor:(\{.*?\})-->", RegexOptions.Singleline)]
    private static partial Regex Markers();

    [GeneratedRegex(@"<!--Blazor-Server-Component-State:([A-Za-z0-9+/=]+)-->")]
    private static partial Regex ServerState();

    private void Listen()
    {
        _hub.On("JS.RenderBatch", [typeof(long), typeof(byte[])], args => OnRenderBatchAsync((long)args[0]!, (byte[])args[1]!));
        _hub.On("JS.BeginInvokeJS", [typeof(long), typeof(string), typeof(string), typeof(int), typeof(long), typeof(int)],
            args => OnInvokeJSAsync((long)args[0]!, (string)args[1]!, (string?)args[2], (int)args[3]!));
        _hub.On("JS.EndInvokeDotNet", [typeof(string), typeof(bool), typeof(string)], args =>
        {
            var (callId, succeeded, result) = ((string)args[0]!, (bool)args[1]!, (string?)args[2]);
            if (!succeeded) Errors.Enqueue($"event dispatch failed: {result}");
            if (_dotNetCalls.TryRemove(callId, out var call)) call.TrySetResult(succeeded);
            return Task.CompletedTask;
        });
        _hub.On("JS.EndLocationChanging", [typeof(int), typeof(bool)], args =>
        {
            if (_locationChanging.TryRemove((int)args[0]!, out var call)) call.TrySetResult((bool)args[1]!);
            return Task.CompletedTask;
        });
        _hub.On("JS.Error", [typeof(string)], args =>
        {
            Errors.Enqueue($"JS.Error: {args[0]}");
            Dead = true;
            FailWaiters(new InvalidOperationException($"The circuit failed: {args[0]}"));
            return Task.CompletedTask;
        });
        _hub.On("JS.EndUpdateRootComponents", [typeof(long)], _ => Task.CompletedTask);
        _hub.On("JS.AttachComponent", [typeof(int), typeof(string)], _ => Task.CompletedTask);
        _hub.Closed += error =>
        {
            if (error is not null) Errors.Enqueue($"connection closed: {error.Message}");
            Dead = true;
            FailWaiters(new InvalidOperationException("The circuit's connection closed."));
            return Task.CompletedTask;
        };
    }

    private async Task OnRenderBatchAsync(long batchId, byte[] batch)
    {
        var received = Stopwatch.GetTimestamp();
        string? error = null;
        lock (_lock)
        {
            try
            {
                RenderBatchReader.Apply(batch, _dom);
                Batches++;
            }
            catch (Exception ex) when (ex is InvalidOperationException or ArgumentException or IndexOutOfRangeException)
            {
                error = ex.ToString();
                Errors.Enqueue($"batch {batchId}: {ex.Message}");
            }
            for (var i = _waiters.Count - 1; i >= 0; i--)
            {
                if (!_waiters[i].Condition(_dom)) continue;
                _waiters[i].Met.TrySetResult(received);
                _waiters.RemoveAt(i);
            }
        }
        await _hub.SendAsync("OnRenderCompleted", batchId, error);
    }

    private void FailWaiters(Exception error)
    {
        lock (_lock)
        {
            foreach (var (_, met) in _waiters) met.TrySetException(error);
            _waiters.Clear();
        }
    }

    /// <summary>Resolves with the time (<see cref="Stopwatch.GetTimestamp"/>) the render batch that first made
    /// <paramref name="condition"/> true arrived, or now if it already is.</summary>
    public Task<long> WaitAsync(Func<Dom, bool> condition, TimeSpan timeout)
    {
        var met = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_lock)
        {
            if (condition(_dom)) return Task.FromResult(Stopwatch.GetTimestamp());
            _waiters.Add((condition, met));
        }
        var timer = new CancellationTokenSource(timeout);
        timer.Token.Register(() =>
        {
            lock (_lock) _waiters.RemoveAll(w => w.Met == met);
            met.TrySetException(new TimeoutException($"Timed out after {timeout.TotalSeconds:F0} s on {Path}."));
        });
        _ = met.Task.ContinueWith(_ => timer.Dispose(), TaskScheduler.Default);
        return met.Task;
    }

    /// <summary>Reads the page under the lock the render batches are applied under.</summary>
    public T Read<T>(Func<Dom, T> read)
    {
        lock (_lock) return read(_dom);
    }

    /// <summary>
    /// Sends <paramref name="eventName"/> to the handler <paramref name="element"/> holds for it, as blazor.web.js does:
    /// <c>DispatchEventAsync</c> on the renderer's interop object, with the field's new value for input and change.
    /// Returns once the send is out; the task it returns ends when the server has run the handler.
    /// </summary>
    public async Task<Task> DispatchAsync(ElementNode element, string eventName, object args, string? fieldValue = null)
    {
        var handlerId = Read(_ => element.Handlers.GetValueOrDefault(eventName));
        if (handlerId == 0) throw new InvalidOperationException($"No {eventName} handler on {element}.");
        var callId = Interlocked.Increment(ref _nextCallId).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var done = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        _dotNetCalls[callId] = done;
        var descriptor = new
        {
            eventHandlerId = handlerId, eventName,
            eventFieldInfo = fieldValue is null ? null : new { componentId = element.OwnerComponentId, fieldValue },
        };
        await _hub.SendAsync("BeginInvokeDotNetFromJS", callId, null, "DispatchEventAsync", _rendererObjectId,
            JsonSerializer.Serialize(new object[] { descriptor, args }, Json));
        return done.Task;
    }

    /// <summary>A click as a browser fires it: mousedown, mouseup and click, each to the nearest element handling it.</summary>
    public async Task ClickAsync(ElementNode element)
    {
        var sent = false;
        foreach (var name in (string[])["mousedown", "mouseup", "click"])
        {
            if (Read(_ => element.Handling(name)) is not { } target) continue;
            await DispatchAsync(target, name, new { type = name, detail = 1, button = 0, buttons = name == "mousedown" ? 1 : 0 });
            sent = true;
        }
        if (!sent) throw new InvalidOperationException($"Nothing handles a click on {element}.");
    }

    /// <summary>A link followed inside the app (the interactive router's navigation, as a click on an <c>a</c> does).</summary>
    public async Task FollowLinkAsync(string href)
    {
        var target = new Uri(new Uri(Uri), href).ToString();
        if (_hasLocationChangingListeners)
        {
            var callId = Interlocked.Increment(ref _nextCallId);
            var answer = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
            _locationChanging[callId] = answer;
            await _hub.SendAsync("OnLocationChanging", callId, target, null, true);
            if (!await answer.Task.WaitAsync(TimeSpan.FromSeconds(60))) return;
        }
        Uri = target;
        Interlocked.Increment(ref _navigations);
        await _hub.SendAsync("OnLocationChanged", target, null, true);
    }

    /// <summary>Ends the circuit as a closed tab does (the disconnect beacon), then the connection.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_circuitSecret is not null)
        {
            try
            {
                using var beacon = await _http.PostAsync("_blazor/disconnect",
                    new FormUrlEncodedContent(new Dictionary<string, string> { ["circuitId"] = _circuitSecret }));
            }
            catch (HttpRequestException)
            {
                // The server is going away; the connection's end below is enough.
            }
        }
        await _hub.DisposeAsync();
        _http.Dispose();
    }
}
