using System.Collections.Concurrent;
using System.Diagnostics;

namespace CustomerAdmin.Tests.Deployment;

/// <summary>
/// One published app process on a loopback port, started the way the systemd unit starts it (its WorkingDirectory,
/// ExecStart and Environment lines) plus the test's settings, in Production. Stopped with SIGTERM, as
/// <c>systemctl stop</c> does.
/// </summary>
public sealed class AppInstance : IAsyncDisposable
{
    private readonly Process _process;

    private AppInstance(Process process, int port)
    {
        _process = process;
        Port = port;
    }

    public int Port { get; }

    public ConcurrentQueue<string> Output { get; } = new();

    public bool HasExited => _process.HasExited;

    public static async Task<AppInstance> StartAsync(string publishFolder, int port, IReadOnlyDictionary<string, string> settings)
    {
        var unit = SystemdUnit.Load();
        var (program, arguments) = unit.ExecStart(port, publishFolder);
        // The unit names the packaged dotnet (/usr/bin/dotnet); the test runs on the SDK's, which is that one on a
        // machine set up as the README says and the right one anywhere else.
        var start = new ProcessStartInfo(Path.GetFileName(program) == "dotnet" ? PublishedApp.DotnetHost() : program)
        {
            WorkingDirectory = unit.WorkingDirectory(port, publishFolder),
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        // The test host's own settings must not leak into the app (a developer's Database__Provider, the test's environment).
        foreach (var name in start.Environment.Keys.Where(k => k.Contains("__", StringComparison.Ordinal) || k.StartsWith("ASPNETCORE_", StringComparison.Ordinal)).ToList())
            start.Environment.Remove(name);
        foreach (var (name, value) in unit.Environment(port, publishFolder)) start.Environment[name] = value;
        foreach (var (name, value) in settings) start.Environment[name] = value;
        var process = Process.Start(start)!;
        var instance = new AppInstance(process, port);
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) instance.Output.Enqueue(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) instance.Output.Enqueue(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        await instance.WaitUntilHealthyAsync();
        return instance;
    }

    private async Task WaitUntilHealthyAsync()
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
                throw new InvalidOperationException($"The app on port {Port} exited ({_process.ExitCode}):\n{string.Join("\n", Output.TakeLast(40))}");
            try
            {
                using var response = await http.GetAsync($"http://127.0.0.1:{Port}/health");
                if (response.IsSuccessStatusCode) return;
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException)
            {
            }
            await Task.Delay(250);
        }
        throw new TimeoutException($"The app on port {Port} was not healthy within 90 s:\n{string.Join("\n", Output.TakeLast(40))}");
    }

    /// <summary>SIGTERM, as <c>systemctl stop</c> sends, and waits for the process to end.</summary>
    public async Task StopAsync()
    {
        if (_process.HasExited) return;
        if (OperatingSystem.IsWindows()) _process.Kill(entireProcessTree: true);
        else
            using (var kill = Process.Start("kill", ["-TERM", _process.Id.ToString()]))
                await kill.WaitForExitAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            await _process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync();
            }
        }
        finally
        {
            _process.Dispose();
        }
    }
}
