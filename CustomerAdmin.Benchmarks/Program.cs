using CustomerAdmin.Benchmarks;
using CustomerAdmin.Data;

if (args is ["import", ..])
{
    int Arg(string name, int fallback) => Array.IndexOf(args, name) is var i and >= 0 ? int.Parse(args[i + 1]) : fallback;
    var rows = Arg("--rows", 1_000_000);
    var sqlite = Array.IndexOf(args, "--sqlite") is var s and >= 0 ? Path.GetFullPath(args[s + 1]) : Path.Combine(Path.GetTempPath(), "customeradmin-import-bench.db");
    await ImportBenchmark.RunAsync(rows, Arg("--customers", rows / 5), sqlite, args.Contains("--keep-file"), Arg("--batch", 0));
    return;
}

if (args is ["csv-parse", ..])
{
    int Arg(string name, int fallback) => Array.IndexOf(args, name) is var i and >= 0 ? int.Parse(args[i + 1]) : fallback;
    await CsvParseBenchmark.RunAsync(Arg("--rows", 1_000_000), Arg("--runs", 3));
    return;
}

if (args is ["import-customers", ..])
{
    int Arg(string name, int fallback) => Array.IndexOf(args, name) is var i and >= 0 ? int.Parse(args[i + 1]) : fallback;
    string? Text(string name) => Array.IndexOf(args, name) is var i and >= 0 ? args[i + 1] : null;
    var rows = Arg("--rows", 100_000);
    var sqlitePath = Text("--sqlite") is { } path ? Path.GetFullPath(path) : Path.Combine(Path.GetTempPath(), "customeradmin-customer-import-bench.db");
    // --keep-file: the CSV is kept beside the SQLite file (FILE.csv) or at --csv; --reuse: a filled database and that
    // CSV are imported again without filling; --fill-only: fill and write the CSV, then stop.
    var csv = Text("--csv") is { } c ? Path.GetFullPath(c) : args.Contains("--keep-file") || args.Contains("--reuse") || args.Contains("--fill-only") ? sqlitePath + ".csv" : null;
    var (reuse, fillOnly) = (args.Contains("--reuse"), args.Contains("--fill-only"));
    if (!args.Contains("--no-sqlite"))
        await CustomerImportBenchmark.RunAsync(DatabaseProvider.Sqlite, $"Data Source={sqlitePath}", rows, Arg("--customers", rows), csv, reuse, fillOnly, Arg("--batch", 0));
    if (Text("--postgres") is { } pg)
        await CustomerImportBenchmark.RunAsync(DatabaseProvider.Postgres, pg, rows, Arg("--customers", rows), csv is null ? null : csv + ".pg.csv", reuse, fillOnly, Arg("--batch", 0));
    return;
}
if (args is ["duplicates-scan", ..])
{
    string? Text(string name) => Array.IndexOf(args, name) is var i and >= 0 ? args[i + 1] : null;
    int Arg(string name, int fallback) => Text(name) is { } v ? int.Parse(v) : fallback;
    var customers = Arg("--customers", 1_000_000);
    var sqlitePath = Text("--sqlite") is { } path ? Path.GetFullPath(path) : Path.Combine(Path.GetTempPath(), "customeradmin-duplicates-bench.db");
    var lines = new List<string>();
    if (!args.Contains("--no-sqlite"))
        lines.Add(await DuplicateScanBenchmark.RunAsync(DatabaseProvider.Sqlite, $"Data Source={sqlitePath}", customers, args.Contains("--reuse"), Arg("--checks", 200), args.Contains("--checks-only")));
    if (Text("--postgres") is { } pg)
        lines.Add(await DuplicateScanBenchmark.RunAsync(DatabaseProvider.Postgres, pg, customers, args.Contains("--reuse"), Arg("--checks", 200), args.Contains("--checks-only")));
    Console.WriteLine();
    Console.WriteLine($"{Environment.ProcessorCount} cores; the scan runs as `duplicates scan --output FILE` in its own process");
    Console.WriteLine(DuplicateScanBenchmark.Header);
    foreach (var line in lines) Console.WriteLine(line);
    return;
}

if (args is ["api", ..])
{
    string? Text(string name) => Array.IndexOf(args, name) is var i and >= 0 ? args[i + 1] : null;
    int Arg(string name, int fallback) => Text(name) is { } v ? int.Parse(v) : fallback;
    var customers = Arg("--customers", 1_000_000);
    var (requests, clients, seconds) = (Arg("--requests", 2000), Arg("--clients", 32), Arg("--seconds", 20));
    var sqlitePath = Text("--sqlite") is { } path ? Path.GetFullPath(path) : Path.Combine(Path.GetTempPath(), "customeradmin-api-bench.db");
    var rows = new List<ApiResult>();
    if (!args.Contains("--no-sqlite"))
        rows.Add(await ApiBenchmark.RunAsync(DatabaseProvider.Sqlite, $"Data Source={sqlitePath}", customers, args.Contains("--reuse"), requests, clients, seconds));
    if (Text("--postgres") is { } pg)
        rows.Add(await ApiBenchmark.RunAsync(DatabaseProvider.Postgres, pg, customers, args.Contains("--reuse"), requests, clients, seconds));
    Console.WriteLine();
    Console.WriteLine($"{Environment.ProcessorCount} cores shared by the app and the clients; times in ms over HTTP on loopback; {requests:N0} sequential gets, " +
        $"{Math.Max(100, requests / 4):N0} of each list page, then {clients} clients for {seconds} s; targets: get p95 ≤ {ApiBenchmark.GetTargetMs} ms, " +
        $"list p95 ≤ {ApiBenchmark.ListTargetMs} ms, ≥ {ApiBenchmark.TargetRequestsPerSecond:N0} req/s");
    Console.WriteLine(ApiResult.Header);
    foreach (var row in rows) Console.WriteLine(row);
    return;
}

if (args is ["duplicates-quality", ..])
{
    CustomerAdmin.Benchmarks.Duplicates.DuplicateQualityBenchmark.Run(args);
    return;
}

if (args is ["load", ..])
{
    await LoadBenchmark.RunAsync(args);
    return;
}

if (args is ["circuit-memory", ..])
{
    await CircuitMemoryBenchmark.RunAsync(args);
    return;
}

if (args is ["tickets", ..])
{
    await TicketBenchmark.RunAsync(args);
    return;
}

if (args is ["sms", ..])
{
    await SmsBenchmark.RunAsync(args);
    return;
}

if (args is ["reminders", ..])
{
    int Arg(string name, int fallback) => Array.IndexOf(args, name) is var i and >= 0 ? int.Parse(args[i + 1]) : fallback;
    string? Text(string name) => Array.IndexOf(args, name) is var i and >= 0 ? args[i + 1] : null;
    var (bookings, events) = (Arg("--bookings", 500_000), Arg("--events", 2_000));
    var sqlite = Text("--sqlite") is { } path ? Path.GetFullPath(path) : Path.Combine(Path.GetTempPath(), "customeradmin-reminders-bench.db");
    var plans = args.Contains("--plans");
    var rows = await ReminderBenchmark.RunAsync(DatabaseProvider.Sqlite, $"Data Source={sqlite}", bookings, events, plans);
    if (Text("--postgres") is { } pg)
        rows.AddRange(await ReminderBenchmark.RunAsync(DatabaseProvider.Postgres, pg, bookings, events, plans));
    Console.WriteLine();
    Console.WriteLine($"{bookings:N0} bookings over {events:N0} events, {Environment.ProcessorCount} cores");
    Console.WriteLine();
    Console.WriteLine(ReminderBenchmark.Row.Header);
    foreach (var row in rows) Console.WriteLine(row);
    return;
}

if (args is ["dashboard", ..])
{
    string? Text(string name) => Array.IndexOf(args, name) is var i and >= 0 ? args[i + 1] : null;
    int Arg(string name, int fallback) => Text(name) is { } v ? int.Parse(v) : fallback;
    var customers = Arg("--customers", 1_000_000);
    var tickets = Arg("--tickets", customers * 5);
    var runs = Arg("--runs", 20);
    var sqlitePath = Text("--sqlite") is { } path ? Path.GetFullPath(path) : Path.Combine(Path.GetTempPath(), "customeradmin-dashboard-bench.db");
    var lines = new List<string>();
    if (!args.Contains("--no-sqlite"))
        lines.Add(await DashboardBenchmark.RunAsync(DatabaseProvider.Sqlite, $"Data Source={sqlitePath}", customers, tickets, runs, args.Contains("--reuse")));
    if (Text("--postgres") is { } pg)
        lines.Add(await DashboardBenchmark.RunAsync(DatabaseProvider.Postgres, pg, customers, tickets, runs, args.Contains("--reuse")));
    Console.WriteLine();
    Console.WriteLine($"{Environment.ProcessorCount} cores, dashboard = every query of /dashboard for this year plus the city table, {(runs == 0 ? "not run" : $"{runs} runs after 2 warm-ups")}");
    Console.WriteLine(DashboardBenchmark.Header);
    foreach (var line in lines) Console.WriteLine(line);
    return;
}

var options = BenchmarkOptions.Parse(args);
var results = new List<Result>();
if (!options.NoSqlite) results.AddRange(await ProviderBenchmark.RunAsync(DatabaseProvider.Sqlite, options.SqliteConnectionString, options));
if (options.Postgres is { } postgres)
    results.AddRange(await ProviderBenchmark.RunAsync(DatabaseProvider.Postgres, postgres, options));

Console.WriteLine();
Console.WriteLine($"{options.Customers:N0} customers, {options.Terms:N0} terms per kind, {Environment.ProcessorCount} cores, times in ms");
Console.WriteLine();
Console.WriteLine(Result.Header);
foreach (var result in results) Console.WriteLine(result);

public sealed record BenchmarkOptions(int Customers, string? Postgres, string SqlitePath, int Terms, bool Reuse, bool Plans, bool NoSqlite = false)
{
    public string SqliteConnectionString => $"Data Source={SqlitePath}";

    public static BenchmarkOptions Parse(string[] args)
    {
        var o = new BenchmarkOptions(1_000_000, null, Path.Combine(Path.GetTempPath(), "customeradmin-bench.db"), 1000, false, false);
        for (var i = 0; i < args.Length; i++)
        {
            o = args[i] switch
            {
                "--customers" => o with { Customers = int.Parse(args[++i]) },
                "--postgres" => o with { Postgres = args[++i] },
                "--sqlite" => o with { SqlitePath = Path.GetFullPath(args[++i]) },
                "--terms" => o with { Terms = int.Parse(args[++i]) },
                "--reuse" => o with { Reuse = true },
                "--plans" => o with { Plans = true },
                "--no-sqlite" => o with { NoSqlite = true },
                _ => throw new ArgumentException(
                    $"Unknown option {args[i]}. Options: --customers N, --postgres \"<connection string>\", --sqlite path, --terms N, --reuse, --plans, --no-sqlite"),
            };
        }
        return o;
    }
}
