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
        await TicketedDatabase.FillAsync(host, provider, customers, tickets, reuse);

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
