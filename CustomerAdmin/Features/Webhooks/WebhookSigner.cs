using System.Security.Cryptography;
using System.Text;

namespace CustomerAdmin.Features.Webhooks;

/// <summary>
/// The signature a receiver checks: <c>v1=</c> and the lowercase hex HMAC-SHA256, keyed with the endpoint's secret, of
/// the timestamp (unix seconds, as sent in <c>Webhook-Timestamp</c>), a dot and the raw body. The timestamp is signed
/// so a captured request cannot be replayed later with a fresh one; receivers refuse timestamps far from their clock.
/// </summary>
public static class WebhookSigner
{
    public const string IdHeader = "Webhook-Id";
    public const string TimestampHeader = "Webhook-Timestamp";
    public const string SignatureHeader = "Webhook-Signature";
    public const string Version = "v1=";

    public static string Sign(string secret, long timestamp, string body)
    {
        var data = Encoding.UTF8.GetBytes(timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture) + "." + body);
        return Version + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), data));
    }

    /// <summary>What a receiver does: recompute and compare in constant time, and refuse an old or future timestamp.</summary>
    public static bool Verify(string secret, string timestampHeader, string body, string signatureHeader, DateTimeOffset now, TimeSpan tolerance)
    {
        if (!long.TryParse(timestampHeader, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var timestamp))
            return false;
        if (Math.Abs(now.ToUnixTimeSeconds() - timestamp) > tolerance.TotalSeconds) return false;
        var expected = Encoding.ASCII.GetBytes(Sign(secret, timestamp, body));
        return CryptographicOperations.FixedTimeEquals(expected, Encoding.ASCII.GetBytes(signatureHeader.Trim()));
    }
}
