using CustomerAdmin.Features.Duplicates.Matching;

namespace CustomerAdmin.Features.Duplicates.Scanning;

/// <summary>
/// A profile's blocking keys as stored in <c>CustomerMatchKeys</c>: 64-bit FNV-1a hashes of the keys' text, so the
/// table and its index hold 12 bytes a row whatever the key. Two keys that collide only add a candidate, which the
/// scoring then judges like any other.
/// </summary>
public static class MatchKeys
{
    public static long Hash(string key)
    {
        unchecked
        {
            var hash = 14695981039346656037UL;
            foreach (var ch in key)
            {
                hash = (hash ^ (byte)ch) * 1099511628211UL;
                hash = (hash ^ (byte)(ch >> 8)) * 1099511628211UL;
            }
            return (long)hash;
        }
    }

    /// <summary>The distinct hashes of the profile's keys.</summary>
    public static long[] For(MatchProfile profile)
    {
        var keys = profile.BlockingKeys;
        if (keys.Count == 0) return [];
        var hashes = new long[keys.Count];
        for (var i = 0; i < keys.Count; i++) hashes[i] = Hash(keys[i]);
        Array.Sort(hashes);
        var n = 1;
        for (var i = 1; i < hashes.Length; i++)
            if (hashes[i] != hashes[n - 1]) hashes[n++] = hashes[i];
        return n == hashes.Length ? hashes : hashes[..n];
    }
}
