using System.Text.Json;
using System.Text.Json.Nodes;
using CustomerAdmin.Data;

namespace CustomerAdmin.Features.Duplicates.Matching;

/// <summary>One pair's verdict: the score (log2 likelihood ratio), its level (null = below "possible") and why.</summary>
public sealed record PairScore(double Score, DuplicateLevel? Level, IReadOnlyList<string> Reasons);

/// <summary>
/// A Fellegi-Sunter model: for each field and comparison level, m = P(level | same customer) and u = P(level | two
/// customers); a pair's score is the sum of log2(m/u) over its fields (a missing value adds nothing). The weights are
/// estimated by EM from the data being scanned (<see cref="Estimate"/>), without labels, starting from
/// <see cref="Prior"/>. The thresholds follow from the estimated share of true pairs among the candidates: "likely" is a
/// posterior probability of <see cref="LikelyPosterior"/>, "possible" of <see cref="PossiblePosterior"/>; and a pair
/// needs two kinds of agreeing evidence and no conflicting first name (<see cref="Comparison.CanBeDuplicate"/>) to reach
/// either, and an agreeing identifier (<see cref="Comparison.CanBeLikely"/>) to be "likely".
/// </summary>
public sealed class MatchModel
{
    public const double LikelyPosterior = 0.995;
    public const double PossiblePosterior = 0.5;
    private const double Floor = 1e-6;

    private readonly double[,] _m;
    private readonly double[,] _u;
    private readonly double[,] _weights;

    private MatchModel(double matchShare, double[,] m, double[,] u)
    {
        MatchShare = Math.Clamp(matchShare, 1e-6, 0.9);
        _m = m;
        _u = u;
        _weights = new double[Comparison.FieldCount, Comparison.LevelCount];
        for (var f = 0; f < Comparison.FieldCount; f++)
        {
            for (var l = 1; l < Comparison.LevelCount; l++)
                _weights[f, l] = Math.Log2(Math.Max(m[f, l], Floor) / Math.Max(u[f, l], Floor));
        }
        var priorLogOdds = Math.Log2(MatchShare / (1 - MatchShare));
        LikelyThreshold = Math.Log2(LikelyPosterior / (1 - LikelyPosterior)) - priorLogOdds;
        PossibleThreshold = Math.Log2(PossiblePosterior / (1 - PossiblePosterior)) - priorLogOdds;
    }

    /// <summary>The estimated share of true duplicates among the compared (candidate) pairs.</summary>
    public double MatchShare { get; }
    public double LikelyThreshold { get; }
    public double PossibleThreshold { get; }

    public double M(MatchField field, FieldLevel level) => _m[(int)field, (int)level];
    public double U(MatchField field, FieldLevel level) => _u[(int)field, (int)level];
    public double Weight(MatchField field, FieldLevel level) => _weights[(int)field, (int)level];

    /// <summary>
    /// Before any data is seen (and while no scan has run): m and u among candidate pairs, that is pairs that already
    /// share a blocking key, which is why a shared surname or city is common even between two different people.
    /// The values are judgement, written once and documented here; EM replaces them with the data's own.
    /// </summary>
    public static MatchModel Prior { get; } = BuildPrior();

    private static MatchModel BuildPrior()
    {
        //                          Exact         Close          Phonetic       Similar        Partial        Different
        var table = new (double M, double U)[Comparison.FieldCount][]
        {
            /* FirstName    */ [(0.70, 0.05), (0.10, 0.005), (0.06, 0.02), (0.06, 0.02), (0.04, 0.03), (0.04, 0.875)],
            /* LastName     */ [(0.82, 0.20), (0, 0), (0.06, 0.05), (0.08, 0.03), (0.02, 0.01), (0.02, 0.71)],
            /* Organization */ [(0.55, 0.02), (0.25, 0.005), (0, 0), (0.12, 0.02), (0.05, 0.10), (0.03, 0.855)],
            /* Phone        */ [(0.70, 0.01), (0.06, 0.002), (0, 0), (0, 0), (0, 0), (0.24, 0.988)],
            /* Email        */ [(0.75, 0.01), (0, 0), (0, 0), (0.07, 0.005), (0, 0), (0.18, 0.985)],
            /* Street       */ [(0.65, 0.02), (0, 0), (0, 0), (0.12, 0.005), (0.03, 0.005), (0.20, 0.97)],
            /* City         */ [(0.88, 0.30), (0, 0), (0, 0), (0.04, 0.01), (0, 0), (0.08, 0.69)],
            /* Postcode     */ [(0.82, 0.10), (0, 0), (0, 0), (0.03, 0.01), (0, 0), (0.15, 0.89)],
            /* NameRarity   */ [(0.60, 0.20), (0, 0), (0, 0), (0, 0), (0, 0), (0.40, 0.80)],
        };
        var m = new double[Comparison.FieldCount, Comparison.LevelCount];
        var u = new double[Comparison.FieldCount, Comparison.LevelCount];
        for (var f = 0; f < Comparison.FieldCount; f++)
        {
            for (var l = 1; l < Comparison.LevelCount; l++)
            {
                // A level a field never produces gets equal m and u: no weight either way.
                (m[f, l], u[f, l]) = table[f][l - 1] is (0, 0) ? (1e-4, 1e-4) : table[f][l - 1];
            }
        }
        Normalize(m);
        Normalize(u);
        return new MatchModel(0.05, m, u);
    }

    public double ScorePattern(int pattern)
    {
        double score = 0;
        for (var f = 0; f < Comparison.FieldCount; f++)
        {
            var level = (pattern >> (3 * f)) & 7;
            if (level != 0) score += _weights[f, level];
        }
        return score;
    }

    public DuplicateLevel? LevelOf(int pattern, double score)
    {
        if (score < PossibleThreshold || !Comparison.CanBeDuplicate(pattern)) return null;
        return score >= LikelyThreshold && Comparison.CanBeLikely(pattern) ? DuplicateLevel.Likely : DuplicateLevel.Possible;
    }

    public PairScore Score(MatchProfile a, MatchProfile b) => Score(a, b, null);

    /// <summary>As <see cref="Score(MatchProfile, MatchProfile)"/>, knowing whether the pair's name is rare in the data.</summary>
    public PairScore Score(MatchProfile a, MatchProfile b, bool? rareName)
    {
        var comparison = FieldComparer.Compare(a, b, rareName);
        var score = ScorePattern(comparison.Pattern);
        return new PairScore(score, LevelOf(comparison.Pattern, score), MatchReasons.For(a, b, comparison));
    }

    /// <summary>
    /// EM over the comparison patterns of the candidate pairs, without labels: the pairs of the data being scanned
    /// say how often each field agrees among true and among false pairs. Falls back to <paramref name="start"/> (or
    /// <see cref="Prior"/>) when the data cannot tell (too few pairs, or a solution where a shared phone or email would
    /// count against a match).
    /// </summary>
    public static MatchModel Estimate(IReadOnlyList<(MatchProfile A, MatchProfile B)> candidatePairs, MatchModel? start = null)
    {
        var patterns = new Dictionary<int, long>();
        foreach (var (a, b) in candidatePairs)
        {
            var pattern = FieldComparer.Compare(a, b).Pattern;
            patterns[pattern] = patterns.GetValueOrDefault(pattern) + 1;
        }
        return EstimateFromPatterns(patterns, start ?? Prior);
    }

    internal const int MinimumPairsForEstimate = 200;

    internal static MatchModel EstimateFromPatterns(IReadOnlyDictionary<int, long> patterns, MatchModel start, int maxIterations = 500)
    {
        long total = 0;
        foreach (var count in patterns.Values) total += count;
        if (total < MinimumPairsForEstimate) return start;

        const double pseudo = 0.5;
        var m = (double[,])start._m.Clone();
        var u = (double[,])start._u.Clone();
        var share = start.MatchShare;
        var entries = patterns.ToArray();
        var logM = new double[Comparison.FieldCount, Comparison.LevelCount];
        var logU = new double[Comparison.FieldCount, Comparison.LevelCount];
        for (var iteration = 0; iteration < maxIterations; iteration++)
        {
            for (var f = 0; f < Comparison.FieldCount; f++)
            {
                for (var l = 1; l < Comparison.LevelCount; l++)
                {
                    logM[f, l] = Math.Log(Math.Max(m[f, l], Floor));
                    logU[f, l] = Math.Log(Math.Max(u[f, l], Floor));
                }
            }
            var accM = new double[Comparison.FieldCount, Comparison.LevelCount];
            var accU = new double[Comparison.FieldCount, Comparison.LevelCount];
            double matched = 0;
            foreach (var (pattern, count) in entries)
            {
                double lm = Math.Log(share), lu = Math.Log(1 - share);
                for (var f = 0; f < Comparison.FieldCount; f++)
                {
                    var level = (pattern >> (3 * f)) & 7;
                    if (level == 0) continue;
                    lm += logM[f, level];
                    lu += logU[f, level];
                }
                var g = 1 / (1 + Math.Exp(Math.Clamp(lu - lm, -700, 700)));
                matched += g * count;
                for (var f = 0; f < Comparison.FieldCount; f++)
                {
                    var level = (pattern >> (3 * f)) & 7;
                    if (level == 0) continue;
                    accM[f, level] += g * count;
                    accU[f, level] += (1 - g) * count;
                }
            }
            var change = 0.0;
            var newShare = Math.Clamp(matched / total, 1e-6, 0.9);
            change = Math.Max(change, Math.Abs(newShare - share));
            share = newShare;
            for (var f = 0; f < Comparison.FieldCount; f++)
            {
                for (var l = 1; l < Comparison.LevelCount; l++)
                {
                    accM[f, l] += pseudo * start._m[f, l];
                    accU[f, l] += pseudo * start._u[f, l];
                }
            }
            Normalize(accM);
            Normalize(accU);
            Monotone(accM, accU);
            for (var f = 0; f < Comparison.FieldCount; f++)
            {
                for (var l = 1; l < Comparison.LevelCount; l++)
                {
                    change = Math.Max(change, Math.Abs(accM[f, l] - m[f, l]) + Math.Abs(accU[f, l] - u[f, l]));
                }
            }
            m = accM;
            u = accU;
            if (change < 1e-7) break;
        }
        var model = new MatchModel(share, m, u);
        var sane = model.Weight(MatchField.Phone, FieldLevel.Exact) > 0 && model.Weight(MatchField.Email, FieldLevel.Exact) > 0
            && model.Weight(MatchField.Phone, FieldLevel.Different) < model.Weight(MatchField.Phone, FieldLevel.Exact);
        return sane ? model : start;
    }

    /// <summary>
    /// Agreement may never count against a match, nor a conflict for one. Without this, EM on a million candidate pairs
    /// (most of them neighbours sharing a postcode) can settle on "same postcode" as its second class instead of "same
    /// customer"; a level that breaks the rule gets m = u (no weight).
    /// </summary>
    private static void Monotone(double[,] m, double[,] u)
    {
        for (var f = 0; f < Comparison.FieldCount; f++)
        {
            for (var l = 1; l < Comparison.LevelCount; l++)
            {
                var agreement = (FieldLevel)l is not (FieldLevel.Partial or FieldLevel.Different);
                if (agreement ? m[f, l] >= u[f, l] : m[f, l] <= u[f, l]) continue;
                m[f, l] = u[f, l] = (m[f, l] + u[f, l]) / 2;
            }
        }
        Normalize(m);
        Normalize(u);
    }

    private static void Normalize(double[,] values)
    {
        for (var f = 0; f < values.GetLength(0); f++)
        {
            double sum = 0;
            for (var l = 1; l < values.GetLength(1); l++) sum += values[f, l];
            if (sum <= 0) continue;
            for (var l = 1; l < values.GetLength(1); l++) values[f, l] /= sum;
        }
    }

    /// <summary>The model as JSON: the share of true pairs and m/u per field and level (by name), for storing with a scan.</summary>
    public string ToJson()
    {
        var fields = new JsonObject();
        for (var f = 0; f < Comparison.FieldCount; f++)
        {
            var levels = new JsonObject();
            for (var l = 1; l < Comparison.LevelCount; l++)
                levels[((FieldLevel)l).ToString()] = new JsonObject { ["m"] = _m[f, l], ["u"] = _u[f, l] };
            fields[((MatchField)f).ToString()] = levels;
        }
        var root = new JsonObject { ["matchShare"] = MatchShare, ["fields"] = fields };
        return root.ToJsonString(new JsonSerializerOptions { WriteIndented = false });
    }

    public static MatchModel FromJson(string json)
    {
        var root = JsonNode.Parse(json)?.AsObject() ?? throw new FormatException("Not a match model.");
        var m = (double[,])Prior._m.Clone();
        var u = (double[,])Prior._u.Clone();
        if (root["fields"] is JsonObject fields)
        {
            foreach (var (fieldName, levelsNode) in fields)
            {
                if (!Enum.TryParse<MatchField>(fieldName, out var field) || levelsNode is not JsonObject levels) continue;
                foreach (var (levelName, values) in levels)
                {
                    if (!Enum.TryParse<FieldLevel>(levelName, out var level) || level == FieldLevel.Missing || values is null) continue;
                    m[(int)field, (int)level] = values["m"]!.GetValue<double>();
                    u[(int)field, (int)level] = values["u"]!.GetValue<double>();
                }
            }
        }
        var share = root["matchShare"]?.GetValue<double>() ?? Prior.MatchShare;
        return new MatchModel(share, m, u);
    }
}
