using CustomerAdmin.Data;
using CustomerAdmin.Features;
using CustomerAdmin.Features.Duplicates.Scanning;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace CustomerAdmin.Tests.Features.Duplicates.Scanning;

/// <summary>
/// <c>dotnet CustomerAdmin.dll duplicates scan --output pairs.csv</c> run as its own process, as an operator runs it,
/// against a SQLite file with a few hundred customers; the CSV is read back.
/// </summary>
public sealed class DuplicatesCommandTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("customeradmin-duplicates-cli-").FullName;

    private string DatabasePath => Path.Combine(_folder, "app.db");
    private string ConnectionString => $"Data Source={DatabasePath}";

    [Fact]
    public async Task TheCommandScansAndWritesOneLinePerPairToReview()
    {
        var ct = TestContext.Current.CancellationToken;
        var keepers = DerivedData.Keepers.Where(k => k is not DuplicateMatchKeeper).ToList();
        var options = new DbContextOptionsBuilder<SqliteAppDbContext>().UseSqlite(ConnectionString).UseCustomerAdmin(null, keepers: keepers).Options;
        await using (var db = new SqliteAppDbContext(options))
            await db.Database.MigrateAsync(ct);
        var scenario = await DuplicateScenario.CreateAsync(new Factory(() => new SqliteAppDbContext(options)), ct: ct);
        // The first planted pair's customers came from two source systems: their references go into the file.
        var (referencedA, referencedB, _) = scenario.Planted[0];
        await using (var db = new SqliteAppDbContext(options))
        {
            var run = new ImportRun { FileName = "old-system.csv", FileHash = new string('0', 64), Status = ImportRunStatus.Completed, StartedAt = DateTime.UtcNow };
            db.ImportRuns.Add(run);
            await db.SaveChangesAsync(ct);
            db.LegacyCustomerLinks.AddRange(
                new LegacyCustomerLink { Source = LegacyCustomerLink.LegacySource, LegacyId = "L-17", CustomerId = referencedA, ImportRunId = run.Id },
                new LegacyCustomerLink { Source = "shop", LegacyId = "S-9", CustomerId = referencedB, ImportRunId = run.Id });
            await db.SaveChangesAsync(ct);
        }
        var csv = Path.Combine(_folder, "pairs.csv");

        var (exit, output) = await RunAsync(ct, "duplicates", "scan", "--output", csv);

        Assert.True(exit == 0, output);
        Assert.Contains("pairs to review written to", output);
        var lines = File.ReadAllLines(csv);
        Assert.Equal("customer_a_id,customer_b_id,customer_a_reference,customer_b_reference,score,level,state,reasons", lines[0].TrimStart('\uFEFF'));
        var rows = lines.Skip(1).Select(l => l.Split(',')).ToList();
        foreach (var (a, b, kind) in scenario.Planted)
            Assert.True(rows.Any(r => r[0] == a.ToString() && r[1] == b.ToString()), $"The planted pair ({kind}) is not in the file.");
        Assert.All(rows, r => Assert.Contains(r[5], new[] { "likely", "possible" }));
        var referenced = Assert.Single(rows, r => r[0] == referencedA.ToString() && r[1] == referencedB.ToString());
        Assert.Equal(("legacy:L-17", "shop:S-9"), (referenced[2], referenced[3]));
        var linked = new[] { referencedA.ToString(), referencedB.ToString() };
        Assert.All(rows.Where(r => !linked.Contains(r[0]) && !linked.Contains(r[1])), r => Assert.Equal("", r[2] + r[3]));
        Assert.Equal(rows.Count, Scalar("""SELECT COUNT(*) FROM "DuplicatePairs" WHERE "State" = 'Open'"""));
        // Surest first.
        var scores = rows.Select(r => double.Parse(r[4], System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(scores.OrderByDescending(s => s), scores);

        // Run again: the same pairs, no second run left running.
        var (again, _) = await RunAsync(ct, "duplicates", "scan", "--output", csv);
        Assert.Equal(0, again);
        Assert.Equal(lines.Length, File.ReadAllLines(csv).Length);
        Assert.Equal(2, Scalar("""SELECT COUNT(*) FROM "DuplicateScanRuns" WHERE "Status" = 'Completed'"""));
    }

    [Fact]
    public async Task BadArgumentsExitWithOne()
    {
        var (exit, output) = await RunAsync(TestContext.Current.CancellationToken, "duplicates", "merge");
        Assert.Equal(1, exit);
        Assert.Contains("Usage", output);
    }

    private Task<(int Exit, string Output)> RunAsync(CancellationToken ct, params string[] args) =>
        AppCommand.RunAsync(ConnectionString, null, ct, args);

    private long Scalar(string sql)
    {
        using var connection = new SqliteConnection($"Data Source={DatabasePath};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToInt64(command.ExecuteScalar());
    }

    public void Dispose()
    {
        using (var pooled = new SqliteConnection(ConnectionString)) SqliteConnection.ClearPool(pooled);
        Directory.Delete(_folder, recursive: true);
    }

    private sealed class Factory(Func<AppDbContext> create) : IDbContextFactory<AppDbContext>
    {
        public AppDbContext CreateDbContext() => create();
    }
}
