using System.Diagnostics;
using CustomerAdmin.Common;
using CustomerAdmin.Data;
using CustomerAdmin.Features.Tickets;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace CustomerAdmin.Benchmarks;

/// <summary>
/// <c>tickets --customers N [--tickets M] [--creates R] [--sqlite path] [--postgres "..."] [--no-sqlite] [--reuse] [--profile]</c>:
/// opening a ticket as the ticket form does (<see cref="TicketOperations.CreateAsync"/>: the customer read, the block
/// check, the next number, the ticket, its timeline entry, the customer's statistics and the dashboard summary kept in the
/// same transaction), one after another for random customers, over N customers and M tickets
/// (<see cref="TicketedDatabase"/>; the database keeps the tickets it adds, and <c>--reuse</c> accepts it with more
/// than M). <c>--profile</c> also prints each statement's share of the time (<see cref="StatementProfile"/>), which
/// slows every statement a little: time with a run without it.
/// </summary>
public static class TicketBenchmark
{
    public const double TargetMs = 100;

    public const string Header =
        "| provider | customers | tickets before | tickets opened | p50 ms | p95 ms | p99 ms | p95 < 100 ms | load average |\n" +
        "|---|--:|--:|--:|--:|--:|--:|---|---|";

    public static async Task RunAsync(string[] args)
    {
        string? Text(string name) => Array.IndexOf(args, name) is var i and >= 0 ? args[i + 1] : null;
        int Arg(string name, int fallback) => Text(name) is { } v ? int.Parse(v) : fallback;
        var customers = Arg("--customers", 1_000_000);
        var tickets = Arg("--tickets", customers * 5);
        var creates = Arg("--creates", 500);
        var reuse = args.Contains("--reuse");
        var profile = args.Contains("--profile");
        var sqlitePath = Text("--sqlite") is { } path ? Path.GetFullPath(path) : Path.Combine(Path.GetTempPath(), "customeradmin-load-bench.db");
        var rows = new List<string>();
        if (!args.Contains("--no-sqlite"))
            rows.Add(await RunAsync(DatabaseProvider.Sqlite, $"Data Source={sqlitePath}", customers, tickets, creates, reuse, profile));
        if (Text("--postgres") is { } pg)
            rows.Add(await RunAsync(DatabaseProvider.Postgres, pg, customers, tickets, creates, reuse, profile));
        Console.WriteLine();
        Console.WriteLine($"{Environment.ProcessorCount} cores; each ticket opened through TicketOperations.CreateAsync, one at a time, after 20 warm-up tickets");
        Console.WriteLine(Header);
        foreach (var row in rows) Console.WriteLine(row);
    }

    private static async Task<string> RunAsync(DatabaseProvider provider, string connectionString, int customers, int tickets, int creates, bool reuse,
        bool profile)
    {
        using var host = ProviderBenchmark.BuildApp(provider, connectionString);
        await TicketedDatabase.FillAsync(host, provider, customers, tickets, reuse, ticketsAtLeast: true);
        var factory = host.Services.GetRequiredService<IDbContextFactory<AppDbContext>>();
        int before;
        await using (var db = await factory.CreateDbContextAsync()) before = await db.Tickets.CountAsync();
        var random = new Random(CustomerGenerator.Seed);
        var times = new List<double>();
        var refused = 0;
        using var statements = profile ? new StatementProfile() : null;
        if (statements is not null) await SqlRecorder.SettleAsync();
        for (var i = 0; times.Count < creates; i++)
        {
            var draft = new TicketDraft
            {
                CustomerId = random.Next(1, customers + 1), Item = "Laptop", Problem = "Benchmark: does not start",
                Priority = TicketPriority.Normal, QuotedAmount = 49.90m,
            };
            var start = Stopwatch.GetTimestamp();
            try
            {
                await TicketOperations.CreateAsync(factory, draft, TimeProvider.System, "bench@bench.local");
            }
            catch (RuleViolationException)
            {
                // A deleted (1 %) or blocked customer: staff would pick another one.
                refused++;
                continue;
            }
            if (i >= 20) times.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        }
        statements?.Dispose();
        await host.StopAsync();
        var p = Percentiles.Of(times);
        Console.WriteLine($"{provider}: {creates} tickets opened ({refused} customers refused: deleted or blocked)");
        statements?.Print(times.Count + 20 + refused);
        return $"| {provider} | {customers:N0} | {before:N0} | {creates} | {p.P50:F1} | {p.P95:F1} | {p.P99:F1} | {(p.P95 < TargetMs ? "yes" : "no")} | {LoadBenchmark.LoadAverage()} |";
    }
}
