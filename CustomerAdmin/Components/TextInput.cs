namespace CustomerAdmin.Components;

/// <summary>What every form does to typed text before it is stored.</summary>
public static class TextInput
{
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
