using CustomerAdmin.Data;
using CustomerAdmin.Features.Customers;
using CustomerAdmin.Features.Duplicates.Matching;
using Microsoft.EntityFrameworkCore;

namespace CustomerAdmin.Features.Duplicates.Scanning;

/// <summary>An existing customer that may be the one being typed, with why.</summary>
public sealed record DuplicateHint(int Id, string Name, string PrimaryPhone, string? Email, string? City, CustomerType Type, double Score,
    DuplicateLevel Level, IReadOnlyList<string> Reasons);

/// <summary>
/// The customers a draft (the create or edit form as typed so far) may duplicate: its profile's keys, the stored
/// customers sharing one (each key's block capped as in the checks), scored with the last scan's model; surest first.
/// </summary>
public static class DuplicateCandidates
{
    public static async Task<List<DuplicateHint>> ForDraftAsync(AppDbContext db, Customer draft, int max, CancellationToken ct = default)
    {
        var profile = MatchProfile.For(MatchRecord.From(draft));
        var keys = MatchKeys.For(profile);
        if (keys.Length == 0) return [];
        var model = await MatchModels.CurrentAsync(db, ct);
        var blocks = await DuplicateChecks.BlocksAsync(db, keys, ct);
        var ids = blocks.Values.SelectMany(b => b).Where(id => id != draft.Id).Distinct().ToList();
        if (ids.Count == 0) return [];
        var others = new List<MatchProfile>(ids.Count);
        foreach (var chunk in ids.Chunk(2000))
        {
            var list = chunk.ToList();
            foreach (var record in await db.Customers.AsNoTracking().Where(c => list.Contains(c.Id)).Matchable().ToMatchRecords().ToListAsync(ct))
                others.Add(MatchProfile.For(record));
        }
        var scored = PairFinder.Candidates(profile, others, model, max)
            .Where(c => c.Score.Level is not null)
            .OrderByDescending(c => c.Score.Score).Take(max).ToList();
        if (scored.Count == 0) return [];
        var shownIds = scored.Select(c => c.Other.Id).ToList();
        var rows = await db.Customers.AsNoTracking().Where(c => shownIds.Contains(c.Id)).AsRows().ToDictionaryAsync(r => r.Id, ct);
        var hints = new List<DuplicateHint>(scored.Count);
        foreach (var (other, score) in scored)
        {
            if (rows.TryGetValue(other.Id, out var r))
                hints.Add(new DuplicateHint(r.Id, r.Name.Trim(), r.PrimaryPhone, r.Email, r.City, r.Type, score.Score, score.Level!.Value, score.Reasons));
        }
        return hints;
    }
}
