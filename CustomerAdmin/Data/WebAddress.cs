using System.ComponentModel.DataAnnotations;
using System.Text.RegularExpressions;

namespace CustomerAdmin.Data;

/// <summary>
/// Web addresses staff type or an import brings in ("example.com", "https://example.com/shop"). Only http and https
/// are addresses: anything else (<c>javascript:</c>, <c>data:</c>) would run or load something when clicked.
/// </summary>
public static partial class WebAddress
{
    public const string Message = "Enter a web address starting with http:// or https://, or like example.com.";

    /// <summary>The absolute http(s) address a stored or typed value stands for, or null when it is not one.</summary>
    public static Uri? Parse(string? value)
    {
        if (string.IsNullOrWhiteSpace(value)) return null;
        var text = value.Trim();
        // Browsers drop tabs and newlines inside a URL, so "java\tscript:" would still be a script.
        if (text.Any(char.IsControl) || text.Any(char.IsWhiteSpace)) return null;
        var candidate = OtherScheme().IsMatch(text) || text.Contains("://") ? text : "https://" + text;
        return Uri.TryCreate(candidate, UriKind.Absolute, out var uri)
            && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
            && uri.Host.Length > 0
            ? uri
            : null;
    }

    /// <summary>What a page may put in an href for this value; null means show the value as plain text.</summary>
    public static string? Href(string? value) => Parse(value)?.AbsoluteUri;

    // "name:" followed by anything but a port number is a scheme ("javascript:", "mailto:"), while "shop.example:8080"
    // is a host with a port.
    [GeneratedRegex(@"^[A-Za-z][A-Za-z0-9+.\-]*:(?!\d+(/|$))")]
    private static partial Regex OtherScheme();
}

/// <summary>An optional web address that must be http or https (see <see cref="WebAddress"/>).</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class WebAddressAttribute : ValidationAttribute
{
    public WebAddressAttribute() : base(WebAddress.Message) { }

    public override bool IsValid(object? value) =>
        value is not string text || string.IsNullOrWhiteSpace(text) || WebAddress.Parse(text) is not null;
}
