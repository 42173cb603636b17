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
        var get = await TimeAsync(http, requests, _ => RandomCustomer());
        var pages = Math.Max(100, requests / 4);
        await TimeAsync(http, 30, _ => "api/v1/customers?limit=50");
        var list = await TimeAsync(http, pages, _ => "api/v1/customers?limit=50");
        await TimeAsync(http, 30, _ => $"api/v1/customers?limit=50&city={Escaped(city)}");
        var filtered = await TimeAsync(http, pages, _ => $"api/v1/customers?limit=50&city={Escaped(city)}");
        var cursor = await TimeAsync(http, pages, i => $"api/v1/customers?limit=50&cursor={Escaped(cursors[i % cursors.Count])}");
        await TimeAsync(http, 10, _ => "api/v1/customers?limit=50&sort=City");
        var byCity = await TimeAsync(http, Math.Max(20, pages / 10), _ => "api/v1/customers?limit=50&sort=City");

        var load = await LoadAsync(app, http, clients, seconds, HttpStatusCode.OK, own => $"api/v1/customers/{own.Next(minId, maxId + 1)}");

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

    private sealed record Load(double RequestsPerSecond, List<double> Latencies, long Failed, double CpuShare)
    {
        public double CpuPerRequestMs => CpuShare * Environment.ProcessorCount * 1000 / RequestsPerSecond;
    }

    /// <summary>Every client sends its next request as soon as the last is answered; the server's CPU time is read from /proc.</summary>
    private static async Task<Load> LoadAsync(AppProcess app, HttpClient http, int clients, int seconds, HttpStatusCode expected,
        Func<Random, string> url, string? authorization = null)
    {
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
        return new Load(done / elapsed, latencies.SelectMany(l => l).ToList(), failed, cpu);
    }

    /// <summary>Sends the requests one after another and returns their times; any answer but 200 stops the run.</summary>
    private static async Task<Percentiles> TimeAsync(HttpClient http, int count, Func<int, string> url)
    {
        var ms = new List<double>(count);
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
