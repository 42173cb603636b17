using System.Diagnostics;
using CustomerAdmin.Common;
using CustomerAdmin.Features.Customers.History;
using CustomerAdmin.Features.Customers.Search;
using CustomerAdmin.Features.Sms;
using CustomerAdmin.Features.Sms.Reminders;
using CustomerAdmin.Features.Sms.Templates;
using CustomerAdmin.Features.Sms.Webhooks;
using CustomerAdmin.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CustomerAdmin.Benchmarks;

/// <summary>
/// <c>reminders</c> mode: N bookings over M events spread from 60 days ago to 300 days ahead (5 % cancelled, 10 %
/// reminder-only bookings), then the app's own <see cref="ReminderScan.RunOnceAsync"/> timed: the first scan writes
/// every reminder due in the next 7 days, the following ones find nothing new (the steady state, target ≤ 2 s).
/// </summary>
public static class ReminderBenchmark
{
    public const double TargetMs = 2000;
    private const int SteadyRuns = 5;

    public sealed record Row(string Provider, int Bookings, int DueBookings, string Run, int Written, double Ms)
    {
        public const string Header = "| provider | bookings | bookings in the 7-day window | scan | reminders written | ms | target met (≤ 2,000 ms) |\n|---|--:|--:|---|--:|--:|---|";
        public override string ToString() =>
            $"| {Provider} | {Bookings:N0} | {DueBookings:N0} | {Run} | {Written:N0} | {Ms:N0} | {(Ms <= TargetMs ? "yes" : "no")} |";
    }

    public static async Task<List<Row>> RunAsync(DatabaseProvider provider, string connectionString, int bookings, int events, bool plans)
    {
        using var host = ProviderBenchmark.BuildApp(provider, connectionString);
        var factory = host.Services.GetRequiredService<IDbContextFactory<AppDbContext>>();
        await using (var db = await factory.CreateDbContextAsync())
            await db.Database.EnsureDeletedAsync();
        await host.StartAsync();

        var now = DateTime.UtcNow;
        int due;
        await using (var db = await factory.CreateDbContextAsync())
        {
            var clock = Stopwatch.StartNew();
            var perEvent = (bookings + events - 1) / events;
            var customerCount = Math.Max(perEvent, bookings / 5);
            var customers = new CustomerGenerator(host.Services.GetRequiredService<PhoneNormalizer>()).Generate(customerCount).ToList();
            var (eventRows, bookingRows) = Generate(events, bookings, customerCount, now);
            Console.WriteLine($"{provider}: generated {customers.Count:N0} customers, {eventRows.Count:N0} events, {bookingRows.Count:N0} bookings in {clock.Elapsed.TotalSeconds:F0} s");
            clock.Restart();
            await BulkLoader.LoadAsync(db, customers);
            await BulkLoader.LoadAsync(db, eventRows, bookingRows);
            Console.WriteLine($"{provider}: loaded, indexed and analysed in {clock.Elapsed.TotalSeconds:F0} s");
            var dueEvents = eventRows.Where(e => e.Status == EventStatus.Scheduled && e.StartsAt > now && e.StartsAt <= now.AddDays(7))
                .Select(e => e.Id).ToHashSet();
            due = bookingRows.Count(b => dueEvents.Contains(b.EventId));
        }
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);

        var scan = host.Services.GetRequiredService<ReminderScan>();
        var rows = new List<Row>();
        async Task TimeAsync(string run)
        {
            var start = Stopwatch.GetTimestamp();
            var written = await scan.RunOnceAsync();
            var row = new Row(provider.ToString(), bookings, due, run, written, Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            Console.WriteLine(row);
            rows.Add(row);
        }
        await TimeAsync("first (writes all due)");
        for (var i = 1; i <= SteadyRuns; i++) await TimeAsync($"steady #{i} (nothing new)");
        if (plans)
        {
            // The window query and one event's anti-join: the statements a steady scan repeats.
            List<RecordedCommand> commands;
            using (var recorder = new SqlRecorder())
                commands = await recorder.RecordAsync(() => scan.RunOnceAsync());
            await using var db = await factory.CreateDbContextAsync();
            var conn = db.Database.GetDbConnection();
            await db.Database.OpenConnectionAsync();
            foreach (var recorded in commands.Take(3)) await ProviderBenchmark.ExplainAsync(conn, provider, recorded);
        }
        await host.StopAsync();
        return rows;
    }

    private static (List<Event>, List<Booking>) Generate(int eventCount, int bookingCount, int customerCount, DateTime now)
    {
        var random = new Random(CustomerGenerator.Seed);
        var first = now.AddDays(-60);
        var span = TimeSpan.FromDays(360);
        var events = Enumerable.Range(1, eventCount).Select(id =>
        {
            var startsAt = first + span * ((id - 1 + random.NextDouble()) / eventCount);
            var cancelled = random.Next(20) == 0;
            return new Event
            {
                Id = id, Name = $"Event {id}", StartsAt = new DateTime(startsAt.Ticks - startsAt.Ticks % TimeSpan.TicksPerMinute, DateTimeKind.Utc),
                Capacity = 1000, Price = 25m, Status = cancelled ? EventStatus.Cancelled : EventStatus.Scheduled,
                CancelledAt = cancelled ? now : null, CreatedAt = now.AddDays(-90), UpdatedAt = now.AddDays(-90), CreatedBy = "benchmark",
                UpdatedBy = "benchmark", Version = 1,
            };
        }).ToList();

        var perEvent = (bookingCount + eventCount - 1) / eventCount;
        var bookings = new List<Booking>(bookingCount);
        for (var id = 1; id <= bookingCount; id++)
        {
            var eventIndex = (id - 1) / perEvent;
            // Consecutive customers per event: unique per event, each customer on about five events.
            var customerId = (int)(((long)eventIndex * perEvent + (id - 1) % perEvent) % customerCount) + 1;
            bookings.Add(new Booking
            {
                Id = id, EventId = eventIndex + 1, CustomerId = customerId, Seats = random.Next(10) == 0 ? 0 : random.Next(1, 5),
                CreatedAt = now.AddDays(-30), UpdatedAt = now.AddDays(-30), CreatedBy = "benchmark", UpdatedBy = "benchmark", Version = 1,
            });
        }
        return (events, bookings);
    }
}
