namespace CustomerAdmin.Common;

/// <summary>What every form does to typed text before it is stored.</summary>
public static class TextInput
{
    /// <summary>Trimmed text, or null when nothing but spaces was typed (for optional columns).</summary>
    public static string? Blank(string? s) => string.IsNullOrWhiteSpace(s) ? null : s.Trim();

    /// <summary>At most <paramref name="max"/> characters ("" for null), for text that must fit its column.</summary>
    public static string Truncate(string? text, int max) => text is null || text.Length <= max ? text ?? "" : text[..max];

    /// <summary>
    /// Trims every settable string property: nothing is stored with stray spaces around it, and blank optional
    /// text is stored as null (or "" for the <paramref name="required"/> ones, whose columns are not nullable).
    /// </summary>
    public static void Tidy<T>(T model, params string[] required) where T : class
    {
        foreach (var p in typeof(T).GetProperties().Where(p => p.PropertyType == typeof(string) && p.CanWrite))
        {
            var value = ((string?)p.GetValue(model))?.Trim();
            p.SetValue(model, string.IsNullOrEmpty(value) ? (required.Contains(p.Name) ? "" : null) : value);
        }
    }
}
