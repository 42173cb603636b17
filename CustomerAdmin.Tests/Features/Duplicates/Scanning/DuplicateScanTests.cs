using CustomerAdmin.Data;
using CustomerAdmin.Features.Duplicates.Matching;
using CustomerAdmin.Features.Duplicates.Scanning;
using Microsoft.EntityFrameworkCore;

namespace CustomerAdmin.Tests.Features.Duplicates.Scanning;

/// <summary>
/// The full scan over a few hundred customers with planted duplicates, on both databases: what it finds and stores, how
/// decisions survive it, its progress row, and that one scan runs at a time.
/// </summary>
public sealed class DuplicateScanTests
{
    [Theory, InlineData(DatabaseProvider.Sqlite), InlineData(DatabaseProvider.Postgres)]
    public async Task ScanFindsThePlantedDuplicatesAndStoresEachPairOnceLowerIdFirst(DatabaseProvider provider)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var database = await TestDatabase.CreateAsync(provider, ct: ct);
        var scenario = await DuplicateScenario.CreateAsync(database, ct: ct);
        Assert.Empty(await DuplicateScenario.PairsAsync(database, ct));

        var run = await DuplicateScenario.ScanAsync(database, ct);

        Assert.Equal(DuplicateScanStatus.Completed, run.Status);
        Assert.Equal(scenario.Customers.Count, run.Customers);
        Assert.NotNull(run.ModelJson);
        var pairs = await DuplicateScenario.PairsAsync(database, ct);
        foreach (var (a, b, kind) in scenario.Planted)
            Assert.True(pairs.Any(p => p.CustomerAId == a && p.CustomerBId == b), $"The planted pair ({kind}) was not found.");
        Assert.All(pairs, p => Assert.True(p.CustomerAId < p.CustomerBId));
        Assert.Equal(pairs.Count, pairs.Select(p => (p.CustomerAId, p.CustomerBId)).Distinct().Count());
        Assert.All(pairs, p => Assert.False(string.IsNullOrWhiteSpace(p.Reasons)));
        Assert.Equal(run.LikelyPairs + run.PossiblePairs, pairs.Count);
        // Distinct people who share a surname, a city or a street do not flood the queue.
        Assert.True(pairs.Count < scenario.Planted.Count + 15, $"{pairs.Count} pairs among {scenario.Customers.Count} customers.");

        // A second scan over the same data changes nothing.
        var again = await DuplicateScenario.ScanAsync(database, ct);
        Assert.Equal((0, 0, 0), (again.PairsAdded, again.PairsReopened, again.PairsRemoved));
        Assert.Equal(pairs.Select(p => (p.Id, p.State)), (await DuplicateScenario.PairsAsync(database, ct)).Select(p => (p.Id, p.State)));
    }

    [Theory, InlineData(DatabaseProvider.Sqlite), InlineData(DatabaseProvider.Postgres)]
    public async Task NotSameSurvivesARescanAndAnUnrelatedEditAndReopensOnAMatchingFieldEdit(DatabaseProvider provider)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var database = await TestDatabase.CreateAsync(provider, ct: ct);
        var scenario = await DuplicateScenario.CreateAsync(database, ct: ct);
        await DuplicateScenario.ScanAsync(database, ct);
        var (a, b, _) = scenario.Planted[0];
        await DecideAsync(database, a, b, DuplicatePairState.NotSame, ct);

        await DuplicateScenario.ScanAsync(database, ct);
        Assert.Equal(DuplicatePairState.NotSame, (await PairAsync(database, a, b, ct))!.State);

        await EditAsync(database, b, c => c.Notes = "Prefers mornings.", ct);
        Assert.Equal(DuplicatePairState.NotSame, (await PairAsync(database, a, b, ct))!.State);

        // A matching field changes: the decision no longer holds, and the pair is back in the queue at once.
        await EditAsync(database, b, c => c.AddressLine2 = "Apartment 4", ct);
        var reopened = await PairAsync(database, a, b, ct);
        Assert.Equal(DuplicatePairState.Open, reopened!.State);
        Assert.Null(reopened.DecidedAt);

        await DuplicateScenario.ScanAsync(database, ct);
        Assert.Equal(DuplicatePairState.Open, (await PairAsync(database, a, b, ct))!.State);
    }

    [Theory, InlineData(DatabaseProvider.Sqlite), InlineData(DatabaseProvider.Postgres)]
    public async Task AnEditThatNoLongerMatchesRemovesTheOpenPairButKeepsADecidedOne(DatabaseProvider provider)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var database = await TestDatabase.CreateAsync(provider, ct: ct);
        var scenario = await DuplicateScenario.CreateAsync(database, ct: ct);
        await DuplicateScenario.ScanAsync(database, ct);
        var (openA, openB, _) = scenario.Planted[0];
        var (notSameA, notSameB, _) = scenario.Planted[1];
        await DecideAsync(database, notSameA, notSameB, DuplicatePairState.NotSame, ct);

        await EditAsync(database, openB, Stranger("Zebulon", "Quackenbush", "+16179990001"), ct);
        await EditAsync(database, notSameB, Stranger("Ximena", "Zeferino", "+16179990002"), ct);

        Assert.Null(await PairAsync(database, openA, openB, ct));
        Assert.Equal(DuplicatePairState.NotSame, (await PairAsync(database, notSameA, notSameB, ct))!.State);
        await DuplicateScenario.ScanAsync(database, ct);
        Assert.Null(await PairAsync(database, openA, openB, ct));
        Assert.NotNull(await PairAsync(database, notSameA, notSameB, ct));
    }

    [Theory, InlineData(DatabaseProvider.Sqlite), InlineData(DatabaseProvider.Postgres)]
    public async Task ACustomerCreatedAndEditedThroughTheKeeperIsCheckedWithoutAScan(DatabaseProvider provider)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var database = await TestDatabase.CreateAsync(provider, ct: ct);
        var robert = await database.Data.CustomerAsync("Robert", "Smith", "+16175550142", c => c.Email = "robert.smith@example.com");
        var bob = await database.Data.CustomerAsync("Bob", "Smith", "+16175550999", c => c.Email = "robert.smith@example.com");

        var pair = await PairAsync(database, robert.Id, bob.Id, ct);
        Assert.NotNull(pair);
        Assert.Equal(DuplicatePairState.Open, pair.State);
        await using (var db = database.CreateDbContext())
            Assert.True(await db.CustomerMatchKeys.CountAsync(k => k.CustomerId == bob.Id, ct) > 0);

        await EditAsync(database, bob.Id, Stranger("Zebulon", "Quackenbush", "+16179990001"), ct);
        Assert.Null(await PairAsync(database, robert.Id, bob.Id, ct));

        // A deleted customer leaves the queue and the keys.
        await EditAsync(database, bob.Id, c => { c.FirstName = "Bob"; c.LastName = "Smith"; c.Email = "robert.smith@example.com"; }, ct);
        Assert.NotNull(await PairAsync(database, robert.Id, bob.Id, ct));
        await EditAsync(database, bob.Id, c => c.Status = CustomerStatus.Deleted, ct);
        Assert.Null(await PairAsync(database, robert.Id, bob.Id, ct));
        await using (var db = database.CreateDbContext())
            Assert.Equal(0, await db.CustomerMatchKeys.CountAsync(k => k.CustomerId == bob.Id, ct));
    }

    [Theory, InlineData(DatabaseProvider.Sqlite), InlineData(DatabaseProvider.Postgres)]
    public async Task TheRunRowShowsProgressWhileItRunsAndASecondScanDoesNotStart(DatabaseProvider provider)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var database = await TestDatabase.CreateAsync(provider, ct: ct);
        await DuplicateScenario.CreateAsync(database, ct: ct);
        var scanner = DuplicateScenario.Scanner(database, new DuplicatesOptions { InterruptedAfter = TimeSpan.FromSeconds(10) });
        var otherInstance = DuplicateScenario.Scanner(database);
        var start = await scanner.CreateRunAsync("first", ct);

        // The scan holds at its pairs stage until the test has seen the row.
        using var release = new ManualResetEventSlim();
        var stages = new List<string>();
        var observer = new Observer(p =>
        {
            lock (stages) if (stages.Count == 0 || stages[^1] != p.Stage) stages.Add(p.Stage);
            if (p.Stage == DuplicateScanner.PairsStage) release.Wait(ct);
        });
        var running = Task.Run(() => scanner.RunAsync(start.Run.Id, ct, observer), ct);

        DuplicateScanRun? row = null;
        for (var i = 0; i < 300 && row?.Stage != DuplicateScanner.PairsStage; i++)
        {
            await Task.Delay(100, ct);
            await using var db = database.CreateDbContext();
            row = await db.DuplicateScanRuns.AsNoTracking().SingleAsync(r => r.Id == start.Run.Id, ct);
        }
        Assert.Equal(DuplicateScanner.PairsStage, row!.Stage);
        Assert.Equal(DuplicateScanStatus.Running, row.Status);
        Assert.True(row.HeartbeatAt > row.StartedAt);
        var second = await otherInstance.CreateRunAsync("second", ct);
        Assert.False(second.Started);
        Assert.Equal(start.Run.Id, second.Run.Id);

        release.Set();
        var finished = await running;
        Assert.Equal(DuplicateScanStatus.Completed, finished.Status);
        lock (stages)
        {
            Assert.Equal(DuplicateScanner.ReadingStage, stages[0]);
            Assert.Contains(DuplicateScanner.KeysStage, stages);
        }
        var third = await otherInstance.CreateRunAsync("third", ct);
        Assert.True(third.Started);
        await otherInstance.RunAsync(third.Run.Id, ct);
    }

    [Theory, InlineData(DatabaseProvider.Sqlite), InlineData(DatabaseProvider.Postgres)]
    public async Task AScanWhoseProcessDiedIsMarkedInterruptedAndANewOneStarts(DatabaseProvider provider)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var database = await TestDatabase.CreateAsync(provider, ct: ct);
        var scanner = DuplicateScenario.Scanner(database, new DuplicatesOptions { InterruptedAfter = TimeSpan.FromSeconds(30) });
        var dead = await scanner.CreateRunAsync("crashed", ct);
        await using (var db = database.CreateDbContext())
            await db.DuplicateScanRuns.Where(r => r.Id == dead.Run.Id)
                .ExecuteUpdateAsync(s => s.SetProperty(r => r.HeartbeatAt, DateTime.UtcNow.AddMinutes(-5)), ct);

        var next = await scanner.CreateRunAsync("next", ct);

        Assert.True(next.Started);
        await using (var db = database.CreateDbContext())
            Assert.Equal(DuplicateScanStatus.Interrupted, (await db.DuplicateScanRuns.SingleAsync(r => r.Id == dead.Run.Id, ct)).Status);
        Assert.Equal(DuplicateScanStatus.Completed, (await scanner.RunAsync(next.Run.Id, ct)).Status);
    }

    internal static Action<Customer> Stranger(string first, string last, string phone) => c =>
    {
        (c.FirstName, c.LastName, c.PrimaryPhone, c.SecondaryPhone) = (first, last, phone, null);
        (c.Email, c.AddressLine1, c.AddressLine2, c.City, c.PostalCode) = ($"{first}.{last}@elsewhere.example".ToLowerInvariant(), "900 Far Away Road", null, "Springfield", "01101");
    };

    /// <summary>An edit saved as the app saves one (every keeper runs).</summary>
    internal static async Task EditAsync(TestDatabase database, int id, Action<Customer> change, CancellationToken ct)
    {
        await using var db = database.CreateDbContext();
        var customer = await db.Customers.SingleAsync(c => c.Id == id, ct);
        change(customer);
        await db.SaveChangesAsync(ct);
    }

    internal static async Task<DuplicatePair?> PairAsync(TestDatabase database, int x, int y, CancellationToken ct)
    {
        var (a, b) = DuplicatePair.Ordered(x, y);
        await using var db = database.CreateDbContext();
        return await db.DuplicatePairs.AsNoTracking().SingleOrDefaultAsync(p => p.CustomerAId == a && p.CustomerBId == b, ct);
    }

    /// <summary>A reviewer's decision, as the review queue records it.</summary>
    internal static async Task DecideAsync(TestDatabase database, int a, int b, DuplicatePairState state, CancellationToken ct)
    {
        await using var db = database.CreateDbContext();
        var pair = await db.DuplicatePairs.SingleAsync(p => p.CustomerAId == a && p.CustomerBId == b, ct);
        (pair.State, pair.DecidedAt, pair.DecidedBy) = (state, DateTime.UtcNow, "manager@test.local");
        pair.Version++;
        await db.SaveChangesAsync(ct);
    }

    private sealed class Observer(Action<PairFinderProgress> report) : IProgress<PairFinderProgress>
    {
        public void Report(PairFinderProgress value) => report(value);
    }
}
