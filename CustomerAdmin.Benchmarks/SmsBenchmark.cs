using System.Diagnostics;
using CustomerAdmin.Features.Sms.Reminders;
using CustomerAdmin.Features.Sms.Sending;
using CustomerAdmin.Features.Sms.Webhooks;
using CustomerAdmin.Data;
using CustomerAdmin.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CustomerAdmin.Benchmarks;

/// <summary>
/// Dispatch throughput: N due messages sent through the app's real <see cref="TwilioSmsSender"/> and
/// <see cref="SmsDispatcher"/> (as registered by <c>AddSms</c>) to a fake Twilio on loopback, on SQLite and optionally
/// PostgreSQL, with one or more dispatcher instances claiming from the same table.
/// </summary>
public static class SmsBenchmark
{
    public const double TargetPerSecond = 500;

    public sealed record Options(int Messages, string? Postgres, string SqlitePath, int Instances, int BatchSize, int Concurrency)
    {
        public static Options Parse(string[] args)
        {
            var o = new Options(10_000, null, Path.Combine(Path.GetTempPath(), "customeradmin-sms-bench.db"), 1, 100, 16);
            for (var i = 1; i < args.Length; i++)
            {
                o = args[i] switch
                {
                    "--messages" => o with { Messages = int.Parse(args[++i]) },
                    "--postgres" => o with { Postgres = args[++i] },
                    "--sqlite" => o with { SqlitePath = Path.GetFullPath(args[++i]) },
                    "--instances" => o with { Instances = int.Parse(args[++i]) },
                    "--batch" => o with { BatchSize = int.Parse(args[++i]) },
                    "--concurrency" => o with { Concurrency = int.Parse(args[++i]) },
                    _ => throw new ArgumentException($"Unknown option {args[i]}. Options: --messages N, --postgres \"<connection string>\", " +
                        "--sqlite path, --instances N, --batch N, --concurrency N"),
                };
            }
            return o;
        }
    }

    private sealed record Row(string Provider, int Instances, int Messages, double Seconds, int Duplicates, int Unsent)
    {
        public double PerSecond => Messages / Seconds;
        public override string ToString() =>
            $"| {Provider} | {Instances} | {Messages:N0} | {Seconds:F2} | {PerSecond:N0} | {(Duplicates == 0 && Unsent == 0 ? "yes" : $"no ({Duplicates} duplicates, {Unsent} unsent)")} | {(PerSecond >= TargetPerSecond ? "yes" : "no")} |";
    }

    public static async Task RunAsync(string[] args)
    {
        var o = Options.Parse(args);
        var rows = new List<Row> { await RunAsync(DatabaseProvider.Sqlite, $"Data Source={o.SqlitePath}", o) };
        if (o.Postgres is { } postgres) rows.Add(await RunAsync(DatabaseProvider.Postgres, postgres, o));

        Console.WriteLine();
        Console.WriteLine($"SMS dispatch to a loopback fake Twilio, batch {o.BatchSize}, concurrency {o.Concurrency} per instance, {Environment.ProcessorCount} cores");
        Console.WriteLine();
        Console.WriteLine("| provider | instances | messages | seconds | messages/s | each sent once | ≥ 500/s |");
        Console.WriteLine("|---|--:|--:|--:|--:|---|---|");
        foreach (var row in rows) Console.WriteLine(row);
    }

    private static async Task<Row> RunAsync(DatabaseProvider provider, string connectionString, Options o)
    {
        await using var twilio = await FakeTwilio.StartAsync();
        twilio.RecordRequests = false;
        using var host = ProviderBenchmark.BuildApp(provider, connectionString, new Dictionary<string, string?>
        {
            ["Sms:Provider"] = "Twilio",
            ["Sms:RunDispatcher"] = "false",
            ["Sms:BatchSize"] = o.BatchSize.ToString(),
            ["Sms:Concurrency"] = o.Concurrency.ToString(),
            // Throughput, not the customer-protection rules, is measured: every message may go now.
            ["Sms:QuietHoursStart"] = "00:00",
            ["Sms:QuietHoursEnd"] = "00:00",
            ["Sms:Twilio:AccountSid"] = FakeTwilio.AccountSid,
            ["Sms:Twilio:AuthToken"] = FakeTwilio.AuthToken,
            ["Sms:Twilio:From"] = FakeTwilio.From,
            ["Sms:Twilio:BaseUrl"] = twilio.BaseUrl,
            // Twilio mode refuses to start without a callback address; the fake never calls it.
            ["Sms:PublicBaseUrl"] = "https://admin.example.com",
        });
        var factory = host.Services.GetRequiredService<IDbContextFactory<AppDbContext>>();
        await using (var db = await factory.CreateDbContextAsync())
            await db.Database.EnsureDeletedAsync();
        await host.StartAsync();
        await SeedAsync(factory, o.Messages);

        var dispatchers = Enumerable.Range(0, o.Instances)
            .Select(i => i == 0 ? host.Services.GetRequiredService<SmsDispatcher>() : ActivatorUtilities.CreateInstance<SmsDispatcher>(host.Services))
            .ToList();
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(dispatchers.Select(d => Task.Run(async () =>
        {
            while (await d.DispatchDueAsync(CancellationToken.None) > 0) { }
        })));
        var seconds = clock.Elapsed.TotalSeconds;
        await host.StopAsync();

        var duplicates = twilio.SendsByRecipientAndBody.Values.Count(n => n > 1);
        int unsent;
        await using (var db = await factory.CreateDbContextAsync())
            unsent = await db.SmsMessages.CountAsync(m => m.ProviderId == null);
        Console.WriteLine($"{provider}: {o.Messages:N0} messages in {seconds:F2} s");
        return new Row(provider.ToString(), o.Instances, o.Messages, seconds, duplicates, unsent);
    }

    private static async Task SeedAsync(IDbContextFactory<AppDbContext> factory, int messages)
    {
        await using var db = await factory.CreateDbContextAsync();
        var customer = new Customer { Type = CustomerType.Individual, FirstName = "Bench", LastName = "Mark", PrimaryPhone = "+16175550000", SmsOptedIn = true };
        db.Customers.Add(customer);
        await db.SaveChangesAsync();
        var now = DateTime.UtcNow;
        db.ChangeTracker.AutoDetectChangesEnabled = false;
        for (var i = 0; i < messages; i++)
        {
            // A number per message, so the per-recipient limits never hold one back.
            db.SmsMessages.Add(new SmsMessage
            {
                CustomerId = customer.Id, Kind = SmsKind.Bulk, To = $"+1617{i:D7}", Body = $"Benchmark message {i}",
                NextAttemptAt = now, CreatedAt = now, UpdatedAt = now, Segments = 1,
            });
            if (i % 2000 == 1999) { await db.SaveChangesAsync(); db.ChangeTracker.Clear(); }
        }
        await db.SaveChangesAsync();
    }
}
