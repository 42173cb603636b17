using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using CustomerAdmin.Data;

namespace CustomerAdmin.Benchmarks;

/// <summary>
/// The app as its own process on Kestrel at <c>http://127.0.0.1:{free port}</c> over a benchmark database, as it runs
/// for users (its own runtime, its own cores' share): benchmarks reach it over HTTP only. Killed on dispose.
/// </summary>
public sealed class AppProcess : IAsyncDisposable
{
    private readonly List<string> _output = [];
    private readonly string _documents;

    private AppProcess(Process process, Uri baseUrl, string documents) => (Process, BaseUrl, _documents) = (process, baseUrl, documents);

    public Process Process { get; }
    public Uri BaseUrl { get; }

    /// <param name="venueTimeZone">The zone the benchmark's own host counted the dashboard summary in: another one would
    /// make the server count it again at start-up.</param>
    /// <param name="settings">More configuration, as environment variables (<c>Section__Key</c>).</param>
    public static async Task<AppProcess> StartAsync(DatabaseProvider provider, string connectionString, string venueTimeZone,
        IReadOnlyDictionary<string, string>? settings = null)
    {
        var baseUrl = new Uri($"http://127.0.0.1:{FreePort()}/");
        var documents = Path.Combine(Path.GetTempPath(), $"customeradmin-bench-documents-{Guid.NewGuid():N}");
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = AppContext.BaseDirectory, RedirectStandardOutput = true, RedirectStandardError = true,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "CustomerAdmin.dll"));
        start.ArgumentList.Add("--urls");
        start.ArgumentList.Add(baseUrl.ToString().TrimEnd('/'));
        // Development only because Production refuses plain HTTP (it expects a TLS-terminating proxy, and its cookies are
        // Secure); the benchmark talks to Kestrel directly on loopback. The code paths measured are the same.
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Development";
        start.Environment["Database__Provider"] = provider.ToString();
        start.Environment[$"ConnectionStrings__{provider}"] = connectionString;
        start.Environment["Database__SeedDemoData"] = "false";
        start.Environment["Venue__TimeZone"] = venueTimeZone;
        start.Environment["Documents__Folder"] = documents;
        start.Environment["Sms__RunDispatcher"] = "false";
        start.Environment["Sms__RunReminderScan"] = "false";
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        foreach (var (key, value) in settings ?? new Dictionary<string, string>()) start.Environment[key] = value;

        var app = new AppProcess(Process.Start(start) ?? throw new InvalidOperationException("Could not start the app."), baseUrl, documents);
        app.Process.OutputDataReceived += (_, e) => app.Keep(e.Data);
        app.Process.ErrorDataReceived += (_, e) => app.Keep(e.Data);
        app.Process.BeginOutputReadLine();
        app.Process.BeginErrorReadLine();
        try
        {
            await app.WaitUntilHealthyAsync();
            return app;
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }
    }

    private void Keep(string? line)
    {
        if (line is not null) lock (_output) _output.Add(line);
    }

    /// <summary>Start-up migrates the database (and counts the dashboard summary if it is missing), which can take minutes.</summary>
    private async Task WaitUntilHealthyAsync()
    {
        using var http = new HttpClient { BaseAddress = BaseUrl };
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            if (Process.HasExited)
            {
                lock (_output) throw new InvalidOperationException($"The app exited with {Process.ExitCode}:\n{string.Join('\n', _output)}");
            }
            try
            {
                using var health = await http.GetAsync("health");
                if (health.IsSuccessStatusCode) return;
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            if (deadline.Elapsed > TimeSpan.FromMinutes(30)) throw new TimeoutException("The app did not report healthy within 30 minutes.");
            await Task.Delay(500);
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        if (!Process.HasExited) Process.Kill(entireProcessTree: true);
        await Process.WaitForExitAsync();
        Process.Dispose();
        if (Directory.Exists(_documents)) Directory.Delete(_documents, recursive: true);
    }
}
