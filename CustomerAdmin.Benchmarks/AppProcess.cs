using System.Diagnostics;
using System.Diagnostics.Tracing;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using CustomerAdmin.Data;
using CustomerAdmin.Security;
using Microsoft.AspNetCore.Identity;
using Microsoft.Diagnostics.NETCore.Client;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CustomerAdmin.Benchmarks;

/// <summary>
/// The app as its own process on Kestrel at 127.0.0.1 (the build output's <c>CustomerAdmin.dll</c>) over a benchmark
/// database, so what is measured of it (working set, CPU time, <c>/metrics</c>) is the app's own and not the
/// benchmark's that generated the data or drives the browsers. Killed on dispose.
/// </summary>
/// <remarks>
/// Development only because Production refuses plain HTTP (it expects a TLS-terminating proxy, and its cookies are
/// Secure) and serves its static assets from a publish folder; the benchmark talks to Kestrel directly on loopback.
/// Demo data, SMS sending and the reminder scan are off; the code paths measured are Production's.
/// </remarks>
public sealed class AppProcess : IAsyncDisposable
{
    private readonly List<string> _output = [];
    private readonly string _documents;

    private AppProcess(Process process, Uri baseUrl, string documents)
    {
        Process = process;
        BaseUrl = baseUrl;
        _documents = documents;
    }

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
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Development";
        start.Environment["Database__Provider"] = provider.ToString();
        start.Environment[$"ConnectionStrings__{provider}"] = connectionString;
        start.Environment["Database__SeedDemoData"] = "false";
        start.Environment["Venue__TimeZone"] = venueTimeZone;
        start.Environment["Documents__Folder"] = documents;
        start.Environment["Sms__RunDispatcher"] = "false";
        start.Environment["Sms__RunReminderScan"] = "false";
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        foreach (var (name, value) in settings ?? new Dictionary<string, string>()) start.Environment[name] = value;

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

    /// <summary>A client of the app that keeps cookies and never follows redirects (the sign-in answers with one).</summary>
    public HttpClient CreateHttpClient(CookieContainer? cookies = null) =>
        new(new HttpClientHandler { AllowAutoRedirect = false, CookieContainer = cookies ?? new CookieContainer() })
        {
            BaseAddress = BaseUrl, Timeout = Timeout.InfiniteTimeSpan,
        };

    /// <summary>The app process's working set now.</summary>
    public long WorkingSet
    {
        get
        {
            Process.Refresh();
            return Process.WorkingSet64;
        }
    }

    /// <summary>CPU time the app process has used so far (all its threads, user and system).</summary>
    public TimeSpan CpuTime
    {
        get
        {
            Process.Refresh();
            return Process.TotalProcessorTime;
        }
    }

    /// <summary>The last lines the app wrote (warnings and errors only: the log level is Warning).</summary>
    public string Output(int lines = 40)
    {
        lock (_output) return string.Join('\n', _output.TakeLast(lines));
    }

    private void Keep(string? line)
    {
        if (line is null) return;
        lock (_output)
        {
            _output.Add(line);
            if (_output.Count > 1000) _output.RemoveRange(0, 500);
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Start-up migrates the database (and counts the dashboard summary if it is missing), which can take minutes.</summary>
    private async Task WaitUntilHealthyAsync()
    {
        using var http = CreateHttpClient();
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            if (Process.HasExited) throw new InvalidOperationException($"The app exited with {Process.ExitCode}:\n{Output()}");
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

    /// <summary>Users with <paramref name="role"/>, made with the app's own Identity set-up in the benchmark database.</summary>
    public static async Task<List<(string Email, string Password)>> CreateUsersAsync(IDbContextFactory<AppDbContext> factory, string role, int count)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddScoped(_ => factory.CreateDbContext());
        services.AddAppIdentity();
        await using var provider = services.BuildServiceProvider();
        await using var scope = provider.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<AppUser>>();
        var created = new List<(string Email, string Password)>();
        for (var i = 0; i < count; i++)
        {
            var email = $"bench-{role.ToLowerInvariant()}-{Guid.NewGuid():N}@bench.local";
            var password = PasswordRules.Generate();
            var user = new AppUser { UserName = email, Email = email, EmailConfirmed = true };
            Check(await users.CreateAsync(user, password));
            Check(await users.AddToRoleAsync(user, role));
            created.Add((email, password));
        }
        return created;

        static void Check(IdentityResult result)
        {
            if (!result.Succeeded) throw new InvalidOperationException(string.Join(" ", result.Errors.Select(e => e.Description)));
        }
    }

    /// <summary>Posts the sign-in form as a browser does: the antiforgery token from the page, the cookies kept.</summary>
    public static async Task SignInAsync(HttpClient http, string email, string password)
    {
        var page = await http.GetStringAsync("account/sign-in");
        var token = WebUtility.HtmlDecode(Regex.Match(page, "name=\"__RequestVerificationToken\" value=\"([^\"]+)\"").Groups[1].Value);
        using var response = await http.PostAsync("account/sign-in", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["_handler"] = "sign-in", ["Input.Email"] = email, ["Input.Password"] = password, ["__RequestVerificationToken"] = token,
        }));
        if (response.StatusCode != HttpStatusCode.Redirect || response.Headers.Location?.OriginalString.Contains("sign-in") == true)
            throw new InvalidOperationException($"Signing in failed: {(int)response.StatusCode} {response.Headers.Location}");
    }

    /// <summary>One scrape of <c>/metrics</c> (allowed from this machine without a token): the sum of every series of
    /// <paramref name="name"/> (those whose labels contain <paramref name="label"/>, if given), or null when the app
    /// does not report it.</summary>
    public async Task<double?> MetricAsync(string name, string? label = null)
    {
        using var http = CreateHttpClient();
        var text = await http.GetStringAsync("metrics");
        double? sum = null;
        foreach (var line in text.Split('\n'))
        {
            if (!(line.StartsWith(name + " ", StringComparison.Ordinal) || line.StartsWith(name + "{", StringComparison.Ordinal))) continue;
            if (label is not null && !line.Contains(label, StringComparison.Ordinal)) continue;
            var end = line.LastIndexOf('}') is var brace and >= 0 ? brace + 1 : line.IndexOf(' ');
            if (double.TryParse(line[end..].Trim().Split(' ')[0], System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var v))
                sum = (sum ?? 0) + v;
        }
        return sum;
    }

    /// <summary>
    /// Makes the app collect its whole heap (a blocking gen2 collection) twice and returns the GC heap after the second:
    /// the live objects, not whatever garbage the last gen0 collection left in the older generations. Twice, because a
    /// gen2 collection is also when <c>ArrayPool&lt;T&gt;.Shared</c> trims the arrays it pooled (render tree frames and
    /// bytes that the circuits' first renders rented at once): they are still counted after that collection and gone after
    /// the next (2026-12-07, <c>circuit-memory --dump</c>: 0.6 MB per circuit of such arrays on the large object heap,
    /// none of them reachable). The collection is asked for from outside, through EventPipe's GCHeapCollect keyword (as
    /// <c>dotnet-gcdump</c> does), so the app needs no endpoint for it; <c>/metrics</c> tells when it has run.
    /// </summary>
    public async Task<double> HeapAfterFullCollectionAsync()
    {
        await CollectFullyAsync();
        await CollectFullyAsync();
        return await MetricAsync("dotnet_gc_last_collection_heap_size_bytes") ?? 0;
    }

    private async Task CollectFullyAsync()
    {
        const string gen2 = "gc_heap_generation=\"gen2\"";
        const long gcKeyword = 0x1, gcHeapCollectKeyword = 0x800000;
        var before = await MetricAsync("dotnet_gc_collections_total", gen2) ?? 0;
        var client = new DiagnosticsClient(Process.Id);
        using (var session = client.StartEventPipeSession(
            new EventPipeProvider("Microsoft-Windows-DotNETRuntime", EventLevel.Informational, gcKeyword | gcHeapCollectKeyword), requestRundown: false))
        {
            var drain = session.EventStream.CopyToAsync(Stream.Null);
            var waited = Stopwatch.StartNew();
            // The Prometheus endpoint caches a scrape for a moment: poll until the count moves.
            while (await MetricAsync("dotnet_gc_collections_total", gen2) <= before)
            {
                if (waited.Elapsed > TimeSpan.FromSeconds(60)) throw new TimeoutException("The app did not run a full collection within 60 s.");
                await Task.Delay(200);
            }
            await session.StopAsync(CancellationToken.None);
            await drain;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!Process.HasExited) Process.Kill(entireProcessTree: true);
        await Process.WaitForExitAsync();
        Process.Dispose();
        if (Directory.Exists(_documents)) Directory.Delete(_documents, recursive: true);
    }
}
