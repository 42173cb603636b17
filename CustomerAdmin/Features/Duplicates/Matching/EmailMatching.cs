namespace CustomerAdmin.Features.Duplicates.Matching;

/// <summary>
/// Emails for matching: lower case; googlemail.com is gmail.com; dots in the local part do not count at Gmail; a
/// "+tag" does not count at the providers that deliver tagged mail to the same box.
/// </summary>
public static class EmailMatching
{
    private static readonly HashSet<string> TagProviders = new(StringComparer.Ordinal)
    {
        "gmail.com", "outlook.com", "hotmail.com", "live.com", "msn.com", "icloud.com", "me.com", "mac.com",
        "fastmail.com", "fastmail.fm", "protonmail.com", "proton.me", "pm.me", "hey.com", "zoho.com", "yandex.ru", "ya.ru",
    };

    /// <summary>The mailbox's canonical form, or "" for no or an unreadable address.</summary>
    public static string Normalize(string? email)
    {
        if (string.IsNullOrWhiteSpace(email)) return "";
        var text = email.Trim().ToLowerInvariant();
        var at = text.LastIndexOf('@');
        if (at <= 0 || at == text.Length - 1) return "";
        var local = text[..at];
        var domain = text[(at + 1)..];
        if (domain == "googlemail.com") domain = "gmail.com";
        if (TagProviders.Contains(domain) && local.IndexOf('+') is var plus and > 0) local = local[..plus];
        if (domain == "gmail.com") local = local.Replace(".", "");
        return local + "@" + domain;
    }

    public static string LocalPart(string normalized) => normalized.IndexOf('@') is var at and > 0 ? normalized[..at] : normalized;

    public static string Domain(string normalized) => normalized.IndexOf('@') is var at and >= 0 ? normalized[(at + 1)..] : "";
}
