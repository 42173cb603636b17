using Microsoft.EntityFrameworkCore;

namespace CustomerAdmin.Data.Sql;

/// <summary>
/// The duplicate detector's block read: which customers hold a match key. One statement prepared once and run per key
/// on the context's own connection (<see cref="DirectSql"/>; plain SQL, the same on both providers, identifiers from the
/// EF model): as an EF query per key, EF's own cost was most of an import batch's candidate scoring (thousands of keys a
/// batch). Per key, not one IN list, so a key held by many customers is read only up to the cap.
/// </summary>
public static class MatchKeySql
{
    /// <summary>The customers holding each key, in id order, for the keys held by at most <paramref name="cap"/> customers.</summary>
    public static async Task<Dictionary<long, List<int>>> HoldersAsync(AppDbContext db, IReadOnlyList<long> hashes, int cap, CancellationToken ct)
    {
        var blocks = new Dictionary<long, List<int>>(hashes.Count);
        if (hashes.Count == 0) return blocks;
        await using var open = await db.Database.KeepConnectionOpenAsync(ct);
        var names = Identifiers.Of(db);
        var keyHash = names.Column<CustomerMatchKey>(nameof(CustomerMatchKey.KeyHash));
        var customerId = names.Column<CustomerMatchKey>(nameof(CustomerMatchKey.CustomerId));
        await using var command = db.CreateCommand($"SELECT {customerId} FROM {names.Table<CustomerMatchKey>()} WHERE {keyHash} = @hash "
            + $"ORDER BY {customerId} LIMIT {cap + 1}");
        var hash = command.AddParameter("@hash", hashes[0]);
        hash.DbType = System.Data.DbType.Int64;
        await command.PrepareAsync(ct);
        foreach (var h in hashes)
        {
            hash.Value = h;
            var members = new List<int>();
            await using (var reader = await command.ExecuteAnnouncedReaderAsync(ct))
            {
                while (await reader.ReadAsync(ct)) members.Add(reader.GetInt32(0));
            }
            if (members.Count <= cap) blocks[h] = members;
        }
        return blocks;
    }
}
