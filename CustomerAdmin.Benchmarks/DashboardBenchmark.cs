using System.Diagnostics;
using CustomerAdmin.Common;
using CustomerAdmin.Features.Customers;
using CustomerAdmin.Features.Customers.Export;
using CustomerAdmin.Features.Customers.Search;
using CustomerAdmin.Features.Dashboard;
using CustomerAdmin.Features.Customers.History;
using CustomerAdmin.Features.Events;
using CustomerAdmin.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace CustomerAdmin.Benchmarks;

/// <summary>
/// <c>dashboard --customers N --tickets M [--runs R] [--postgres "..."] [--sqlite path]</c>: fills a database with N
/// generated customers and M tickets (three years, 80 % closed, denormalised stats recomputed in SQL), then times the
/// whole dashboard for a one-year period (every query the page runs) and a full CSV export downloaded over HTTP from the app
/// running as its own process (<see cref="HttpExport"/>), with the server's peak memory.
/// </summary>
public static class DashboardBenchmark
{
    public const double DashboardTargetMs = 300;
    public const double ExportTargetSeconds = 30;
    /// <summary>Growth of the server's working set over the export.</summary>
    public const long ExportTargetBytes = 300L * 1024 * 1024;

    /// <param name="reuse">Keep a database filled by an earlier run with the same sizes, so this process never held the
    /// generated data and its working set is the app's and the export's alone.</param>
    public static async Task<string> RunAsync(DatabaseProvider provider, string connectionString, int customers, int tickets, int runs, bool reuse)
    {
        using var host = ProviderBenchmark.BuildApp(provider, connectionString);
        var factory = host.Services.GetRequiredService<IDbContextFactory<AppDbContext>>();
        var phones = host.Services.GetRequiredService<PhoneNormalizer>();
        var filled = false;
        await using (var db = await factory.CreateDbContextAsync())
        {
            // A filled database from an older build is reused too: starting the host migrates it and, when the
            // dashboard summary is missing, counts it (timed below).
            filled = reuse && await db.Database.CanConnectAsync()
                && await db.Customers.CountAsync() == customers && await db.Tickets.CountAsync() == tickets;
            if (!filled) await db.Database.EnsureDeletedAsync();
        }
        var clock = Stopwatch.StartNew();
        await host.StartAsync();
        if (filled) Console.WriteLine($"{provider}: started (migrations, dashboard summary if missing) in {clock.Elapsed.TotalSeconds:F1} s");
        clock.Restart();
        if (!filled)
        await using (var db = await factory.CreateDbContextAsync())
        {
            db.Database.SetCommandTimeout(TimeSpan.FromHours(1));
            await BulkLoader.LoadAsync(db, new CustomerGenerator(phones).Generate(customers).ToList());
            await BulkLoader.LoadAsync(db, Tickets(customers, tickets));
            // The app keeps these in the same transaction as each ticket; a bulk load sets them once afterwards.
            await db.Database.ExecuteSqlRawAsync("""
                UPDATE "Customers" SET
                  "TotalSpent" = COALESCE((SELECT SUM(t."FinalAmount") FROM "Tickets" t WHERE t."CustomerId" = "Customers"."Id" AND t."Status" = 'Closed'), 0),
                  "VisitCount" = (SELECT COUNT(*) FROM "Tickets" t WHERE t."CustomerId" = "Customers"."Id" AND t."Status" = 'Closed'),
                  "LastVisitAt" = (SELECT MAX(t."ClosedAt") FROM "Tickets" t WHERE t."CustomerId" = "Customers"."Id" AND t."Status" = 'Closed')
                """);
            await db.Database.ExecuteSqlRawAsync(provider == DatabaseProvider.Postgres ? "VACUUM ANALYZE" : "ANALYZE");
            // The app keeps the dashboard summary in each save's transaction; after a bulk load it is counted once.
            var summary = Stopwatch.StartNew();
            await DashboardSummary.RebuildAsync(db);
            Console.WriteLine($"{provider}: dashboard summary counted in {summary.Elapsed.TotalSeconds:F1} s");
        }
        Console.WriteLine($"{provider}: {customers:N0} customers and {tickets:N0} tickets {(filled ? "reused" : $"loaded in {clock.Elapsed.TotalSeconds:F0} s")}");

        var now = DateTime.UtcNow;
        var period = DashboardPeriod.Of(PeriodKind.ThisYear, DateOnly.FromDateTime(now));
        var times = new List<double>();
        for (var i = 0; runs > 0 && i < runs + 2; i++)
        {
            var start = Stopwatch.GetTimestamp();
            await using (var db = await factory.CreateDbContextAsync())
            {
                await db.LoadAsync(period, now);
                await db.CitiesAsync(10);
            }
            if (i >= 2) times.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        }
        var p = runs > 0 ? Percentiles.Of(times) : new Percentiles(0, 0, 0);
        if (runs > 0)
        using (var slow = new SlowCommands())
        {
            await SqlRecorder.SettleAsync();
            await using var db = await factory.CreateDbContextAsync();
            await db.LoadAsync(period, now);
            await db.CitiesAsync(10);
            foreach (var (ms, sql) in slow.Commands.OrderByDescending(c => c.Ms).Take(8))
            {
                var line = string.Join(' ', sql.Split((char[])['\r', '\n'], StringSplitOptions.RemoveEmptyEntries).Select(l => l.Trim()));
                Console.WriteLine($"  {ms,8:F0} ms  {line[..Math.Min(line.Length, 400)]}");
            }
        }

        await host.StopAsync();
        var venueZone = host.Services.GetRequiredService<IOptions<VenueOptions>>().Value.TimeZone;
        var export = await HttpExport.RunAsync(provider, connectionString, factory, venueZone);

        var dashboard = runs > 0 ? $"{p.P50:F0} | {p.P95:F0} | {(p.P95 <= DashboardTargetMs ? "yes" : "no")}" : "— | — | —";
        var growth = export.PeakWorkingSet - export.WorkingSetBefore;
        return $"| {provider} | {customers:N0} | {tickets:N0} | {dashboard} | " +
            $"{export.Rows:N0} | {export.Bytes / 1024.0 / 1024.0:F0} MB | {export.Seconds:F1} | {export.ServerCpuSeconds:F1} | " +
            $"{export.WarmSeconds:F1} | {export.WarmServerCpuSeconds:F1} | " +
            $"{export.WorkingSetBefore / 1024.0 / 1024.0:F0} MB | {export.PeakWorkingSet / 1024.0 / 1024.0:F0} MB | " +
            $"{(export.Seconds <= ExportTargetSeconds && growth < ExportTargetBytes ? "yes" : "no")} |";
    }

    public const string Header =
        "| provider | customers | tickets | dashboard p50 ms | dashboard p95 ms | ≤ 300 ms | exported rows | file | export s (HTTP) | export CPU s (server) | again: s | again: CPU s | server working set before | server peak | ≤ 30 s and < 300 MB growth |\n" +
        "|---|--:|--:|--:|--:|---|--:|--:|--:|--:|--:|--:|--:|--:|---|";

    /// <summary>Tickets spread over customers and the last three years; ids and numbers 1..M, deterministic.</summary>
    private static IEnumerable<Ticket> Tickets(int customers, int count)
    {
        var random = new Random(CustomerGenerator.Seed);
        var end = DateTime.UtcNow;
        var span = TimeSpan.FromDays(3 * 365).Ticks;
        TicketStatus[] active = [TicketStatus.Open, TicketStatus.InProgress, TicketStatus.WaitingForParts, TicketStatus.Ready];
        for (var i = 1; i <= count; i++)
        {
            var opened = end.AddTicks(-(long)(random.NextDouble() * span));
            var roll = random.Next(100);
            var status = roll < 80 ? TicketStatus.Closed : roll < 85 ? TicketStatus.Cancelled : active[random.Next(active.Length)];
            var closed = status == TicketStatus.Closed ? opened.AddHours(random.Next(1, 24 * 20)) : (DateTime?)null;
            yield return new Ticket
            {
                Id = i, Sequence = i, Number = Ticket.FormatNumber(i), CustomerId = random.Next(1, customers + 1),
                Item = "Laptop", Problem = "Benchmark", Status = status, OpenedAt = opened, UpdatedAt = closed ?? opened,
                ClosedAt = closed > end ? end : closed, FinalAmount = status == TicketStatus.Closed ? random.Next(1000, 50000) / 100m : null,
                Version = 1,
            };
        }
    }

    /// <summary>Each command's duration in one profiled run, from EF Core's diagnostic events, to see where the time goes.</summary>
    private sealed class SlowCommands : IObserver<DiagnosticListener>, IObserver<KeyValuePair<string, object?>>, IDisposable
    {
        private readonly List<IDisposable> _subscriptions = [];
        public List<(double Ms, string Sql)> Commands { get; } = [];

        public SlowCommands() => _subscriptions.Add(DiagnosticListener.AllListeners.Subscribe(this));

        public void OnNext(DiagnosticListener listener)
        {
            if (listener.Name == DbLoggerCategory.Name)
                _subscriptions.Add(listener.Subscribe(this, name => name == RelationalEventId.CommandExecuted.Name));
        }

        public void OnNext(KeyValuePair<string, object?> e)
        {
            if (e.Value is CommandExecutedEventData d)
                Commands.Add((d.Duration.TotalMilliseconds, d.Command.CommandText));
        }

        public void OnCompleted() { }
        public void OnError(Exception error) { }

        public void Dispose()
        {
            foreach (var subscription in _subscriptions) subscription.Dispose();
        }
    }
}
