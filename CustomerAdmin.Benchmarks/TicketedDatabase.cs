using System.Diagnostics;
using CustomerAdmin.Common;
using CustomerAdmin.Data;
using CustomerAdmin.Features.Dashboard;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace CustomerAdmin.Benchmarks;

/// <summary>
/// A benchmark database of N generated customers and M tickets (three years, 80 % closed), with the customers'
/// statistics and the dashboard summary set once after the bulk load as the app would have kept them: the
/// <c>dashboard</c>, <c>load</c> and <c>tickets</c> modes share it (and with <c>--reuse</c> one file).
/// </summary>
public static class TicketedDatabase
{
    /// <summary>
    /// Starts <paramref name="host"/> (the app's registrations: migrations) over a database holding exactly
    /// <paramref name="customers"/> customers and <paramref name="tickets"/> tickets (at least that many when
    /// <paramref name="ticketsAtLeast"/>: a mode that adds tickets keeps the file reusable), filling it afresh unless
    /// <paramref name="reuse"/> finds one. Returns whether it was reused.
    /// </summary>
    public static async Task<bool> FillAsync(IHost host, DatabaseProvider provider, int customers, int tickets, bool reuse, bool ticketsAtLeast = false)
    {
        var factory = host.Services.GetRequiredService<IDbContextFactory<AppDbContext>>();
        var phones = host.Services.GetRequiredService<PhoneNormalizer>();
        bool filled;
        await using (var db = await factory.CreateDbContextAsync())
        {
            // A filled database from an older build is reused too: starting the host migrates it and, when the
            // dashboard summary is missing, counts it (timed below).
            filled = reuse && await db.Database.CanConnectAsync() && await db.Customers.CountAsync() == customers
                && (await db.Tickets.CountAsync() is var count && (ticketsAtLeast ? count >= tickets : count == tickets));
            if (!filled) await db.Database.EnsureDeletedAsync();
        }
        var clock = Stopwatch.StartNew();
        await host.StartAsync();
        if (filled)
        {
            Console.WriteLine($"{provider}: {customers:N0} customers and {tickets:N0} tickets reused; started (migrations, dashboard summary if missing) in {clock.Elapsed.TotalSeconds:F1} s");
            return true;
        }
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
        Console.WriteLine($"{provider}: {customers:N0} customers and {tickets:N0} tickets loaded in {clock.Elapsed.TotalSeconds:F0} s");
        return false;
    }

    /// <summary>Tickets spread over customers and the last three years; ids and numbers 1..M, deterministic.</summary>
    public static IEnumerable<Ticket> Tickets(int customers, int count)
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

}
