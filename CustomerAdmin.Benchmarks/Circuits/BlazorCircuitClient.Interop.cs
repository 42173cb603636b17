using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.Logging;

namespace CustomerAdmin.Benchmarks.Circuits;

/// <summary>The JS interop side of <see cref="BlazorCircuitClient"/>: what it answers to <c>JS.BeginInvokeJS</c>, as the page would.</summary>
internal sealed partial class BlazorCircuitClient
{
    /// <summary>
    /// What a browser on this app answers to the JS interop calls the app, MudBlazor and the framework make (seen in runs
    /// against this app, 2026-12-07): a box's size for layout, the window's, MudBlazor's script present, one popover
    /// provider; null for the calls that return nothing (or nothing the app needs). Any other call is answered with
    /// null and reported once.
    /// </summary>
    private static readonly Dictionary<string, object?> Answers = new()
    {
        ["Blazor._internal.navigationManager.enableNavigationInterception"] = null,
        ["Blazor._internal.domWrapper.focusBySelector"] = null,
        ["Blazor._internal.domWrapper.focus"] = null,
        ["Blazor._internal.InputFile.init"] = null,
        ["window.hasOwnProperty"] = true,
        ["mudpopoverHelper.countProviders"] = 1,
        ["mudElementRef.getBoundingClientRect"] =
            new { top = 0, left = 0, width = 300, height = 40, windowHeight = 800, windowWidth = 1280, scrollX = 0, scrollY = 0 },
        ["mudResizeListener.getBrowserWindowSize"] = new { width = 1280, height = 800 },
        ["customerAdmin.getDarkMode"] = null,
        ["customerAdmin.shortcuts.attach"] = null,
        ["customerAdmin.shortcuts.detach"] = null,
        ["mudPopover.initialize"] = null,
        ["mudPopover.connect"] = null,
        ["mudPopover.disconnect"] = null,
        ["mudElementRef.addOnBlurEvent"] = null,
        ["mudElementRef.removeOnBlurEvent"] = null,
        ["mudKeyInterceptor.connect"] = null,
        ["mudKeyInterceptor.disconnect"] = null,
        ["mudThemeProvider.watchDarkMode"] = null,
        ["mudResizeListenerFactory.listenForResize"] = null,
        ["mudPointerEventsNone.listenForPointerEvents"] = null,
        ["mudPointerEventsNone.cancelListener"] = null,
        ["mudInputSizing.init"] = null,
        ["mudInputSizing.destroy"] = null,
    };

    private async Task OnInvokeJSAsync(long handle, string identifier, string? argsJson, int resultType)
    {
        object? result = null;
        switch (identifier)
        {
            case "Blazor._internal.attachWebRendererInterop":
                _rendererObjectId = (long)JsonNode.Parse(argsJson!)![1]!["__dotNetObject"]!;
                break;
            case "Blazor._internal.navigationManager.setHasLocationChangingListeners":
                _hasLocationChangingListeners = (bool)JsonNode.Parse(argsJson!)![1]!;
                break;
            case "Blazor._internal.navigationManager.navigateTo":
                var args = JsonNode.Parse(argsJson!)!;
                if ((bool?)args[1]?["forceLoad"] == true) Errors.Enqueue($"a full page load was asked for ({args[0]}): not followed");
                else
                {
                    // As blazor.web.js does for a navigation .NET asked for: the location-changing handlers already ran there.
                    Uri = new Uri(new Uri(Uri), (string)args[0]!).ToString();
                    Interlocked.Increment(ref _navigations);
                    await _hub.SendAsync("OnLocationChanged", Uri, (string?)args[1]?["historyEntryState"], false);
                }
                break;
            case "Blazor._internal.PageTitle.getAndRemoveExistingTitle":
                result = "";
                break;
            case var _ when resultType == 1:
                // A JS object reference (a module or an object the caller keeps): a fresh id.
                result = new Dictionary<string, int> { ["__jsObjectId"] = Interlocked.Increment(ref _nextJsObjectId) };
                break;
            default:
                if (!Answers.TryGetValue(identifier, out result) && ReportedInterop.TryAdd(identifier, true))
                    Console.WriteLine($"  protocol client: JS interop '{identifier}' (result type {resultType}) is unknown: answered with null");
                break;
        }
        if (handle != 0)
            await _hub.SendAsync("EndInvokeJSFromDotNet", handle, true, JsonSerializer.Serialize(new[] { handle, true, result }, Json));
    }

    /// <summary>Keeps what the SignalR client logs at Warning and above (bad arguments, failed handlers) as the circuit's errors.</summary>
    private sealed class ErrorLog(ConcurrentQueue<string> errors) : ILoggerProvider, ILogger
    {
        public ILogger CreateLogger(string categoryName) => this;

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel)) errors.Enqueue($"signalr {logLevel}: {formatter(state, exception)} {exception?.Message}");
        }

        public void Dispose()
        {
        }
    }
}
