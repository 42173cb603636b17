using System.Data.Common;
using System.Diagnostics;
using CustomerAdmin.Common;
using CustomerAdmin.Features.Customers.History;
using CustomerAdmin.Features.Customers.Search;
using CustomerAdmin.Data;
using CustomerAdmin.Startup;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace CustomerAdmin.Benchmarks;

/// <summary>One kind of call: how to make a term from a sampled customer and what the app does with it.</summary>
public sealed record Kind(string Name, double TargetMs, Func<Sample, int, Random, string> Term, Func<AppDbContext, string, Task> Run);

public static class ProviderBenchmark
{
    private const int WarmUp = 100;
    private const double MaxRatio = 1.5;

    public static async Task<List<Result>> RunAsync(DatabaseProvider provider, string connectionString, BenchmarkOptions o)
    {
        using var host = BuildApp(provider, connectionString);
        var factory = host.Services.GetRequiredService<IDbContextFactory<AppDbContext>>();
        var phones = host.Services.GetRequiredService<PhoneNormalizer>();
        await FillAsync(host, factory, phones, o);
        // The generated customers are garbage now; collect them before timing anything.
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);

        Kind[] kinds =
        [
            new("name prefix", 5, SearchTerms.NamePrefix, Search),
            new("name fragment", 5, SearchTerms.NameFragment, Search),
            new("phone suffix", 5, SearchTerms.PhoneSuffix, Search),
            new("email prefix", 5, SearchTerms.EmailPrefix, Search),
            new("lookup by id", 1, (s, _, _) => s.Id.ToString(), LookupAsync),
        ];
        Task Search(AppDbContext db, string term) => db.SuggestAsync(SearchQuery.Parse(term, phones));

        List<Sample> samples;
        DbProviderFactory ado;
        string adoConnectionString;
        await using (var db = await factory.CreateDbContextAsync())
        {
            samples = await SearchTerms.SampleAsync(db, o.Terms + WarmUp, new Random(CustomerGenerator.Seed));
            ado = DbProviderFactories.GetFactory(db.Database.GetDbConnection())!;
            adoConnectionString = db.Database.GetConnectionString()!;
        }

        var results = new List<Result>();
        foreach (var (kind, k) in kinds.Select((kind, k) => (kind, k)))
        {
            var random = new Random(CustomerGenerator.Seed + k);
            var terms = samples.Select((s, i) => kind.Term(s, i, random)).ToList();
            Task AppAsync(string term) => InFreshContextAsync(factory, db => kind.Run(db, term));

            // Recording the SQL is also the app path's warm-up (and fills the caches of both databases).
            List<RecordedCommand>[] commands;
            using (var recorder = new SqlRecorder())
            {
                await SqlRecorder.SettleAsync();
                commands = new List<RecordedCommand>[terms.Count];
                for (var i = 0; i < terms.Count; i++) commands[i] = await recorder.RecordAsync(() => AppAsync(terms[i]));
            }
            await SqlRecorder.SettleAsync();
            // A term may rightly send nothing (a query that parses to nothing), but not many: that means lost recordings.
            if (commands.Count(c => c.Count == 0) is var unrecorded and > 0)
            {
                Console.WriteLine($"  {kind.Name}: {unrecorded} of {terms.Count} terms sent no SQL");
                if (unrecorded * 100 > terms.Count)
                    throw new InvalidOperationException($"{kind.Name}: SQL not recorded for {unrecorded} terms; ADO.NET would replay nothing for them.");
            }
            if (o.Plans) await PrintPlansAsync(ado, adoConnectionString, provider, kind, terms, commands);

            var (app, plain, slowest) = (new List<double>(), new List<double>(), new List<(double, double, string)>());
            for (var i = 0; i < terms.Count; i++)
            {
                // Alternate the two so both see the same machine state; the first runs only warm up. Whichever runs a
                // term first reads its pages into the cache (SQLite's page cache belongs to the pooled connection both
                // use), and the second finds them there, which moved a visible part of p50 from the second to the first
                // (docs/benchmarks.md), so each goes first on every other term.
                Task<double> App() => TimeAsync(() => AppAsync(terms[i]));
                Task<double> Ado() => TimeAsync(() => SqlRecorder.ReplayAsync(ado, adoConnectionString, commands[i]));
                double appMs, adoMs;
                if (i % 2 == 0) (appMs, adoMs) = (await App(), await Ado());
                else (adoMs, appMs) = (await Ado(), await App());
                if (i < WarmUp) continue;
                app.Add(appMs);
                plain.Add(adoMs);
                slowest.Add((appMs, adoMs, terms[i]));
            }
            if (o.Plans)
            {
                foreach (var (appMs, adoMs, term) in slowest.OrderByDescending(s => s.Item1).Take(5))
                    Console.WriteLine($"    slow: \"{term}\" app {appMs:F3} ms, ADO {adoMs:F3} ms");
            }
            var result = new Result(provider.ToString(), kind.Name, Percentiles.Of(app), Percentiles.Of(plain), kind.TargetMs, MaxRatio);
            Console.WriteLine(result);
            results.Add(result);
        }
        await host.StopAsync();
        return results;
    }

    /// <summary>How the customer pages load one customer.</summary>
    private static Task LookupAsync(AppDbContext db, string term)
    {
        var id = int.Parse(term);
        return db.FindCustomerAsync(id);
    }

    /// <summary>Like every component: one short-lived context per operation, created by the app's factory.</summary>
    private static async Task InFreshContextAsync(IDbContextFactory<AppDbContext> factory, Func<AppDbContext, Task> run)
    {
        await using var db = await factory.CreateDbContextAsync();
        await run(db);
    }

    private static async Task<double> TimeAsync(Func<Task> run)
    {
        var start = Stopwatch.GetTimestamp();
        await run();
        return Stopwatch.GetElapsedTime(start).TotalMilliseconds;
    }

    /// <summary>The app's own registrations (<c>AddAppDatabase</c>, <c>AddCustomerAdmin</c>) on a host without a web server.</summary>
    internal static IHost BuildApp(DatabaseProvider provider, string connectionString, IReadOnlyDictionary<string, string?>? settings = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
        {
            DisableDefaults = true, ContentRootPath = AppContext.BaseDirectory,
        });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Database:Provider"] = provider.ToString(),
            ["Database:SeedDemoData"] = "false",
            [$"ConnectionStrings:{provider}"] = connectionString,
            // Benchmarks call the app's code themselves; background SMS work would run beside the timings.
            ["Sms:RunReminderScan"] = "false",
            ["Sms:RunDispatcher"] = "false",
        });
        if (settings is not null) builder.Configuration.AddInMemoryCollection(settings);
        // A setting tried without a rebuild, e.g. CUSTOMERADMIN_CustomerImport__CommitTime=00:00:05.
        builder.Configuration.AddEnvironmentVariables("CUSTOMERADMIN_");
        // EnsureDeleted logs a failed connection when the PostgreSQL database does not exist yet: that is expected.
        builder.Logging.AddConsole().SetMinimumLevel(LogLevel.Warning)
            .AddFilter(DbLoggerCategory.Database.Connection.Name, LogLevel.None);
        builder.AddDatabase();
        builder.AddCustomerAdmin();
        return builder.Build();
    }

    internal static async Task FillAsync(IHost host, IDbContextFactory<AppDbContext> factory, PhoneNormalizer phones, BenchmarkOptions o)
    {
        bool filled;
        await using (var db = await factory.CreateDbContextAsync())
        {
            // A database another run filled (another branch's, or one a colleague shares) may lack this branch's last
            // migrations: the app's start applies them. With --reuse a database that holds other customers is refused,
            // never deleted: it may not be this benchmark's to drop.
            var existing = o.Reuse && await db.Database.CanConnectAsync() && (await db.Database.GetAppliedMigrationsAsync()).Any()
                ? await db.Customers.CountAsync()
                : 0;
            filled = o.Reuse && existing == o.Customers;
            if (o.Reuse && !filled && existing > 0)
                throw new InvalidOperationException($"--reuse: the database holds {existing:N0} customers, not {o.Customers:N0}; " +
                    "it is left as it is (pass the right --customers, or leave out --reuse to fill a new one).");
            if (!filled) await db.Database.EnsureDeletedAsync();
        }
        // Starts the app's DatabaseInitializer: the real migrations, then WAL on SQLite.
        await host.StartAsync();
        await using (var db = await factory.CreateDbContextAsync())
        {
            var name = db.Database.ProviderName;
            if (filled)
            {
                Console.WriteLine($"{name}: reusing {o.Customers:N0} customers");
                return;
            }
            var clock = Stopwatch.StartNew();
            var customers = new CustomerGenerator(phones).Generate(o.Customers).ToList();
            Console.WriteLine($"{name}: generated {customers.Count:N0} customers in {clock.Elapsed.TotalSeconds:F0} s");
            clock.Restart();
            await BulkLoader.LoadAsync(db, customers);
            Console.WriteLine($"{name}: loaded, indexed and analysed in {clock.Elapsed.TotalSeconds:F0} s");
        }
    }

    private static async Task PrintPlansAsync(DbProviderFactory ado, string connectionString, DatabaseProvider provider, Kind kind,
        List<string> terms, List<RecordedCommand>[] commands)
    {
        await using var conn = ado.CreateConnection()!;
        conn.ConnectionString = connectionString;
        await conn.OpenAsync();
        for (var i = 0; i < 2; i++)
        {
            Console.WriteLine($"--- {provider} {kind.Name} \"{terms[i]}\"");
            foreach (var recorded in commands[i]) await ExplainAsync(conn, provider, recorded);
        }
    }

    /// <summary>Prints a recorded statement and the database's plan for it.</summary>
    internal static async Task ExplainAsync(DbConnection conn, DatabaseProvider provider, RecordedCommand recorded)
    {
        var explain = provider == DatabaseProvider.Sqlite ? "EXPLAIN QUERY PLAN " : "EXPLAIN (ANALYZE, BUFFERS) ";
        Console.WriteLine(recorded.Sql);
        await using var cmd = conn.CreateCommand();
        cmd.CommandText = explain + recorded.Sql;
        foreach (var (name, value, type) in recorded.Parameters)
        {
            var p = cmd.CreateParameter();
            (p.ParameterName, p.Value, p.DbType) = (name, value, type);
            cmd.Parameters.Add(p);
        }
        await using var reader = await cmd.ExecuteReaderAsync();
        while (await reader.ReadAsync()) Console.WriteLine("    " + reader.GetValue(reader.FieldCount - 1));
    }
}

public sealed record Percentiles(double P50, double P95, double P99)
{
    public static Percentiles Of(List<double> ms)
    {
        ms.Sort();
        double At(double q) => ms[Math.Max(0, (int)Math.Ceiling(q * ms.Count) - 1)];
        return new(At(0.50), At(0.95), At(0.99));
    }
}

public sealed record Result(string Provider, string Kind, Percentiles App, Percentiles Ado, double TargetMs, double MaxRatio)
{
    public const string Header =
        "| provider | kind | app p50 | app p95 | app p99 | ADO p50 | ADO p95 | ADO p99 | ratio p95 | target met |\n" +
        "|---|---|--:|--:|--:|--:|--:|--:|--:|---|";

    public double Ratio => App.P95 / Ado.P95;

    public override string ToString()
    {
        var met = App.P95 <= TargetMs && Ratio <= MaxRatio;
        var why = App.P95 > TargetMs ? $" (p95 > {TargetMs} ms)" : Ratio > MaxRatio ? $" (ratio > {MaxRatio})" : "";
        return $"| {Provider} | {Kind} | {App.P50:F3} | {App.P95:F3} | {App.P99:F3} | {Ado.P50:F3} | {Ado.P95:F3} | {Ado.P99:F3} | {Ratio:F2} | {(met ? "yes" : "no" + why)} |";
    }
}
