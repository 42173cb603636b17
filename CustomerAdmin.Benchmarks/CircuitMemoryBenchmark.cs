using System.Diagnostics;
using CustomerAdmin.Common;
using CustomerAdmin.Data;
using CustomerAdmin.Security;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Microsoft.Playwright;

namespace CustomerAdmin.Benchmarks;

/// <summary>
/// <c>circuit-memory --customers N [--tickets M] [--circuits C] [--pages customers,customer,dashboard,empty] [--sqlite path]
/// [--reuse] [--gcdump DIR] [--dump DIR]</c>: what one idle circuit holds on the server, per page. For each page the app
/// starts as its own process (<see cref="AppProcess"/>), one circuit warms up as <c>load</c>'s does (three searches,
/// customer pages and an edit), opens the page and closes (JIT, first queries, process-wide caches), the app
/// collects its whole heap and the heap is read; then C circuits (one signed-in user each, in headless Chromium) open
/// the page and sit on it, the app collects again, and the difference over C is the heap per circuit. With
/// <c>--gcdump</c>, <c>dotnet-gcdump</c> (the repository's tool manifest: <c>dotnet tool restore</c>) writes a heap
/// dump at both points, whose <c>dotnet-gcdump report</c> says by type what the circuits added; with <c>--dump</c>,
/// <c>dotnet-dump</c> writes full heap dumps and <see cref="HeapDiff"/> prints the exact live bytes per type added.
/// </summary>
public static class CircuitMemoryBenchmark
{
    public const string Header =
        "| page | circuits (open) | GC heap after a full collection: before → after | per circuit | working set per circuit | target ≤ 1 MB |\n" +
        "|---|--:|--:|--:|--:|---|";

    public static async Task RunAsync(string[] args)
    {
        string? Text(string name) => Array.IndexOf(args, name) is var i and >= 0 ? args[i + 1] : null;
        int Arg(string name, int fallback) => Text(name) is { } v ? int.Parse(v) : fallback;
        var customers = Arg("--customers", 1_000_000);
        var tickets = Arg("--tickets", customers * 5);
        var circuits = Arg("--circuits", 20);
        var pages = (Text("--pages") ?? "customers,customer,dashboard").Split(',');
        var sqlitePath = Text("--sqlite") is { } file ? Path.GetFullPath(file) : Path.Combine(Path.GetTempPath(), "customeradmin-load-bench.db");
        var gcdump = Text("--gcdump") is { } dir ? Directory.CreateDirectory(dir).FullName : null;
        var dump = Text("--dump") is { } dumpDir ? Directory.CreateDirectory(dumpDir).FullName : null;
        var connectionString = $"Data Source={sqlitePath}";

        using var host = ProviderBenchmark.BuildApp(DatabaseProvider.Sqlite, connectionString);
        await TicketedDatabase.FillAsync(host, DatabaseProvider.Sqlite, customers, tickets, args.Contains("--reuse"), ticketsAtLeast: true);
        var venueZone = host.Services.GetRequiredService<IOptions<VenueOptions>>().Value.TimeZone;
        var factory = host.Services.GetRequiredService<IDbContextFactory<AppDbContext>>();
        int customerId;
        await using (var db = await factory.CreateDbContextAsync())
            customerId = await db.Customers.Where(c => c.Status == CustomerStatus.Active).OrderByDescending(c => c.VisitCount).Select(c => c.Id).FirstAsync();
        var terms = await LoadBenchmark.TermsAsync(factory);
        await host.StopAsync();

        using var playwright = await Playwright.CreateAsync();
        var rows = new List<string>();
        foreach (var page in pages)
        {
            var (path, ready, role) = page switch
            {
                "customers" => ("customers", "[data-testid=customer-count]", AppRoles.Staff),
                // The customer with the most visits: a full timeline and ticket list.
                "customer" => ($"customers/{customerId}", "[data-testid=customer-name]", AppRoles.Staff),
                "dashboard" => ("dashboard", "[data-testid=figure]", AppRoles.Manager),
                // The layout and the circuit alone: a customer page that finds no customer renders one alert.
                "empty" => ("customers/0", ".mud-alert", AppRoles.Staff),
                _ => throw new ArgumentException($"Unknown page {page}: customers, customer, dashboard or empty."),
            };
            rows.Add(await MeasureAsync(playwright, connectionString, venueZone, factory, terms, page, path, ready, role, circuits, gcdump, dump));
            Console.WriteLine(rows[^1]);
        }
        Console.WriteLine();
        Console.WriteLine($"{customers:N0} customers (SQLite), {Environment.ProcessorCount} cores; load average at the end: {LoadBenchmark.LoadAverage()}");
        Console.WriteLine(Header);
        foreach (var row in rows) Console.WriteLine(row);
    }

    private static async Task<string> MeasureAsync(IPlaywright playwright, string connectionString, string venueZone,
        IDbContextFactory<AppDbContext> factory, List<LoadBenchmark.Term> terms, string name, string path, string ready, string role, int circuits,
        string? gcdump, string? dump)
    {
        await using var app = await AppProcess.StartAsync(DatabaseProvider.Sqlite, connectionString, venueZone, new Dictionary<string, string>
        {
            ["Security__SignInAttemptsPerMinute"] = "10000",
        });
        var users = await AppProcess.CreateUsersAsync(factory, role, circuits);
        var browsers = new List<IBrowser>();
        try
        {
            for (var i = 0; i < Math.Clamp((circuits + 24) / 25, 1, 4); i++)
                browsers.Add(await playwright.Chromium.LaunchAsync(new() { ExecutablePath = LoadBenchmark.ChromiumPath, Headless = true, Args = LoadBenchmark.ChromiumArgs }));

            // The same warm-up as `load` (three whole iterations), then the measured page once in that circuit.
            await LoadBenchmark.WarmUpAsync(app, browsers[0], users[0], terms, page => GoToAsync(page, path, ready));
            var heapBefore = await app.HeapAfterFullCollectionAsync();
            var setBefore = app.WorkingSet;
            if (gcdump is not null) await GcDumpAsync(app, Path.Combine(gcdump, $"{name}-0.gcdump"));
            if (dump is not null) await HeapDiff.CollectAsync(app, Path.Combine(dump, $"{name}-0.dmp"));

            var pages = new IPage[circuits];
            using (var signIns = new SemaphoreSlim(4))
                await Task.WhenAll(Enumerable.Range(0, circuits).Select(async i =>
                {
                    await signIns.WaitAsync();
                    try { pages[i] = await OpenOnAsync(browsers[i % browsers.Count], app.BaseUrl, users[i], path, ready); }
                    finally { signIns.Release(); }
                }));
            var open = await LoadBenchmark.WaitForCircuitsAsync(app, circuits);
            await Task.Delay(5000);
            var heapAfter = await app.HeapAfterFullCollectionAsync();
            var setAfter = app.WorkingSet;
            if (gcdump is not null) await GcDumpAsync(app, Path.Combine(gcdump, $"{name}-{circuits}.gcdump"));
            if (dump is not null) await HeapDiff.CollectAsync(app, Path.Combine(dump, $"{name}-{circuits}.dmp"));
            foreach (var page in pages) await page.Context.CloseAsync();
            if (dump is not null)
            {
                Console.WriteLine($"{name}: by type, from the dumps");
                HeapDiff.Print(await HeapDiff.ReadAsync(Path.Combine(dump, $"{name}-0.dmp")),
                    await HeapDiff.ReadAsync(Path.Combine(dump, $"{name}-{circuits}.dmp")), circuits);
            }

            var perCircuit = (heapAfter - heapBefore) / circuits;
            return $"| {name} (`/{path}`) | {circuits} ({open}) | {Mb(heapBefore):F1} → {Mb(heapAfter):F1} MB | {Mb(perCircuit):F2} MB | " +
                $"{Mb((double)(setAfter - setBefore) / circuits):F2} MB | {(perCircuit <= LoadBenchmark.MemoryTargetBytes ? "yes" : "no")} |";
        }
        finally
        {
            foreach (var browser in browsers) await browser.CloseAsync();
        }
    }

    /// <summary>
    /// Signs in with <paramref name="path"/> as the return address, so the page is the circuit's first. (Reached from the
    /// list inside the circuit, as before 2026-12-07 branch circuit-mem, a page's figure also held the list it had left:
    /// see docs/benchmarks.md.)
    /// </summary>
    private static async Task<IPage> OpenOnAsync(IBrowser browser, Uri baseUrl, (string Email, string Password) user, string path, string ready)
    {
        var page = await LoadBenchmark.OpenCircuitAsync(browser, baseUrl, user, "/" + path);
        await GoToAsync(page, path, ready);
        return page;
    }

    private static async Task GoToAsync(IPage page, string path, string ready)
    {
        if (!page.Url.EndsWith("/" + path, StringComparison.Ordinal))
            await page.EvaluateAsync("p => Blazor.navigateTo(p)", "/" + path);
        await page.Locator(ready).First.WaitForAsync(new() { State = WaitForSelectorState.Attached, Timeout = 300_000 });
    }

    private static async Task GcDumpAsync(AppProcess app, string file)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { "tool", "run", "dotnet-gcdump", "collect", "-p", app.Process.Id.ToString(), "-o", file }) start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        var output = await process.StandardOutput.ReadToEndAsync() + await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0) Console.WriteLine($"dotnet-gcdump failed ({process.ExitCode}): {output}");
    }

    private static double Mb(double bytes) => bytes / 1024 / 1024;
}
