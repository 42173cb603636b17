using System.Text.RegularExpressions;
using CustomerAdmin.Data;
using CustomerAdmin.Features.Sms.Reminders;
using CustomerAdmin.Features.Sms.Sending;
using CustomerAdmin.Features.Sms.Webhooks;
using CustomerAdmin.Common;

namespace CustomerAdmin.Features.Sms.Templates;

/// <summary>
/// Template text: the placeholders a template may use, rendering, and how many SMS segments a text costs.
/// Plain rules with no I/O, shared by the settings page (live preview), the outbox and the bulk sender.
/// </summary>
public static partial class SmsText
{
    public const string FirstName = "first_name";
    public const string EventName = "event_name";
    public const string EventDate = "event_date";
    public const string Seats = "seats";
    public const string VenuePhone = "venue_phone";

    public static IReadOnlyList<string> Placeholders { get; } = [FirstName, EventName, EventDate, Seats, VenuePhone];

    [GeneratedRegex(@"\{\{\s*([^{}]*?)\s*\}\}")]
    private static partial Regex PlaceholderPattern();

    /// <summary>Every <c>{{name}}</c> in the text that is not a known placeholder, in order of appearance, once each.</summary>
    public static IReadOnlyList<string> UnknownPlaceholders(string template) =>
        PlaceholderPattern().Matches(template ?? "").Select(m => m.Groups[1].Value)
            .Where(name => !Placeholders.Contains(name, StringComparer.OrdinalIgnoreCase)).Distinct().ToList();

    /// <summary>Replaces each known placeholder with its value; unknown ones are left as typed (templates are checked on save).</summary>
    public static string Render(string template, IReadOnlyDictionary<string, string> values) =>
        PlaceholderPattern().Replace(template ?? "", m =>
            values.TryGetValue(m.Groups[1].Value.ToLowerInvariant(), out var value) ? value : m.Value);

    /// <summary>Sample values for the settings page's preview.</summary>
    public static IReadOnlyDictionary<string, string> SampleValues(string venuePhone) => new Dictionary<string, string>
    {
        [FirstName] = "Maria", [EventName] = "Jazz Night", [EventDate] = "Fri 12 Dec, 19:30", [Seats] = "2",
        [VenuePhone] = string.IsNullOrWhiteSpace(venuePhone) ? "+1 555 0100" : venuePhone,
    };

    // The GSM 03.38 basic character set, and its extension table whose characters take two septets.
    private const string GsmBasic =
        "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";
    private const string GsmExtension = "^{}\\[~]|€\f";

    public enum Encoding { Gsm7, Ucs2 }

    public sealed record SegmentInfo(Encoding Encoding, int Units, int Segments)
    {
        public string EncodingName => Encoding == Encoding.Gsm7 ? "GSM-7" : "UCS-2";
    }

    /// <summary>
    /// How a phone network carries the text: GSM-7 when every character is in the GSM alphabet (160 septets in one
    /// segment, 153 per segment when split), otherwise UCS-2 (70 UTF-16 units, 67 when split).
    /// </summary>
    public static SegmentInfo Segments(string text)
    {
        text ??= "";
        var septets = 0;
        var gsm = true;
        foreach (var ch in text)
        {
            if (GsmBasic.Contains(ch)) septets += 1;
            else if (GsmExtension.Contains(ch)) septets += 2;
            else { gsm = false; break; }
        }
        if (gsm)
            return new SegmentInfo(Encoding.Gsm7, septets, septets == 0 ? 0 : septets <= 160 ? 1 : (septets + 152) / 153);
        var units = text.Length;
        return new SegmentInfo(Encoding.Ucs2, units, units <= 70 ? 1 : (units + 66) / 67);
    }

    /// <summary>The built-in text for a kind, used until an admin saves their own for that language.</summary>
    public static string DefaultTemplate(SmsKind kind) => kind switch
    {
        SmsKind.BookingConfirmation => "Hi {{first_name}}, you're booked for {{event_name}} on {{event_date}} ({{seats}} seats). Questions? Call {{venue_phone}}. Reply STOP to opt out.",
        SmsKind.BookingUpdate => "Hi {{first_name}}, your booking for {{event_name}} on {{event_date}} is now {{seats}} seats. Questions? Call {{venue_phone}}.",
        SmsKind.Reminder7Day => "Hi {{first_name}}, a reminder: {{event_name}} is coming up on {{event_date}}. See you there! Questions? Call {{venue_phone}}.",
        SmsKind.Reminder24Hour => "Hi {{first_name}}, see you tomorrow at {{event_name}}, {{event_date}}. Questions? Call {{venue_phone}}.",
        SmsKind.EventCancelled => "Hi {{first_name}}, we're sorry: {{event_name}} on {{event_date}} has been cancelled. Call {{venue_phone}} for details.",
        _ => "{{first_name}}",
    };

    /// <summary>The kinds that have an editable template (bulk and manual messages are typed by a person).</summary>
    public static IReadOnlyList<SmsKind> TemplatedKinds { get; } =
        [SmsKind.BookingConfirmation, SmsKind.BookingUpdate, SmsKind.Reminder7Day, SmsKind.Reminder24Hour, SmsKind.EventCancelled];

}
