using CustomerAdmin.Data;
using CustomerAdmin.Features.Duplicates.Matching;
using Microsoft.EntityFrameworkCore;

namespace CustomerAdmin.Features.Duplicates.Scanning;

/// <summary>
/// The match model checks score with: the one the last completed full scan estimated, or <see cref="MatchModel.Prior"/>
/// before any scan. Parsed once per model: the stored JSON is compared with the last one parsed.
/// </summary>
public static class MatchModels
{
    private sealed record Parsed(string Json, MatchModel Model);

    private static Parsed? _last;

    public static async Task<MatchModel> CurrentAsync(AppDbContext db, CancellationToken ct = default)
    {
        var json = await db.DuplicateScanRuns.AsNoTracking()
            .Where(r => r.Status == DuplicateScanStatus.Completed && r.ModelJson != null)
            .OrderByDescending(r => r.Id).Select(r => r.ModelJson).FirstOrDefaultAsync(ct);
        if (json is null) return MatchModel.Prior;
        var last = Volatile.Read(ref _last);
        if (last is not null && last.Json == json) return last.Model;
        var model = MatchModel.FromJson(json);
        Volatile.Write(ref _last, new Parsed(json, model));
        return model;
    }
}
