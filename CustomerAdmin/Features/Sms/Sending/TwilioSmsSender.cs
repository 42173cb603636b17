using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using CustomerAdmin.Data;
using Microsoft.Extensions.Options;
using CustomerAdmin.Features.Sms.Reminders;
using CustomerAdmin.Features.Sms.Templates;
using CustomerAdmin.Features.Sms.Webhooks;

namespace CustomerAdmin.Features.Sms.Sending;

/// <summary>
/// Twilio's Messages REST API over a typed <see cref="HttpClient"/> (no SDK). One request per call, with its own
/// timeout (<see cref="SmsOptions.SendTimeout"/>); the answer is classified so the dispatcher knows whether to retry,
/// fail, or reconcile. Nothing Twilio sends back, HTML from a proxy included, makes it throw.
/// </summary>
public sealed class TwilioSmsSender(HttpClient http, IOptions<SmsOptions> options, TimeProvider time, ILogger<TwilioSmsSender> logger)
    : ISmsSender
{
    /// <summary>Twilio's "the recipient replied STOP" error: the number will refuse every message until they reply START.</summary>
    public const string UnsubscribedCode = "21610";

    private const int MaxListPages = 20;

    private SmsOptions Sms => options.Value;
    private TwilioOptions Twilio => options.Value.Twilio;

    public async Task<SmsSendResult> SendAsync(long outboxId, string to, string body, CancellationToken ct)
    {
        var form = new List<KeyValuePair<string, string>> { new("To", to) };
        form.Add(string.IsNullOrWhiteSpace(Twilio.MessagingServiceSid)
            ? new("From", Twilio.From ?? "")
            : new("MessagingServiceSid", Twilio.MessagingServiceSid));
        form.Add(new("Body", body));
        if (StatusCallbackUrl(Sms, outboxId) is { } callback) form.Add(new("StatusCallback", callback));

        using var request = NewRequest(HttpMethod.Post, MessagesUrl());
        request.Content = new FormUrlEncodedContent(form);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(Sms.SendTimeout);
        HttpStatusCode status;
        string text;
        RetryConditionHeaderValue? retryAfter;
        try
        {
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseContentRead, timeout.Token);
            status = response.StatusCode;
            retryAfter = response.Headers.RetryAfter;
            text = await response.Content.ReadAsStringAsync(timeout.Token);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            // Twilio may have created the message and only the answer got lost.
            return SmsSendResult.Unknown($"No answer from Twilio within {Sms.SendTimeout.TotalSeconds:0.#} s.");
        }
        catch (HttpRequestException ex) when (ex.HttpRequestError is HttpRequestError.NameResolutionError or HttpRequestError.ConnectionError)
        {
            // The request never reached Twilio: safe to send again.
            return SmsSendResult.Transient(null, $"Could not reach Twilio: {ex.Message}");
        }
        catch (HttpRequestException ex)
        {
            return SmsSendResult.Unknown($"The request to Twilio broke off: {ex.Message}");
        }
        return Classify(status, text, RetryAfter(retryAfter));
    }

    private SmsSendResult Classify(HttpStatusCode status, string text, TimeSpan? retryAfter)
    {
        var code = (int)status;
        if (code is >= 200 and < 300)
        {
            if (TryParse(text) is { } json && Str(json, "sid") is { Length: > 0 } sid)
                return SmsSendResult.Accepted(sid, ToSmsStatus(Str(json, "status")), Int(json, "num_segments"),
                    Str(json, "error_code"), Str(json, "error_message"));
            // Twilio said yes but we cannot read which message it made: find it before sending again.
            return SmsSendResult.Unknown($"Twilio answered {code} without a readable message: {Snippet(text)}");
        }

        var error = TryParse(text);
        var twilioCode = error is { } e ? Str(e, "code") : null;
        var message = (error is { } m ? Str(m, "message") : null) ?? $"HTTP {code}: {Snippet(text)}";
        if (code is 429 or 500 or 502 or 503 or 504)
            return SmsSendResult.Transient(twilioCode ?? code.ToString(CultureInfo.InvariantCulture), message, retryAfter);
        return SmsSendResult.Permanent(twilioCode ?? code.ToString(CultureInfo.InvariantCulture), message,
            recipientOptedOut: twilioCode == UnsubscribedCode);
    }

    public async Task<IReadOnlyList<SentSms>> ListSentAsync(string to, DateTime sinceUtc, CancellationToken ct)
    {
        var found = new List<SentSms>();
        // No DateSent filter: a message Twilio accepted but has not sent yet has no date_sent and would be filtered out,
        // which is exactly the message a timed-out send leaves behind. Twilio lists newest first, so paging stops at the
        // first page that reaches back before sinceUtc.
        var url = $"{MessagesUrl()}?To={Uri.EscapeDataString(to)}&PageSize=100";
        for (var page = 0; url is not null; page++)
        {
            if (page == MaxListPages)
                throw new InvalidOperationException(
                    $"Twilio listed more than {MaxListPages} pages of messages to {to} without reaching {sinceUtc:u}; not sure the message is not among the rest.");
            using var request = NewRequest(HttpMethod.Get, url);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(Sms.SendTimeout);
            using var response = await http.SendAsync(request, timeout.Token);
            var text = await response.Content.ReadAsStringAsync(timeout.Token);
            if (!response.IsSuccessStatusCode || TryParse(text) is not { } json)
                throw new HttpRequestException($"Listing Twilio messages answered {(int)response.StatusCode}: {Snippet(text)}");
            var reachedOlder = false;
            if (json.TryGetProperty("messages", out var messages) && messages.ValueKind == JsonValueKind.Array)
            {
                foreach (var item in messages.EnumerateArray())
                {
                    var created = ParseDate(Str(item, "date_created"));
                    if (created is { } c && c < sinceUtc)
                    {
                        reachedOlder = true;
                        continue;
                    }
                    if (Str(item, "sid") is not { Length: > 0 } sid) continue;
                    if (Str(item, "direction") is { } direction && !direction.StartsWith("outbound", StringComparison.Ordinal)) continue;
                    found.Add(new SentSms(sid, Str(item, "to") ?? to, Str(item, "body") ?? "", ToSmsStatus(Str(item, "status")),
                        Int(item, "num_segments"), created));
                }
            }
            url = !reachedOlder && Str(json, "next_page_uri") is { Length: > 0 } next ? Combine(Twilio.BaseUrl, next) : null;
        }
        return found;
    }

    /// <summary>Where Twilio should post delivery updates, or null when the app has no public address configured.</summary>
    public static string? StatusCallbackUrl(SmsOptions sms) =>
        !string.IsNullOrWhiteSpace(sms.Twilio.StatusCallbackUrl) ? sms.Twilio.StatusCallbackUrl
        : !string.IsNullOrWhiteSpace(sms.PublicBaseUrl) ? Combine(sms.PublicBaseUrl, SmsWebhooks.StatusPath)
        : null;

    /// <summary>
    /// The status callback of one outbox message: Twilio posts to it for every message it creates from the request, so
    /// a message whose answer was lost (a timeout) reports itself and its SID can be attached to the right row.
    /// </summary>
    public static string? StatusCallbackUrl(SmsOptions sms, long outboxId) =>
        StatusCallbackUrl(sms) is { } url
            ? $"{url}{(url.Contains('?') ? '&' : '?')}{SmsWebhooks.OutboxIdParameter}={outboxId.ToString(CultureInfo.InvariantCulture)}"
            : null;

    /// <summary>Twilio's message status as ours; anything new or unexpected counts as still queued.</summary>
    public static SmsStatus ToSmsStatus(string? status) => status?.ToLowerInvariant() switch
    {
        "sent" => SmsStatus.Sent,
        "delivered" or "read" => SmsStatus.Delivered,
        "undelivered" => SmsStatus.Undelivered,
        "failed" or "canceled" => SmsStatus.Failed,
        _ => SmsStatus.Queued,
    };

    private string MessagesUrl() =>
        Combine(Twilio.BaseUrl, $"/2010-04-01/Accounts/{Uri.EscapeDataString(Twilio.AccountSid ?? "")}/Messages.json");

    private HttpRequestMessage NewRequest(HttpMethod method, string url)
    {
        var request = new HttpRequestMessage(method, url);
        // An API key is the recommended credential for production; the auth token still signs the webhooks.
        var (user, secret) = !string.IsNullOrWhiteSpace(Twilio.ApiKeySid) && !string.IsNullOrWhiteSpace(Twilio.ApiKeySecret)
            ? (Twilio.ApiKeySid, Twilio.ApiKeySecret)
            : (Twilio.AccountSid ?? "", Twilio.AuthToken ?? "");
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{secret}")));
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        return request;
    }

    private TimeSpan? RetryAfter(RetryConditionHeaderValue? header)
    {
        if (header?.Delta is { } delta) return delta < TimeSpan.Zero ? TimeSpan.Zero : delta;
        if (header?.Date is { } date)
        {
            var wait = date - time.GetUtcNow();
            return wait < TimeSpan.Zero ? TimeSpan.Zero : wait;
        }
        return null;
    }

    private JsonElement? TryParse(string text)
    {
        if (string.IsNullOrWhiteSpace(text) || text.TrimStart()[0] != '{') return null;
        try
        {
            using var doc = JsonDocument.Parse(text);
            return doc.RootElement.Clone();
        }
        catch (JsonException ex)
        {
            logger.LogWarning(ex, "Twilio sent a body that is not JSON: {Body}", Snippet(text));
            return null;
        }
    }

    // Twilio's JSON mixes strings and numbers for numeric fields (num_segments is a string, error codes are numbers).
    private static string? Str(JsonElement json, string name) =>
        json.TryGetProperty(name, out var value) ? value.ValueKind switch
        {
            JsonValueKind.String => value.GetString(),
            JsonValueKind.Number => value.GetRawText(),
            _ => null,
        } : null;

    private static int? Int(JsonElement json, string name) =>
        int.TryParse(Str(json, name), NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : null;

    /// <summary>Twilio's dates are RFC 2822 ("Thu, 24 Aug 2023 05:01:45 +0000").</summary>
    internal static DateTime? ParseDate(string? text) =>
        DateTimeOffset.TryParseExact(text, "ddd, dd MMM yyyy HH:mm:ss zzz", CultureInfo.InvariantCulture,
            DateTimeStyles.AllowWhiteSpaces, out var parsed)
        || DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out parsed)
            ? parsed.UtcDateTime : null;

    private static string Combine(string baseUrl, string path) => baseUrl.TrimEnd('/') + "/" + path.TrimStart('/');

    private static string Snippet(string text) => text.Length <= 200 ? text : text[..200] + "…";
}
