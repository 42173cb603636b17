namespace CustomerAdmin.Data.Sql;

/// <summary>Prefix searches as half-open ranges of a key, the way both databases compare text columns in this model.</summary>
public static class PrefixRange
{
    /// <summary>
    /// The smallest string greater than every string that starts with <paramref name="prefix"/>, in ordinal
    /// (code point) order, which is how both databases compare the token column.
    /// </summary>
    public static string UpperBound(string prefix)
    {
        var last = prefix[^1];
        if (char.IsLowSurrogate(last) && prefix.Length >= 2)
            return prefix[..^2] + char.ConvertFromUtf32(char.ConvertToUtf32(prefix[^2], last) + 1);
        return prefix[..^1] + (char)(last + 1);
    }
}
