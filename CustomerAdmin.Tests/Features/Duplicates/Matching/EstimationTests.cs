using CustomerAdmin.Data;
using CustomerAdmin.Features.Duplicates.Matching;

namespace CustomerAdmin.Tests.Features.Duplicates.Matching;

/// <summary>EM, unsupervised: from comparison patterns alone it recovers the m and u that made them.</summary>
public class EstimationTests
{
    // The truth the sample is drawn from: per field, the probability of each level among true and false pairs.
    private static readonly (MatchField Field, (FieldLevel Level, double M, double U)[] Levels)[] Truth =
    [
        (MatchField.FirstName, [(FieldLevel.Exact, 0.80, 0.10), (FieldLevel.Close, 0.10, 0.02), (FieldLevel.Different, 0.10, 0.88)]),
        (MatchField.LastName, [(FieldLevel.Exact, 0.85, 0.30), (FieldLevel.Phonetic, 0.10, 0.10), (FieldLevel.Different, 0.05, 0.60)]),
        (MatchField.Phone, [(FieldLevel.Exact, 0.70, 0.02), (FieldLevel.Different, 0.30, 0.98)]),
        (MatchField.Email, [(FieldLevel.Exact, 0.60, 0.01), (FieldLevel.Similar, 0.10, 0.04), (FieldLevel.Different, 0.30, 0.95)]),
        (MatchField.Postcode, [(FieldLevel.Exact, 0.90, 0.20), (FieldLevel.Different, 0.10, 0.80)]),
    ];

    [Fact]
    public void EmRecoversTheMatchShareAndTheMAndUOfASyntheticSample()
    {
        const double share = 0.1;
        var random = new Random(14);
        var patterns = new Dictionary<int, long>();
        for (var i = 0; i < 60_000; i++)
        {
            var match = random.NextDouble() < share;
            var pattern = 0;
            foreach (var (field, levels) in Truth)
            {
                // A fifth of the values are missing, whatever the pair: that must not bias the estimate.
                if (random.NextDouble() < 0.2) continue;
                var roll = random.NextDouble();
                foreach (var (level, m, u) in levels)
                {
                    roll -= match ? m : u;
                    if (roll > 0) continue;
                    pattern = Comparison.With(pattern, field, level);
                    break;
                }
            }
            patterns[pattern] = patterns.GetValueOrDefault(pattern) + 1;
        }

        var model = MatchModel.EstimateFromPatterns(patterns, MatchModel.Prior);

        Assert.InRange(model.MatchShare, share - 0.015, share + 0.015);
        foreach (var (field, levels) in Truth)
        {
            foreach (var (level, m, u) in levels)
            {
                Assert.True(Math.Abs(model.M(field, level) - m) < 0.03, $"m({field}, {level}) = {model.M(field, level):0.000}, truth {m}");
                Assert.True(Math.Abs(model.U(field, level) - u) < 0.03, $"u({field}, {level}) = {model.U(field, level):0.000}, truth {u}");
            }
        }
        // And the prior it started from was far from this truth.
        Assert.True(Math.Abs(MatchModel.Prior.U(MatchField.LastName, FieldLevel.Exact) - 0.30) > 0.05);
    }

    [Fact]
    public void EstimateFromProfilePairsLearnsThatSharedPhonesAndEmailsMeanOneCustomer()
    {
        var random = new Random(7);
        string[] firsts = ["Anna", "Peter", "Maria", "David", "Laura", "Tom", "Elena", "Omar", "Yuki", "Carlos"];
        string[] lasts = ["Smith", "Jones", "Garcia", "Ivanova", "Müller", "Chen", "Okafor", "Rossi", "Dubois", "Kowalski"];
        var people = Enumerable.Range(0, 400).Select(i => new MatchRecord(i + 1, CustomerType.Individual,
            firsts[random.Next(firsts.Length)], lasts[random.Next(lasts.Length)], null,
            $"+1212{5550000 + i * 7:0000000}", null, $"p{i}@example.com", $"{i + 1} Main St", null, "Springfield",
            $"{10000 + i % 50}", "US")).ToList();
        var pairs = new List<(MatchProfile A, MatchProfile B)>();
        // 300 true pairs: one field changed or dropped; 3000 false pairs among people who share a surname.
        for (var i = 0; i < 300; i++)
        {
            var original = people[i];
            var copy = (i % 3) switch
            {
                0 => original with { Id = 10_000 + i, Email = null },
                1 => original with { Id = 10_000 + i, PrimaryPhone = "+16465550199" },
                _ => original with { Id = 10_000 + i, AddressLine1 = null },
            };
            pairs.Add((MatchProfile.For(original), MatchProfile.For(copy)));
        }
        while (pairs.Count < 3300)
        {
            var a = people[random.Next(people.Count)];
            var b = people[random.Next(people.Count)];
            if (a.Id != b.Id) pairs.Add((MatchProfile.For(a), MatchProfile.For(b)));
        }

        var model = MatchModel.Estimate(pairs);

        Assert.InRange(model.MatchShare, 0.06, 0.12);
        Assert.True(model.Weight(MatchField.Phone, FieldLevel.Exact) > 5);
        Assert.True(model.Weight(MatchField.Email, FieldLevel.Exact) > 5);
        Assert.True(model.Weight(MatchField.FirstName, FieldLevel.Different) < 0);
        Assert.NotEqual(MatchModel.Prior.Weight(MatchField.Street, FieldLevel.Exact), model.Weight(MatchField.Street, FieldLevel.Exact));
    }

    [Fact]
    public void TooFewPairsKeepTheStartingModel()
    {
        var a = MatchProfile.For(new MatchRecord(1, CustomerType.Individual, "Ann", "Lee", null, "+12125550142", null, null, null, null, null, null, "US"));
        var b = MatchProfile.For(new MatchRecord(2, CustomerType.Individual, "Ann", "Lee", null, "+12125550142", null, null, null, null, null, null, "US"));

        Assert.Same(MatchModel.Prior, MatchModel.Estimate([(a, b)]));
    }
}
