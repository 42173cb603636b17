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
        await using var app = await AppProcess.StartAsync(provider, connectionString, venueTimeZone);
        var server = app.Process;
        using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, CookieContainer = new CookieContainer() })
        {
            BaseAddress = app.BaseUrl, Timeout = Timeout.InfiniteTimeSpan,
        };
        var (email, password) = await CreateUserAsync(factory, AppRoles.Manager);
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

    /// <summary>A user with <paramref name="role"/>, made with the app's own Identity set-up in the benchmark database.</summary>
    internal static async Task<(string Email, string Password)> CreateUserAsync(IDbContextFactory<AppDbContext> factory, string role)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddScoped(_ => factory.CreateDbContext());
        services.AddAppIdentity();
        await using var provider = services.BuildServiceProvider();
        await using var scope = provider.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<AppUser>>();
        var email = $"bench-{role.ToLowerInvariant()}-{Guid.NewGuid():N}@bench.local";
        var password = PasswordRules.Generate();
        var user = new AppUser { UserName = email, Email = email, EmailConfirmed = true };
        Check(await users.CreateAsync(user, password));
        Check(await users.AddToRoleAsync(user, role));
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
