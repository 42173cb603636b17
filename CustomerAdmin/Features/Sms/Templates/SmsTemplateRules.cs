using System.Text.RegularExpressions;
using CustomerAdmin.Data;
using CustomerAdmin.Features.Sms.Reminders;
using CustomerAdmin.Features.Sms.Sending;
using CustomerAdmin.Features.Sms.Webhooks;
using CustomerAdmin.Common;

namespace CustomerAdmin.Features.Sms.Templates;

/// <summary>The verdict on a text: what would go out, what it costs, and why it cannot be saved or sent.</summary>
public sealed record SmsTextCheck(string Rendered, SmsText.SegmentInfo Segments, IReadOnlyList<string> UnknownPlaceholders, IReadOnlyList<string> Errors)
{
    public bool IsValid => Errors.Count == 0;
}

/// <summary>
/// Rules for text a person writes: a template on the settings page, a one-off message, a bulk message. One place,
/// so the three agree on what is too long and which placeholders exist.
/// </summary>
public static partial class SmsTemplateRules
{
    [GeneratedRegex("^[a-z]{2,3}(-[a-z0-9]{2,8})*$")]
    private static partial Regex LanguagePattern();

    /// <summary>Checks <paramref name="text"/> and renders it with <paramref name="values"/> (sample or real ones).</summary>
    public static SmsTextCheck Check(string? text, IReadOnlyDictionary<string, string> values, bool allowPlaceholders = true)
    {
        text ??= "";
        var errors = new List<string>();
        var unknown = allowPlaceholders ? SmsText.UnknownPlaceholders(text) : [];
        if (string.IsNullOrWhiteSpace(text))
            errors.Add("Type the message text.");
        if (unknown.Count > 0)
            errors.Add($"Unknown placeholder{(unknown.Count == 1 ? "" : "s")}: {string.Join(", ", unknown.Select(u => "{{" + u + "}}"))}. "
                + $"Use {string.Join(", ", SmsText.Placeholders.Select(p => "{{" + p + "}}"))}.");
        if (text.Length > SmsMessage.BodyMax)
            errors.Add($"The text is {text.Length:N0} characters; at most {SmsMessage.BodyMax:N0} fit. Shorten it by {text.Length - SmsMessage.BodyMax:N0}.");
        var rendered = allowPlaceholders ? SmsText.Render(text, values) : text;
        if (text.Length <= SmsMessage.BodyMax && rendered.Length > SmsMessage.BodyMax)
            errors.Add($"With the placeholders filled in the message is {rendered.Length:N0} characters; at most {SmsMessage.BodyMax:N0} fit.");
        return new SmsTextCheck(rendered, SmsText.Segments(rendered), unknown, errors);
    }

    /// <summary>The language code as stored (lower case, trimmed), or null when it is not a BCP 47-like code.</summary>
    public static string? NormalizeLanguage(string? language)
    {
        var lower = language?.Trim().ToLowerInvariant() ?? "";
        return lower.Length <= 10 && LanguagePattern().IsMatch(lower) ? lower : null;
    }

    /// <summary>"1 segment · GSM-7 · 42/160 characters" for the page under a text box.</summary>
    public static string Describe(SmsText.SegmentInfo info)
    {
        var gsm = info.Encoding == SmsText.Encoding.Gsm7;
        var perSegment = info.Segments <= 1 ? (gsm ? 160 : 70) : (gsm ? 153 : 67);
        var unit = gsm ? "GSM-7 characters" : "UCS-2 characters";
        return $"{info.Segments} segment{(info.Segments == 1 ? "" : "s")} · {info.EncodingName} · {info.Units:N0} {unit} ({perSegment} per segment)";
    }
}
