using System.Diagnostics;
using CustomerAdmin.Features.Customers.Export;
using CustomerAdmin.Data;
using CustomerAdmin.Security;
using Microsoft.EntityFrameworkCore;

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
        using var http = app.CreateHttpClient();
        var (email, password) = (await AppProcess.CreateUsersAsync(factory, AppRoles.Manager, 1))[0];
        await AppProcess.SignInAsync(http, email, password);

        var before = app.WorkingSet;
        var peak = before;
        using var sampling = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!sampling.IsCancellationRequested)
            {
                peak = Math.Max(peak, app.WorkingSet);
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
}
