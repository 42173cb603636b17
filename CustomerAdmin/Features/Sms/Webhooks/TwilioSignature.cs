using System.Security.Cryptography;
using System.Text;
using CustomerAdmin.Features.Sms.Reminders;
using CustomerAdmin.Features.Sms.Sending;
using CustomerAdmin.Features.Sms.Templates;
using CustomerAdmin.Common;

namespace CustomerAdmin.Features.Sms.Webhooks;

/// <summary>
/// Twilio's webhook signature (<c>X-Twilio-Signature</c>): base64 HMAC-SHA1, keyed with the account's auth token,
/// over the full URL Twilio called (query string included) followed by every POST parameter's name and value,
/// sorted by name, with no separators.
/// </summary>
public static class TwilioSignature
{
    public const string Header = "X-Twilio-Signature";

    public static string Compute(string authToken, string url, IEnumerable<KeyValuePair<string, string>> parameters)
    {
        var data = new StringBuilder(url);
        foreach (var (name, value) in parameters.OrderBy(p => p.Key, StringComparer.Ordinal).ThenBy(p => p.Value, StringComparer.Ordinal))
            data.Append(name).Append(value);
        var hash = HMACSHA1.HashData(Encoding.UTF8.GetBytes(authToken), Encoding.UTF8.GetBytes(data.ToString()));
        return Convert.ToBase64String(hash);
    }

    public static bool IsValid(string authToken, string url, IEnumerable<KeyValuePair<string, string>> parameters, string? signature)
    {
        if (string.IsNullOrEmpty(authToken) || string.IsNullOrEmpty(signature)) return false;
        var expected = Encoding.ASCII.GetBytes(Compute(authToken, url, parameters));
        // Constant time, so the answer's timing does not reveal how much of a forged signature was right.
        return CryptographicOperations.FixedTimeEquals(expected, Encoding.ASCII.GetBytes(signature));
    }

    /// <summary>
    /// The URL Twilio signed for this request: <see cref="SmsOptions.PublicBaseUrl"/> when the app sits behind a proxy
    /// (Twilio signs the address it called, not the one the app sees), else the request's own scheme and host.
    /// </summary>
    public static string PublicUrl(HttpRequest request, string? publicBaseUrl) =>
        string.IsNullOrWhiteSpace(publicBaseUrl)
            ? $"{request.Scheme}://{request.Host}{request.PathBase}{request.Path}{request.QueryString}"
            : $"{publicBaseUrl.TrimEnd('/')}{request.Path}{request.QueryString}";
}
