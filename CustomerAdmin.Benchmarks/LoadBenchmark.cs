using System.Collections.Concurrent;
using System.Diagnostics;
using CustomerAdmin.Common;
using CustomerAdmin.Data;
using CustomerAdmin.Features.Customers.Search;
using CustomerAdmin.Security;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Microsoft.Playwright;

namespace CustomerAdmin.Benchmarks;

/// <summary>
/// <c>load --customers N [--tickets M] [--circuits 10,50,100] [--seconds S] [--think MS] [--edit-every K] [--browsers B]
/// [--client chromium|protocol] [--sqlite path] [--reuse]</c>: how many staff one instance serves. The app runs as its own process
/// (<see cref="AppProcess"/>) over a SQLite file of N customers and M tickets (<see cref="TicketedDatabase"/>); for each
/// circuit count, that many staff users sign in through the sign-in form in headless Chromium contexts (several per
/// browser process) and each loops: type a search in the app bar, open the first suggestion, now and then edit and save
/// the customer. Times are taken in the page's own clock (<c>performance.now()</c>): from the keystroke that completes the
/// term (the rest typed and answered first) to the suggestions answering the complete term, minus the search box's debounce; from pressing on a suggestion (or on
/// Save) to the customer page showing the customer's name. The server's working set and GC heap are read before and
/// after the circuits opened and idled on their first page (the heap after a full collection the benchmark asks the
/// app for), and its CPU time over the loop. <c>--client protocol</c> plays the staff with
/// <see cref="Circuits.BlazorCircuitClient"/>s (Blazor Server's own protocol, no browser) instead: see <see cref="Circuits.ProtocolLoad"/>.
/// </summary>
public static class LoadBenchmark
{
    public const double SuggestionTargetMs = 100;
    public const double PageTargetMs = 300;
    public const double MemoryTargetBytes = 1024 * 1024;

    internal const string ChromiumPath = "/usr/bin/chromium";
    private const string Suggestion = "[data-testid=suggestion]";
    private const string CustomerName = "[data-testid=customer-name]";

    /// <summary>
    /// In every document of every context: the time of the last keydown and the last mousedown, and a wait that resolves
    /// with the time the DOM first satisfied a condition (seen by a MutationObserver, so at the change, not at a poll).
    /// With a <c>term</c>, the matching element must also answer that search text (its <c>data-term</c>, which the app
    /// bar's suggestions carry): the answer to "Mar Johnso" may show the same customers as the answer to "Mar Johnson".
    /// </summary>
    private const string PageClock = """
        window.__bench = { key: 0, press: 0 };
        addEventListener('keydown', () => { window.__bench.key = performance.now(); }, true);
        addEventListener('mousedown', () => { window.__bench.press = performance.now(); }, true);
        window.__benchWait = (selector, text, exact, notPath, term, timeout) => new Promise((resolve, reject) => {
          const want = text.trim().toLowerCase();
          const matches = e => { const t = e.textContent.trim().toLowerCase(); return exact ? t === want : t.includes(want); };
          const answers = e => term === null || e.getAttribute('data-term') === term;
          const done = () => (notPath === null || location.pathname !== notPath) && Array.from(document.querySelectorAll(selector)).some(e => answers(e) && matches(e));
          if (done()) { resolve(performance.now()); return; }
          const observer = new MutationObserver(() => {
            if (!done()) return;
            observer.disconnect(); clearTimeout(timer); resolve(performance.now());
          });
          observer.observe(document, { childList: true, subtree: true, characterData: true, attributes: true, attributeFilter: ['data-term'] });
          const timer = setTimeout(() => { observer.disconnect(); reject(new Error('timed out waiting for ' + selector + ' "' + text + '"')); }, timeout);
        });
        """;

    private const string WaitScript = "([s, t, exact, path, term, timeout]) => window.__benchWait(s, t, exact, path, term, timeout)";

    internal static readonly string[] ChromiumArgs =
        ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"];

    public sealed record Options(int Customers, int Tickets, int[] Circuits, string SqlitePath, bool Reuse, int Seconds, int ThinkMs,
        int EditEvery, int Browsers, string Client)
    {
        public static Options Parse(string[] args)
        {
            string? Text(string name) => Array.IndexOf(args, name) is var i and >= 0 ? args[i + 1] : null;
            int Arg(string name, int fallback) => Text(name) is { } v ? int.Parse(v) : fallback;
            var customers = Arg("--customers", 1_000_000);
            return new Options(customers, Arg("--tickets", customers * 5),
                (Text("--circuits") ?? "10,50,100").Split(',').Select(int.Parse).ToArray(),
                Text("--sqlite") is { } path ? Path.GetFullPath(path) : Path.Combine(Path.GetTempPath(), "customeradmin-load-bench.db"),
                args.Contains("--reuse"), Arg("--seconds", 60), Arg("--think", 1000), Arg("--edit-every", 5), Arg("--browsers", 4),
                Text("--client") is "protocol" ? "protocol" : Text("--client") is null or "chromium" ? "chromium"
                    : throw new ArgumentException("--client is chromium (the default) or protocol."));
        }
    }

    /// <summary>A search as typed (first name's first letters and the last name) and what every right answer shows.</summary>
    internal sealed record Term(string Text, string Expect);

    internal sealed class Samples
    {
        public ConcurrentBag<double> Suggestions { get; } = [];
        public ConcurrentBag<double> Pages { get; } = [];
        public ConcurrentBag<double> Saves { get; } = [];
        public ConcurrentQueue<string> Errors { get; } = new();

        /// <summary>Saves the form answered with a message instead of saving (<c>--client protocol</c>).</summary>
        public ConcurrentQueue<string> Refused { get; } = new();
    }

    public static async Task RunAsync(string[] args)
    {
        var o = Options.Parse(args);
        var connectionString = $"Data Source={o.SqlitePath}";
        using var host = ProviderBenchmark.BuildApp(DatabaseProvider.Sqlite, connectionString);
        await TicketedDatabase.FillAsync(host, DatabaseProvider.Sqlite, o.Customers, o.Tickets, o.Reuse, ticketsAtLeast: true);
        var venueZone = host.Services.GetRequiredService<IOptions<VenueOptions>>().Value.TimeZone;
        var factory = host.Services.GetRequiredService<IDbContextFactory<AppDbContext>>();
        var terms = await TermsAsync(factory);
        // Only its services are used from here on (contexts on the database); its background work would compete.
        await host.StopAsync();
        Console.WriteLine($"{terms.Count} search terms");

        using var playwright = o.Client == "chromium" ? await Playwright.CreateAsync() : null;
        var rows = new List<string>();
        var failed = new List<string>();
        foreach (var circuits in o.Circuits)
        {
            var measured = await RunOnceAsync(playwright, o, circuits, connectionString, venueZone, terms, factory);
            rows.Add(Row(measured));
            Console.WriteLine(rows[^1]);
            if (!measured.Samples.Suggestions.IsEmpty)
                Console.WriteLine($"  server CPU per iteration (a term typed key by key, a customer opened, every {o.EditEvery}-th edited and saved): " +
                    $"{measured.ServerCpu * 1000 / measured.Samples.Suggestions.Count:F0} ms; the clients' CPU: {measured.ClientCpu * 1000 / measured.Samples.Suggestions.Count:F0} ms");
            var m = measured.Samples;
            if (!m.Errors.IsEmpty || m.Suggestions.IsEmpty || m.Pages.IsEmpty || m.Saves.IsEmpty || measured.Open != circuits)
                failed.Add($"{circuits} circuits: {m.Errors.Count} errors, {m.Suggestions.Count} searches, {m.Pages.Count} pages, {m.Saves.Count} saves, {measured.Open} open");
        }
        Console.WriteLine();
        Console.WriteLine($"{o.Customers:N0} customers, {o.Tickets:N0} tickets (SQLite), {Environment.ProcessorCount} cores, {o.Seconds} s per run, " +
            $"{o.ThinkMs} ms between actions, an edit every {o.EditEvery} customers opened, staff played by {(o.Client == "protocol" ? "protocol clients in this process" : "headless Chromium")}; load average at the end: {LoadAverage()}");
        Console.WriteLine(Header);
        foreach (var row in rows) Console.WriteLine(row);
        // --check (the smoke test of the client, e.g. --client protocol --customers 2000 --circuits 5 --seconds 20): every
        // run must open all its circuits, search, open and save, with no error on either side.
        if (args.Contains("--check") && failed.Count > 0)
        {
            Console.WriteLine($"CHECK FAILED: {string.Join("; ", failed)}");
            Environment.ExitCode = 1;
        }
        else if (args.Contains("--check")) Console.WriteLine("check passed: every circuit opened, searched, opened customers and saved, no error on either side");
    }

    public const string Header =
        "| circuits | browsers | searches | keystroke → suggestions p50 / p95 ms (beyond the 250 ms debounce) | click → customer page p50 / p95 ms | saves | save → page p95 ms | errors | server working set idle: before → after N circuits | per circuit | GC heap per circuit | server CPU s (share of all cores) | benchmark process CPU s (share of all cores; browsers not included) | machine busy | load average | targets met |\n" +
        "|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|---|---|";

    /// <summary>What one run at one circuit count measured.</summary>
    internal sealed record Measured(int Circuits, double Open, string Clients, Samples Samples, long SetBefore, long SetAfter,
        double HeapBefore, double HeapAfter, double ServerCpu, double ClientCpu, double Wall, double MachineBusy);

    private static string Row(Measured m)
    {
        var samples = m.Samples;
        foreach (var error in samples.Errors.Take(5)) Console.WriteLine($"  error: {error}");
        foreach (var refusal in samples.Refused.Distinct().Take(5)) Console.WriteLine($"  {refusal}");
        var s = samples.Suggestions.IsEmpty ? new Percentiles(double.NaN, double.NaN, double.NaN) : Percentiles.Of([.. samples.Suggestions]);
        var p = samples.Pages.IsEmpty ? new Percentiles(double.NaN, double.NaN, double.NaN) : Percentiles.Of([.. samples.Pages]);
        var save = samples.Saves.IsEmpty ? "—" : $"{Percentiles.Of([.. samples.Saves]).P95:F0}";
        var perCircuit = (double)(m.SetAfter - m.SetBefore) / m.Circuits;
        var heapPerCircuit = (m.HeapAfter - m.HeapBefore) / m.Circuits;
        var met = s.P95 <= SuggestionTargetMs && p.P95 <= PageTargetMs && heapPerCircuit <= MemoryTargetBytes;
        var cores = m.Wall * Environment.ProcessorCount;
        return $"| {m.Circuits} ({m.Open} open) | {m.Clients} | {samples.Suggestions.Count} | {s.P50:F0} / {s.P95:F0} | {p.P50:F0} / {p.P95:F0} | " +
            $"{samples.Saves.Count}{(samples.Refused.IsEmpty ? "" : $" (+{samples.Refused.Count} refused)")} | {save} | {samples.Errors.Count} | {Mb(m.SetBefore):F0} → {Mb(m.SetAfter):F0} MB | {Mb(perCircuit):F2} MB | " +
            $"{Mb(heapPerCircuit):F2} MB | {m.ServerCpu:F1} ({m.ServerCpu / cores:P0}) | {m.ClientCpu:F1} ({m.ClientCpu / cores:P0}) | {m.MachineBusy:P0} | " +
            $"{LoadAverage()} | {(met ? "yes" : "no")} |";
    }

    private static async Task<Measured> RunOnceAsync(IPlaywright? playwright, Options o, int circuits, string connectionString, string venueZone,
        List<Term> terms, IDbContextFactory<AppDbContext> factory)
    {
        await using var app = await AppProcess.StartAsync(DatabaseProvider.Sqlite, connectionString, venueZone, new Dictionary<string, string>
        {
            // Every context signs in from 127.0.0.1: the per-address limit on sign-in posts would turn most of them away.
            ["Security__SignInAttemptsPerMinute"] = "10000",
            ["DetailedErrors"] = Environment.GetEnvironmentVariable("CUSTOMERADMIN_BENCH_DETAILED_ERRORS") ?? "false",
        });
        // One user per circuit (the app caps the circuits one user may hold, Security:MaxCircuitsPerUser), made once the
        // app has started: its start-up creates the roles.
        var users = await AppProcess.CreateUsersAsync(factory, AppRoles.Staff, circuits);
        if (playwright is null) return await Circuits.ProtocolLoad.RunOnceAsync(app, o, circuits, users, terms);
        var browsers = new List<IBrowser>();
        try
        {
            for (var i = 0; i < Math.Clamp((circuits + 24) / 25, 1, o.Browsers); i++)
                browsers.Add(await playwright.Chromium.LaunchAsync(new() { ExecutablePath = ChromiumPath, Headless = true, Args = ChromiumArgs }));

            await WarmUpAsync(app, browsers[0], users[0], terms);
            var heapBefore = await app.HeapAfterFullCollectionAsync();
            var setBefore = app.WorkingSet;

            var pages = new IPage[circuits];
            using (var signIns = new SemaphoreSlim(4))
                await Task.WhenAll(Enumerable.Range(0, circuits).Select(async i =>
                {
                    await signIns.WaitAsync();
                    try { pages[i] = await OpenCircuitAsync(browsers[i % browsers.Count], app.BaseUrl, users[i]); }
                    finally { signIns.Release(); }
                }));
            var open = await WaitForCircuitsAsync(app, circuits);
            await Task.Delay(5000);
            var heapAfter = await app.HeapAfterFullCollectionAsync();
            var setAfter = app.WorkingSet;

            var samples = new Samples();
            var self = Process.GetCurrentProcess();
            var (cpuBefore, clientCpuBefore, machineBefore) = (app.CpuTime, self.TotalProcessorTime, MachineTicks());
            var clock = Stopwatch.StartNew();
            var stop = DateTime.UtcNow.AddSeconds(o.Seconds);
            await Task.WhenAll(pages.Select((page, i) => LoopAsync(page, i, o, terms, stop, samples)));
            var wall = clock.Elapsed.TotalSeconds;
            var cpu = (app.CpuTime - cpuBefore).TotalSeconds;
            self.Refresh();
            var clientCpu = (self.TotalProcessorTime - clientCpuBefore).TotalSeconds;
            var machineBusy = Busy(machineBefore, MachineTicks());
            foreach (var page in pages) await page.Context.CloseAsync();
            return new Measured(circuits, open, $"{browsers.Count}", samples, setBefore, setAfter, heapBefore, heapAfter, cpu, clientCpu, wall, machineBusy);
        }
        finally
        {
            foreach (var browser in browsers) await browser.CloseAsync();
        }
    }

    private static double Mb(double bytes) => bytes / 1024 / 1024;

    /// <summary>
    /// One circuit through the whole loop three times (search, customer page, an edit), then closed, and the app left
    /// until it reports no open circuit: JIT, first queries and process-wide caches are not counted per circuit.
    /// <c>circuit-memory</c> warms up the same way, so the two benchmarks' figures per circuit compare.
    /// </summary>
    internal static async Task WarmUpAsync(AppProcess app, IBrowser browser, (string Email, string Password) user, IReadOnlyList<Term> terms,
        Func<IPage, Task>? thenOn = null)
    {
        var warm = await OpenCircuitAsync(browser, app.BaseUrl, user);
        var ignored = new Samples();
        for (var i = 0; i < 3; i++) await IterateAsync(warm, terms[i % terms.Count], i + 1, editEvery: 2, ignored);
        if (thenOn is not null) await thenOn(warm);
        await warm.Context.CloseAsync();
        if (!ignored.Errors.IsEmpty) Console.WriteLine($"warm-up: {string.Join("; ", ignored.Errors)}");
        await WaitForCircuitsAsync(app, 0);
        await Task.Delay(3000);
    }

    /// <summary>A fresh context signed in as <paramref name="user"/> through the sign-in form, on its first page and interactive:
    /// the customer list, where sign-in lands, or <paramref name="firstPage"/> (the sign-in form's return address).</summary>
    internal static async Task<IPage> OpenCircuitAsync(IBrowser browser, Uri baseUrl, (string Email, string Password) user, string? firstPage = null)
    {
        var context = await browser.NewContextAsync(new() { BaseURL = baseUrl.ToString(), ViewportSize = new() { Width = 1280, Height = 800 } });
        context.SetDefaultTimeout(60_000);
        await context.AddInitScriptAsync(PageClock);
        var page = await context.NewPageAsync();
        await page.GotoAsync(firstPage is null ? "account/sign-in" : $"account/sign-in?ReturnUrl={Uri.EscapeDataString(firstPage)}");
        await page.Locator("#email").FillAsync(user.Email);
        await page.Locator("#password").FillAsync(user.Password);
        // The first page after signing in can take long on a starved machine: wait for it explicitly, with room.
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync(new() { Timeout = 300_000 });
        await page.WaitForURLAsync(url => !url.Contains("/account/sign-in"), new() { WaitUntil = WaitUntilState.Commit, Timeout = 300_000 });
        await page.Locator("[data-interactive='true']").WaitForAsync(new() { State = WaitForSelectorState.Attached, Timeout = 300_000 });
        return page;
    }

    private static async Task LoopAsync(IPage page, int index, Options o, List<Term> terms, DateTime stop, Samples samples)
    {
        var random = new Random(index);
        // Staff do not all press a key in the same millisecond.
        await Task.Delay(random.Next(o.ThinkMs + 1));
        for (var iteration = 1; DateTime.UtcNow < stop; iteration++)
        {
            await IterateAsync(page, terms[random.Next(terms.Count)], iteration, o.EditEvery, samples);
            await Task.Delay(o.ThinkMs / 2 + random.Next(o.ThinkMs + 1));
        }
    }

    /// <summary>Search, open the first suggestion, and every <paramref name="editEvery"/>-th time edit and save it.</summary>
    private static async Task IterateAsync(IPage page, Term term, int iteration, int editEvery, Samples samples)
    {
        var step = "search box";
        try
        {
            var box = page.Locator("#global-search");
            await box.ClickAsync();
            await box.FillAsync("");
            await page.Locator(Suggestion).First.WaitForAsync(new() { State = WaitForSelectorState.Detached });
            // Only the keystroke that completes the term is timed. The ones before it fall inside the debounce (or, on a
            // starved machine, start searches of their own whose answers would be taken for the term's): so all but the
            // last character are typed first and their answer awaited, then the last key starts the clock, which stops
            // when the suggestions answering the complete term are rendered.
            step = "suggestions";
            var prefix = term.Text[..^1];
            await box.PressSequentiallyAsync(prefix);
            await WaitAsync(page, Suggestion, "", exact: false, notPath: null, answering: prefix);
            var shown = WaitAsync(page, Suggestion, term.Expect, exact: false, notPath: null, answering: term.Text);
            await box.PressAsync(term.Text[^1..]);
            var suggestionsAt = await shown;
            samples.Suggestions.Add(suggestionsAt - await page.EvaluateAsync<double>("() => window.__bench.key") - GlobalSearch.DebounceMs);

            step = "open";
            var first = page.Locator(Suggestion).First;
            var name = (await first.Locator("b").InnerTextAsync()).Trim();
            var path = await page.EvaluateAsync<string>("() => location.pathname");
            var opened = WaitAsync(page, CustomerName, name, exact: false, notPath: path);
            await first.ClickAsync();
            samples.Pages.Add(await opened - await page.EvaluateAsync<double>("() => window.__bench.press"));

            if (iteration % editEvery != 0) return;
            step = "edit";
            await page.GetByRole(AriaRole.Link, new() { Name = "Edit", Exact = true }).ClickAsync();
            await page.GetByLabel("Address line 2", new() { Exact = true }).FillAsync($"Bench {iteration}");
            var editPath = await page.EvaluateAsync<string>("() => location.pathname");
            step = "save";
            var saved = WaitAsync(page, CustomerName, name, exact: false, notPath: editPath);
            await page.Locator("[data-testid=save]").ClickAsync();
            samples.Saves.Add(await saved - await page.EvaluateAsync<double>("() => window.__bench.press"));
        }
        catch (Exception ex) when (ex is PlaywrightException or TimeoutException)
        {
            samples.Errors.Enqueue($"{step} ({term.Text}, {page.Url}): {string.Join(" ", ex.Message.Split('\n').Take(3))}");
            // Start the next iteration from a known page.
            try
            {
                await page.GotoAsync("customers");
                await page.Locator("[data-interactive='true']").WaitForAsync(new() { State = WaitForSelectorState.Attached });
            }
            catch (Exception again) when (again is PlaywrightException or TimeoutException)
            {
                samples.Errors.Enqueue($"recovering: {again.Message.Split('\n')[0]}");
            }
        }
    }

    /// <summary>Starts the in-page wait (before the action that should satisfy it) and returns the page-clock time it was met.</summary>
    private static Task<double> WaitAsync(IPage page, string selector, string text, bool exact, string? notPath, string? answering = null) =>
        page.EvaluateAsync<double>(WaitScript, new object?[] { selector, text, exact, notPath, answering, 30_000 });

    /// <summary>Waits until <c>/metrics</c> reports <paramref name="expected"/> open circuits (closed tabs end theirs a little later); returns the last value.</summary>
    internal static async Task<double> WaitForCircuitsAsync(AppProcess app, int expected)
    {
        var deadline = Stopwatch.StartNew();
        double open;
        while ((open = await app.MetricAsync("customeradmin_circuits_active") ?? -1) != expected && deadline.Elapsed < TimeSpan.FromSeconds(60))
            await Task.Delay(250);
        return open;
    }

    /// <summary>People with Latin-letter names, drawn at random from the database.</summary>
    internal static async Task<List<Term>> TermsAsync(IDbContextFactory<AppDbContext> factory)
    {
        await using var db = await factory.CreateDbContextAsync();
        var max = await db.Customers.MaxAsync(c => c.Id);
        var random = new Random(CustomerGenerator.Seed);
        var ids = Enumerable.Range(0, 3000).Select(_ => random.Next(1, max + 1)).Distinct().ToList();
        var people = await db.Customers.AsNoTracking()
            .Where(c => ids.Contains(c.Id) && c.Status != CustomerStatus.Deleted && c.FirstName != null && c.LastName != null)
            .Select(c => new { c.FirstName, c.LastName }).ToListAsync();
        static bool Latin(string s) => s.Length >= 3 && s.All(char.IsAsciiLetter);
        return people.Where(c => Latin(c.FirstName!) && Latin(c.LastName!))
            .Select(c => new Term($"{c.FirstName![..3]} {c.LastName}", c.LastName!)).Take(500).ToList();
    }

    /// <summary>Busy and total jiffies of all cores (<c>/proc/stat</c>): how much of the machine everything (browsers included) used.</summary>
    internal static double Busy((long Busy, long Total) before, (long Busy, long Total) after) =>
        (double)(after.Busy - before.Busy) / Math.Max(1, after.Total - before.Total);

    internal static (long Busy, long Total) MachineTicks()
    {
        if (!File.Exists("/proc/stat")) return (0, 0);
        var fields = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(long.Parse).ToArray();
        var idle = fields[3] + (fields.Length > 4 ? fields[4] : 0);
        return (fields.Sum() - idle, fields.Sum());
    }

    public static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "?";
}
