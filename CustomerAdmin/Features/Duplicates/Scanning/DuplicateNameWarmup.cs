using System.Diagnostics;
using System.Runtime.CompilerServices;
using CustomerAdmin.Data;
using CustomerAdmin.Features.Duplicates.Matching;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace CustomerAdmin.Features.Duplicates.Scanning;

/// <summary>
/// At start, reads the customers' distinct last and first names once and works out their normal forms and sounds
/// (<see cref="MatchProfile.RememberNames"/>). The check after an edit loads up to a few hundred customers sharing a
/// key with the edited one, mostly people of one common surname; with their names already worked out it takes a
/// quarter of the time (docs/benchmarks.md). A failure costs nothing but that speed, so it is logged and ignored.
/// </summary>
public sealed class DuplicateNameWarmup(
    IDbContextFactory<AppDbContext> factory, IOptions<DuplicatesOptions> options, ILogger<DuplicateNameWarmup> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.WarmNamesOnStart) return;
        await Task.Yield();
        try
        {
            var clock = Stopwatch.StartNew();
            var names = await WarmAsync(factory, stoppingToken);
            logger.LogInformation("Duplicate matching: {Names} distinct customer names worked out in {Ms} ms.", names, clock.ElapsedMilliseconds);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
        {
            logger.LogInformation(ex, "Duplicate matching: the names' warm-up stopped early; checks work them out as they go.");
        }
    }

    /// <summary>Works out every distinct last name, then first name, of the live people until the cache is full.</summary>
    public static async Task<int> WarmAsync(IDbContextFactory<AppDbContext> factory, CancellationToken ct)
    {
        var (count, batch) = (0, new List<string?>(1000));
        await using var db = await factory.CreateDbContextAsync(ct);
        await foreach (var name in NamesAsync(db, ct))
        {
            batch.Add(name);
            if (batch.Count < batch.Capacity) continue;
            count += batch.Count;
            if (!MatchProfile.RememberNames(batch)) return count;
            batch.Clear();
        }
        MatchProfile.RememberNames(batch);
        return count + batch.Count;
    }

    /// <summary>The distinct last names, then first names, of the people the detector looks at.</summary>
    public static async IAsyncEnumerable<string?> NamesAsync(AppDbContext db, [EnumeratorCancellation] CancellationToken ct)
    {
        var people = db.Customers.AsNoTracking().Matchable().Where(c => c.Type == CustomerType.Individual);
        foreach (var names in new[] { people.Select(c => c.LastName), people.Select(c => c.FirstName) })
            await foreach (var name in names.Distinct().AsAsyncEnumerable().WithCancellation(ct))
                yield return name;
    }
}
