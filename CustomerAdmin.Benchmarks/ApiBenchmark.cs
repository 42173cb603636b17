using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using CustomerAdmin.Common;
using CustomerAdmin.Data;
using CustomerAdmin.Features.Api;
using CustomerAdmin.Security;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace CustomerAdmin.Benchmarks;

/// <summary>What the API run measured on one provider (times in ms).</summary>
public sealed record ApiResult(DatabaseProvider Provider, int Customers, Percentiles Get, Percentiles List, Percentiles Filtered,
    Percentiles Cursor, Percentiles ByCity, double RequestsPerSecond, Percentiles UnderLoad, long Failed, double ServerCpuShare)
{
    public const string Header =
        "| provider | customers | get p50 | get p95 | get p99 | list p95 | list+filter p95 | cursor page p95 | by city p95 | get req/s (32 clients) | p95 under load | failed | server CPU | server CPU per get |\n" +
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|";

    public override string ToString() =>
        $"| {Provider} | {Customers:N0} | {Get.P50:F2} | {Get.P95:F2} {Met(Get.P95 <= ApiBenchmark.GetTargetMs)} | {Get.P99:F2} | " +
        $"{List.P95:F2} {Met(List.P95 <= ApiBenchmark.ListTargetMs)} | {Filtered.P95:F2} {Met(Filtered.P95 <= ApiBenchmark.ListTargetMs)} | " +
        $"{Cursor.P95:F2} {Met(Cursor.P95 <= ApiBenchmark.ListTargetMs)} | {ByCity.P95:F2} | {RequestsPerSecond:N0} {Met(RequestsPerSecond >= ApiBenchmark.TargetRequestsPerSecond)} | " +
        $"{UnderLoad.P95:F1} | {Failed} | {ServerCpuShare:P0} | {ServerCpuShare * Environment.ProcessorCount * 1000 / RequestsPerSecond:F2} ms |";

    private static string Met(bool met) => met ? "✓" : "✗";
}

/// <summary>
/// <c>api --customers N [--reuse] [--postgres "..."] [--no-sqlite] [--sqlite path] [--requests R] [--clients C] [--seconds S]</c>:
/// fills (or reuses) a database of N generated customers, starts the app as its own process on Kestrel at 127.0.0.1
/// (<see cref="AppProcess"/>), makes a Staff user and an API token with <c>customers.read</c>, and times over HTTP:
/// get-by-id of random ids one after another; a list page of 50 in the default sort, with a city filter, and pages
/// reached by a cursor (and, fewer, sorted by city); then C clients at once doing get-by-id for S seconds. The token's rate limit is raised out of
/// the way (it is per token, and one token makes every request here).
/// </summary>
public static class ApiBenchmark
{
    public const double GetTargetMs = 2;
    public const double ListTargetMs = 10;
    public const double TargetRequestsPerSecond = 2_000;
    private const int WarmUp = 300;
    private const int WarmUpSeconds = 5;

    public static async Task<ApiResult> RunAsync(DatabaseProvider provider, string connectionString, int customers, bool reuse,
        int requests, int clients, int seconds)
    {
        int minId, maxId;
        string city;
        using var host = ProviderBenchmark.BuildApp(provider, connectionString);
        var factory = host.Services.GetRequiredService<IDbContextFactory<AppDbContext>>();
        await ProviderBenchmark.FillAsync(host, factory, host.Services.GetRequiredService<PhoneNormalizer>(),
            new BenchmarkOptions(customers, null, "", 0, reuse, false));
        await using (var db = await factory.CreateDbContextAsync())
        {
            minId = await db.Customers.MinAsync(c => c.Id);
            maxId = await db.Customers.MaxAsync(c => c.Id);
            // A city that fills many pages: the filter's page is then a full 50 rows.
            city = (await db.Customers.Where(c => c.Id >= minId && c.Id < minId + 1000 && c.City != null)
                .GroupBy(c => c.City).OrderByDescending(g => g.Count()).Select(g => g.Key).FirstAsync())!;
        }
        await host.StopAsync();

        await using var app = await AppProcess.StartAsync(provider, connectionString,
            host.Services.GetRequiredService<IOptions<VenueOptions>>().Value.TimeZone,
            new Dictionary<string, string> { ["Api__RequestsPerMinute"] = "1000000" });
        // After the app's start, which seeds the roles.
        var (email, _) = (await AppProcess.CreateUsersAsync(factory, AppRoles.Staff, 1))[0];
        var tokens = host.Services.GetRequiredService<ApiTokenOperations>();
        var secret = (await tokens.CreateAsync(email, "api benchmark", [Permissions.CustomersRead], null, "benchmark")).Secret;
        // A live token without customers.read: its gets pay the token check and stop at 403, before any customer query.
        var unscoped = (await tokens.CreateAsync(email, "api benchmark, no read scope", [Permissions.CustomersWrite], null, "benchmark")).Secret;
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = clients * 2, UseCookies = false })
        {
            BaseAddress = app.BaseUrl,
        };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", secret);
        var random = new Random(CustomerGenerator.Seed);
        string RandomCustomer() => $"api/v1/customers/{random.Next(minId, maxId + 1)}";
        string Escaped(string text) => Uri.EscapeDataString(text);

        // Cursors into the list, from the first pages on: each timed cursor request asks for a page a client reached.
        var cursors = new List<string>();
        string? next = null;
        for (var i = 0; i < 20; i++)
        {
            using var page = await http.GetAsync($"api/v1/customers?limit=50{(next is null ? "" : "&cursor=" + Escaped(next))}");
            page.EnsureSuccessStatusCode();
            next = (await page.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("nextCursor").GetString();
            if (next is null) break;
            cursors.Add(next);
        }

        await TimeAsync(http, WarmUp, _ => RandomCustomer());
        // 300 gets leave the JIT working: the runtime recompiles hot methods at tier 1 on a background thread once they
        // have been called 30 times and calls have paused for 100 ms, so the sequential gets right after a short warm-up
        // shared the cores with it (2026-12-07, api-fast branch: the app used 3.4-5.9 ms of CPU per sequential get, four
        // to seven times its CPU per get under load). The clients' load first, then a pause for the JIT to finish.
        await LoadAsync(app, http, clients, WarmUpSeconds, HttpStatusCode.OK, own => $"api/v1/customers/{own.Next(minId, maxId + 1)}");
        await Task.Delay(TimeSpan.FromSeconds(2));
        var database = provider == DatabaseProvider.Postgres ? new Npgsql.NpgsqlConnectionStringBuilder(connectionString).Database : null;
        // A first scrape compiles the exporter's code, outside the measured window; the CPU times are read right next to
        // the gets (after the scrapes before them, before those after them), so the scrapes' own CPU is not counted.
        await app.MetricAsync("dotnet_gc_collections_total");
        var sequential = await SequentialCountersAsync(app, database);
        sequential = sequential with { AppCpu = app.CpuTime, BackendCpu = BackendCpuSeconds(database) };
        var sequentialClock = Stopwatch.StartNew();
        var getTimes = new List<double>(requests);
        var get = await TimeAsync(http, requests, _ => RandomCustomer(), getTimes);
        var sequentialSeconds = sequentialClock.Elapsed.TotalSeconds;
        var (appCpuAfter, backendCpuAfter) = (app.CpuTime, BackendCpuSeconds(database));
        // The Prometheus endpoint caches a scrape for a moment.
        await Task.Delay(1500);
        var afterSequential = await SequentialCountersAsync(app, database) with { AppCpu = appCpuAfter, BackendCpu = backendCpuAfter };
        Console.WriteLine($"{provider}: {requests:N0} sequential gets in {sequentialSeconds:F1} s: client mean {getTimes.Average():F3} ms; " +
            $"server mean (http.server.request.duration) {(afterSequential.ServerSeconds - sequential.ServerSeconds) * 1000 / Math.Max(1, afterSequential.ServerCount - sequential.ServerCount):F3} ms " +
            $"over {afterSequential.ServerCount - sequential.ServerCount:N0}; app CPU per get {(afterSequential.AppCpu - sequential.AppCpu).TotalMilliseconds / requests:F3} ms; " +
            $"PostgreSQL backends' CPU per get {(afterSequential.BackendCpu - sequential.BackendCpu) * 1000 / requests:F3} ms; " +
            $"GC collections {afterSequential.Collections - sequential.Collections:N0} (gen2 {afterSequential.Gen2 - sequential.Gen2:N0}), " +
            $"GC pause {(afterSequential.GcPause - sequential.GcPause) * 1000:F1} ms in all; load average {File.ReadAllText("/proc/loadavg").Trim()}");
        var pages = Math.Max(100, requests / 4);
        await TimeAsync(http, 30, _ => "api/v1/customers?limit=50");
        var list = await TimeAsync(http, pages, _ => "api/v1/customers?limit=50");
        await TimeAsync(http, 30, _ => $"api/v1/customers?limit=50&city={Escaped(city)}");
        var filtered = await TimeAsync(http, pages, _ => $"api/v1/customers?limit=50&city={Escaped(city)}");
        var cursor = await TimeAsync(http, pages, i => $"api/v1/customers?limit=50&cursor={Escaped(cursors[i % cursors.Count])}");
        await TimeAsync(http, 10, _ => "api/v1/customers?limit=50&sort=City");
        var byCity = await TimeAsync(http, Math.Max(20, pages / 10), _ => "api/v1/customers?limit=50&sort=City");

        var load = await LoadAsync(app, http, clients, seconds, HttpStatusCode.OK, own => $"api/v1/customers/{own.Next(minId, maxId + 1)}", database: database);
        if (database is not null)
            Console.WriteLine($"{provider}: {clients} clients: PostgreSQL backends' CPU per get {load.BackendCpuPerRequestMs:F3} ms " +
                $"(the backends of database {database}, from /proc), the app's {load.CpuPerRequestMs:F3} ms");

        // Where a get's server CPU goes, by difference: the same load on requests that stop earlier in the pipeline.
        // A malformed token is refused before any query (routing, middleware, authentication, the 401 body); a live
        // token without the scope pays the token check and stops at 403; an id no customer has pays the token check and
        // the lookup, not the statistics nor the customer's JSON.
        var half = Math.Max(5, seconds / 2);
        var refused = await LoadAsync(app, http, clients, half, HttpStatusCode.Unauthorized, _ => "api/v1/customers/1", "Bearer nope");
        var forbidden = await LoadAsync(app, http, clients, half, HttpStatusCode.Forbidden, _ => "api/v1/customers/1", "Bearer " + unscoped);
        var missing = await LoadAsync(app, http, clients, half, HttpStatusCode.NotFound, own => $"api/v1/customers/{-own.Next(1, 1_000_000)}");
        Console.WriteLine($"{provider}: server CPU per request (ms, {Environment.ProcessorCount} cores, {clients} clients): " +
            $"refused before any query (401) {refused.CpuPerRequestMs:F3}; token check, no scope (403) {forbidden.CpuPerRequestMs:F3}; " +
            $"token check + lookup of a missing id (404) {missing.CpuPerRequestMs:F3}; full get (200) {load.CpuPerRequestMs:F3}; " +
            $"load average {File.ReadAllText("/proc/loadavg").Trim()}");
        return new ApiResult(provider, customers, get, list, filtered, cursor, byCity, load.RequestsPerSecond,
            Percentiles.Of(load.Latencies), load.Failed, load.CpuShare);
    }

    private sealed record Load(double RequestsPerSecond, List<double> Latencies, long Failed, double CpuShare, double BackendCpuSeconds, long Done)
    {
        public double CpuPerRequestMs => CpuShare * Environment.ProcessorCount * 1000 / RequestsPerSecond;
        public double BackendCpuPerRequestMs => BackendCpuSeconds * 1000 / Math.Max(1, Done);
    }

    private sealed record Counters(double ServerSeconds, double ServerCount, TimeSpan AppCpu, double BackendCpu, double Collections, double Gen2, double GcPause);

    /// <summary>What the sequential gets are told apart by: the app's own request durations for the get route, its CPU
    /// time, its collections and pauses (<c>/metrics</c>), and the PostgreSQL backends' CPU time.</summary>
    private static async Task<Counters> SequentialCountersAsync(AppProcess app, string? database)
    {
        const string route = "customers/{id:int}\"";
        return new Counters(await app.MetricAsync("http_server_request_duration_seconds_sum", route) ?? 0,
            await app.MetricAsync("http_server_request_duration_seconds_count", route) ?? 0, app.CpuTime, BackendCpuSeconds(database),
            await app.MetricAsync("dotnet_gc_collections_total") ?? 0, await app.MetricAsync("dotnet_gc_collections_total", "gen2") ?? 0,
            await app.MetricAsync("dotnet_gc_pause_time_seconds_total") ?? 0);
    }

    /// <summary>
    /// CPU seconds used so far by the PostgreSQL backends serving <paramref name="database"/> on this machine (their process
    /// titles read "postgres: user database host ..."), from /proc; 0 without a database or when PostgreSQL runs elsewhere.
    /// A backend that exits between two readings takes its time with it; the app's pool keeps its connections, so few do.
    /// </summary>
    private static double BackendCpuSeconds(string? database)
    {
        if (database is null || !Directory.Exists("/proc")) return 0;
        long ticks = 0;
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out _)) continue;
            try
            {
                var title = File.ReadAllText(Path.Combine(dir, "cmdline"));
                if (!title.StartsWith("postgres: ", StringComparison.Ordinal) || !title.Contains($" {database} ", StringComparison.Ordinal)) continue;
                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                // Fields after the command in parentheses: state is field 3, utime 14, stime 15.
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                ticks += long.Parse(fields[11], System.Globalization.CultureInfo.InvariantCulture) + long.Parse(fields[12], System.Globalization.CultureInfo.InvariantCulture);
            }
            catch (IOException)
            {
                // The process ended while being read.
            }
        }
        return ticks / 100.0; // USER_HZ
    }

    /// <summary>Every client sends its next request as soon as the last is answered; the server's CPU time is read from /proc.</summary>
    private static async Task<Load> LoadAsync(AppProcess app, HttpClient http, int clients, int seconds, HttpStatusCode expected,
        Func<Random, string> url, string? authorization = null, string? database = null)
    {
        var backendBefore = BackendCpuSeconds(database);
        app.Process.Refresh();
        var cpuBefore = app.Process.TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        var stop = TimeSpan.FromSeconds(seconds);
        long done = 0, failed = 0;
        var latencies = new List<double>[clients];
        await Task.WhenAll(Enumerable.Range(0, clients).Select(c => Task.Run(async () =>
        {
            var mine = latencies[c] = new List<double>(100_000);
            var own = new Random(CustomerGenerator.Seed + c);
            while (clock.Elapsed < stop)
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, url(own));
                if (authorization is not null) request.Headers.TryAddWithoutValidation("Authorization", authorization);
                var start = Stopwatch.GetTimestamp();
                using var response = await http.SendAsync(request, HttpCompletionOption.ResponseContentRead);
                mine.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
                if (response.StatusCode == expected) Interlocked.Increment(ref done);
                else Interlocked.Increment(ref failed);
            }
        })));
        var elapsed = clock.Elapsed.TotalSeconds;
        app.Process.Refresh();
        var cpu = (app.Process.TotalProcessorTime - cpuBefore).TotalSeconds / (elapsed * Environment.ProcessorCount);
        return new Load(done / elapsed, latencies.SelectMany(l => l).ToList(), failed, cpu, BackendCpuSeconds(database) - backendBefore, done);
    }

    /// <summary>Sends the requests one after another and returns their times; any answer but 200 stops the run.</summary>
    private static async Task<Percentiles> TimeAsync(HttpClient http, int count, Func<int, string> url, List<double>? times = null)
    {
        var ms = times ?? new List<double>(count);
        for (var i = 0; i < count; i++)
        {
            var target = url(i);
            var start = Stopwatch.GetTimestamp();
            using var response = await http.GetAsync(target, HttpCompletionOption.ResponseContentRead);
            ms.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            if (response.StatusCode != HttpStatusCode.OK)
                throw new InvalidOperationException($"GET {target}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }
        return Percentiles.Of(ms);
    }
}
