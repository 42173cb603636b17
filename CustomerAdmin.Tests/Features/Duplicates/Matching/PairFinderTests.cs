using CustomerAdmin.Data;
using CustomerAdmin.Features.Duplicates.Matching;

namespace CustomerAdmin.Tests.Features.Duplicates.Matching;

/// <summary>Blocking and the in-memory scan: every pair once, big blocks capped and reported, the John Smiths kept out.</summary>
public class PairFinderTests
{
    private static readonly string[] Firsts = ["Anna", "Peter", "Maria", "David", "Laura", "Tom", "Elena", "Omar", "Yuki", "Carlos", "Ingrid", "Kwame"];
    private static readonly string[] Lasts = ["Novak", "Jones", "Garcia", "Ivanova", "Müller", "Chen", "Okafor", "Rossi", "Dubois", "Kowalski", "Haddad", "Silva"];

    /// <summary>
    /// 300 people, 150 of them with a second record (nickname or typo, new phone or dropped email), and 1,200 different
    /// John Smiths of one city, each with an own phone and email.
    /// </summary>
    private static (List<MatchProfile> Profiles, HashSet<(int, int)> Truth) Data()
    {
        var random = new Random(3);
        var records = new List<MatchRecord>();
        var truth = new HashSet<(int, int)>();
        var id = 0;
        for (var i = 0; i < 300; i++)
        {
            var person = new MatchRecord(++id, CustomerType.Individual, Firsts[i % Firsts.Length], Lasts[i / Firsts.Length % Lasts.Length] + (i >= 144 ? "a" : ""),
                null, $"+1212736{i:0000}", null, $"person{i}@example.com", $"{i + 1} Main Street", null, "Springfield",
                $"{10000 + i % 40}", "US");
            records.Add(person);
            if (i % 2 == 1) continue;
            var copy = (i % 6) switch
            {
                0 => person with { Id = ++id, Email = null, AddressLine1 = $"{i + 1} Main St" },
                2 => person with { Id = ++id, PrimaryPhone = $"+1646736{i:0000}", Email = person.Email!.ToUpperInvariant() },
                _ => person with { Id = ++id, LastName = person.LastName + "n", PrimaryPhone = $"(212) 736-{i:0000}" },
            };
            records.Add(copy);
            truth.Add((person.Id, copy.Id));
        }
        for (var i = 0; i < 1200; i++)
        {
            records.Add(new MatchRecord(++id, CustomerType.Individual, "John", "Smith", null, $"+1303{random.Next(2000000, 9999999)}",
                null, $"js{i}@example.net", $"{random.Next(1, 9999)} Elm Street", null, "Springfield", "80202", "US"));
        }
        return (records.Select(MatchProfile.For).ToList(), truth);
    }

    [Fact]
    public void EveryPairSharingAKeyIsComparedExactlyOnceAndOversizedBlocksAreReported()
    {
        var (profiles, _) = Data();

        var result = PairFinder.FindPairs(profiles, new PairFinderOptions(MaxBlockSize: 1000, Model: MatchModel.Prior));

        // The John Smiths' name key holds 1,200 profiles: over the cap, reported with its size, not compared.
        Assert.Contains(result.OversizedBlocks, o => o.Key.StartsWith("nm:", StringComparison.Ordinal) && o.Size == 1200);
        var oversized = result.OversizedBlocks.Select(o => o.Key).ToHashSet();
        // Recount by brute force: the distinct pairs that share at least one key that is not oversized.
        var keys = profiles.Select(p => p.BlockingKeys.Where(k => !oversized.Contains(k)).ToHashSet()).ToList();
        long expected = 0;
        for (var i = 0; i < profiles.Count; i++)
        {
            for (var j = i + 1; j < profiles.Count; j++)
            {
                if (keys[i].Overlaps(keys[j])) expected++;
            }
        }
        Assert.True(expected > 100, "the data must make keys shared by many pairs");
        Assert.Equal(expected, result.ComparedPairs);
        Assert.Equal(result.Pairs.Count, result.Pairs.Select(p => (p.AId, p.BId)).Distinct().Count());
        Assert.All(result.Pairs, p => Assert.True(p.AId < p.BId));
    }

    [Fact]
    public void TheDuplicatesAreFoundAndThousandsOfJohnSmithsDoNotFloodTheResult()
    {
        var (profiles, truth) = Data();
        var johns = profiles.Where(p => p.Id > 450).Select(p => p.Id).ToHashSet();

        var result = PairFinder.FindPairs(profiles, new PairFinderOptions(Model: MatchModel.Prior));

        var found = result.Pairs.Select(p => (p.AId, p.BId)).ToHashSet();
        Assert.Equal(150, truth.Count);
        var recall = truth.Count(found.Contains) / (double)truth.Count;
        Assert.True(recall >= 0.95, $"recall {recall:0.000}");
        Assert.DoesNotContain(result.Pairs, p => johns.Contains(p.AId) && johns.Contains(p.BId));
        Assert.All(result.Pairs.Where(p => truth.Contains((p.AId, p.BId))), p => Assert.NotEmpty(p.Score.Reasons));
        Assert.Equal(result.Pairs.OrderByDescending(p => p.Score.Score).Select(p => p.Score.Score), result.Pairs.Select(p => p.Score.Score));
    }

    [Fact]
    public void WithoutAGivenModelTheScanEstimatesItsOwnFromTheData()
    {
        var (profiles, _) = Data();
        var progress = new List<PairFinderProgress>();

        var result = PairFinder.FindPairs(profiles, new PairFinderOptions(), new SynchronousProgress(progress.Add));

        Assert.NotSame(MatchModel.Prior, result.Model);
        Assert.Contains(progress, p => p.Stage == "compare");
        Assert.Contains(progress, p => p.Stage == "estimate");
    }

    [Fact]
    public void CandidatesForOneProfileAreTheLikelyOnesFirstAndSkipItself()
    {
        var (profiles, truth) = Data();
        var (originalId, copyId) = truth.First();
        var original = profiles.Single(p => p.Id == originalId);

        var candidates = PairFinder.Candidates(original, profiles, MatchModel.Prior, max: 5);

        Assert.NotEmpty(candidates);
        Assert.Equal(copyId, candidates[0].Other.Id);
        Assert.DoesNotContain(candidates, c => c.Other.Id == originalId);
        Assert.True(candidates.Count <= 5);
    }

    private sealed class SynchronousProgress(Action<PairFinderProgress> report) : IProgress<PairFinderProgress>
    {
        private readonly object _lock = new();

        public void Report(PairFinderProgress value)
        {
            lock (_lock) report(value);
        }
    }
}
