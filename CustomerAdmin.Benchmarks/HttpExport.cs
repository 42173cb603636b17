using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using CustomerAdmin.Features.Customers.Export;
using CustomerAdmin.Data;
using CustomerAdmin.Security;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CustomerAdmin.Benchmarks;

/// <summary>What one download of the full export measured: the server's side of it, as a user's browser would cause it.</summary>
/// <param name="Seconds">The first download after the server started, as a user gets it.</param>
/// <param name="WarmSeconds">A second download in the same server process.</param>
public sealed record HttpExportResult(long Rows, long Bytes, double Seconds, double ServerCpuSeconds, double WarmSeconds,
    double WarmServerCpuSeconds, long WorkingSetBefore, long PeakWorkingSet);

/// <summary>
/// The customer export as a manager gets it: the app runs as its own process on Kestrel at 127.0.0.1 over the benchmark
/// database, a manager signs in through the sign-in form, and <c>GET /customers/export.csv</c> (the unfiltered list) is
/// downloaded with <see cref="HttpClient"/> and thrown away as it arrives, twice. The server process's working set is
/// sampled every 50 ms over both, so the figure is the app's own, not the benchmark's that generated the data.
/// </summary>
public static class HttpExport
{
    public static async Task<HttpExportResult> RunAsync(DatabaseProvider provider, string connectionString,
        IDbContextFactory<AppDbContext> factory, string venueTimeZone)
    {
        var port = FreePort();
        var baseUrl = new Uri($"http://127.0.0.1:{port}/");
        var documents = Path.Combine(Path.GetTempPath(), $"customeradmin-bench-documents-{Guid.NewGuid():N}");
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = AppContext.BaseDirectory, RedirectStandardOutput = true, RedirectStandardError = true,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "CustomerAdmin.dll"));
        start.ArgumentList.Add("--urls");
        start.ArgumentList.Add(baseUrl.ToString().TrimEnd('/'));
        // Development only because Production refuses plain HTTP (it expects a TLS-terminating proxy, and its cookies are
        // Secure); the benchmark talks to Kestrel directly on loopback. The export's code path is the same.
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Development";
        start.Environment["Database__Provider"] = provider.ToString();
        start.Environment[$"ConnectionStrings__{provider}"] = connectionString;
        start.Environment["Database__SeedDemoData"] = "false";
        // The zone the benchmark's own host counted the dashboard summary in: another one would make the server count
        // it again at start-up.
        start.Environment["Venue__TimeZone"] = venueTimeZone;
        start.Environment["Documents__Folder"] = documents;
        start.Environment["Sms__RunDispatcher"] = "false";
        start.Environment["Sms__RunReminderScan"] = "false";
        start.Environment["Logging__LogLevel__Default"] = "Warning";

        using var server = Process.Start(start) ?? throw new InvalidOperationException("Could not start the app.");
        var output = new List<string>();
        server.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.Add(e.Data); };
        server.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.Add(e.Data); };
        server.BeginOutputReadLine();
        server.BeginErrorReadLine();
        try
        {
            using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, CookieContainer = new CookieContainer() })
            {
                BaseAddress = baseUrl, Timeout = Timeout.InfiniteTimeSpan,
            };
            await WaitUntilHealthyAsync(http, server, output);
            var (email, password) = await CreateManagerAsync(factory);
            await SignInAsync(http, email, password);

            server.Refresh();
            var before = server.WorkingSet64;
            var peak = before;
            using var sampling = new CancellationTokenSource();
            var sampler = Task.Run(async () =>
            {
                while (!sampling.IsCancellationRequested)
                {
                    server.Refresh();
                    peak = Math.Max(peak, server.WorkingSet64);
                    try { await Task.Delay(50, sampling.Token); } catch (OperationCanceledException) { }
                }
            });
            var first = await DownloadAsync(http, server);
            // Again in the same process: without the first download's JIT and query compilation, this is the cost per
            // row that a larger export multiplies.
            var second = await DownloadAsync(http, server);
            await sampling.CancelAsync();
            await sampler;
            return new HttpExportResult(first.Rows, first.Bytes, first.Seconds, first.CpuSeconds, second.Seconds, second.CpuSeconds, before, peak);
        }
        finally
        {
            if (!server.HasExited) server.Kill(entireProcessTree: true);
            await server.WaitForExitAsync();
            if (Directory.Exists(documents)) Directory.Delete(documents, recursive: true);
        }
    }

    private static async Task<(long Rows, long Bytes, double Seconds, double CpuSeconds)> DownloadAsync(HttpClient http, Process server)
    {
        server.Refresh();
        var cpu = server.TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        using var response = await http.GetAsync(CustomerExportEndpoints.Path.TrimStart('/'), HttpCompletionOption.ResponseHeadersRead);
        response.EnsureSuccessStatusCode();
        long bytes = 0, lines = 0;
        await using (var body = await response.Content.ReadAsStreamAsync())
        {
            var buffer = new byte[1 << 16];
            int read;
            while ((read = await body.ReadAsync(buffer)) > 0)
            {
                bytes += read;
                lines += buffer.AsSpan(0, read).Count((byte)'\n');
            }
        }
        var seconds = clock.Elapsed.TotalSeconds;
        server.Refresh();
        // Generated addresses and names hold no line breaks, so every line but the header is a customer.
        return (lines - 1, bytes, seconds, (server.TotalProcessorTime - cpu).TotalSeconds);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Start-up migrates the database (and counts the dashboard summary if it is missing), which can take minutes.</summary>
    private static async Task WaitUntilHealthyAsync(HttpClient http, Process server, List<string> output)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            if (server.HasExited)
            {
                lock (output) throw new InvalidOperationException($"The app exited with {server.ExitCode}:\n{string.Join('\n', output)}");
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

    /// <summary>A user with the Manager role (export rights), made with the app's own Identity set-up in the benchmark database.</summary>
    private static async Task<(string Email, string Password)> CreateManagerAsync(IDbContextFactory<AppDbContext> factory)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddScoped(_ => factory.CreateDbContext());
        services.AddAppIdentity();
        await using var provider = services.BuildServiceProvider();
        await using var scope = provider.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<AppUser>>();
        var email = $"bench-manager-{Guid.NewGuid():N}@bench.local";
        var password = PasswordRules.Generate();
        var user = new AppUser { UserName = email, Email = email, EmailConfirmed = true };
        Check(await users.CreateAsync(user, password));
        Check(await users.AddToRoleAsync(user, AppRoles.Manager));
        return (email, password);

        static void Check(IdentityResult result)
        {
            if (!result.Succeeded) throw new InvalidOperationException(string.Join(" ", result.Errors.Select(e => e.Description)));
        }
    }

    /// <summary>Posts the sign-in form as a browser does: the antiforgery token from the page, the cookies kept.</summary>
    private static async Task SignInAsync(HttpClient http, string email, string password)
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
}
