using System.Text.RegularExpressions;
using CustomerAdmin.Common;
using CustomerAdmin.Features.Events;
using CustomerAdmin.Data;
using CustomerAdmin.Features.Sms.Reminders;
using CustomerAdmin.Features.Sms.Sending;
using CustomerAdmin.Features.Sms.Webhooks;

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
    /// <summary>"today", "tomorrow", "on Friday": filled in by the dispatcher when the message goes out, not when it is written.</summary>
    public const string EventDay = "event_day";
    /// <summary>A ticket's number ("T-000123"), for "ticket ready".</summary>
    public const string TicketNumber = "ticket_number";
    /// <summary>What was brought in (the equipment, or the item typed on the ticket), for "ticket ready".</summary>
    public const string Item = "item";

    public static IReadOnlyList<string> Placeholders { get; } = [FirstName, EventName, EventDate, EventDay, Seats, VenuePhone, TicketNumber, Item];

    /// <summary>The placeholder exactly as <see cref="SmsOutbox"/> leaves it in a body for the dispatcher to fill in.</summary>
    public const string EventDayToken = "{{" + EventDay + "}}";

    [GeneratedRegex(@"\{\{\s*([^{}]*?)\s*\}\}")]
    private static partial Regex PlaceholderPattern();

    /// <summary>Every <c>{{name}}</c> in the text that is not a known placeholder, in order of appearance, once each.</summary>
    public static IReadOnlyList<string> UnknownPlaceholders(string template) =>
        PlaceholderPattern().Matches(template ?? "").Select(m => m.Groups[1].Value)
            .Where(name => !Placeholders.Contains(name, StringComparer.OrdinalIgnoreCase)).Distinct().ToList();

    // Templates written when {{seats}} was a bare number say "{{seats}} seats"; the word now comes with the value.
    [GeneratedRegex(@"\{\{\s*seats\s*\}\}\s+seats?\b", RegexOptions.IgnoreCase)]
    private static partial Regex SeatsWithNounPattern();

    /// <summary>
    /// Replaces each known placeholder with its value; unknown ones, and known ones without a value, are left as typed
    /// (templates are checked on save, and <c>{{event_day}}</c> waits for the dispatcher).
    /// </summary>
    public static string Render(string template, IReadOnlyDictionary<string, string> values) =>
        PlaceholderPattern().Replace(SeatsWithNounPattern().Replace(template ?? "", "{{seats}}"), m =>
            values.TryGetValue(m.Groups[1].Value.ToLowerInvariant(), out var value) ? value : m.Value);

    /// <summary>"1 seat", "3 seats"; a reminder-only booking (0) has none.</summary>
    public static string SeatsText(int seats) =>
        seats == 0 ? "reminders only" : seats == 1 ? "1 seat" : $"{seats.ToString(System.Globalization.CultureInfo.InvariantCulture)} seats";

    /// <summary>
    /// The event's day as the customer reads it when the message arrives, by the venue's calendar: "today", "tomorrow",
    /// "on Friday" within the week ahead, "in 9 days" further out (templates follow it with {{event_date}}, so a date
    /// here would say it twice). Calendar days in the venue's zone, not 24-hour spans: 23:50 to 00:10 is "tomorrow",
    /// and a DST change does not move a day.
    /// </summary>
    public static string RelativeDay(DateTime eventStartUtc, DateTime nowUtc, VenueOptions venue)
    {
        var eventDay = DateOnly.FromDateTime(venue.ToVenue(eventStartUtc));
        var today = DateOnly.FromDateTime(venue.ToVenue(nowUtc));
        var days = eventDay.DayNumber - today.DayNumber;
        var invariant = System.Globalization.CultureInfo.InvariantCulture;
        return days switch
        {
            0 => "today",
            1 => "tomorrow",
            > 1 and < 7 => "on " + eventDay.ToString("dddd", invariant),
            >= 7 => $"in {days.ToString(invariant)} days",
            // Sent after the event's day (held too long): the plain date is the only honest wording.
            _ => "on " + eventDay.ToString("ddd d MMM", invariant),
        };
    }

    /// <summary>The body with <c>{{event_day}}</c> filled in for a message going out at <paramref name="nowUtc"/>.</summary>
    public static string RenderEventDay(string body, DateTime eventStartUtc, DateTime nowUtc, VenueOptions venue) =>
        Render(body, new Dictionary<string, string> { [EventDay] = RelativeDay(eventStartUtc, nowUtc, venue) });

    /// <summary>A stored body as the SMS log shows it: one still waiting to be sent says where its day will go.</summary>
    public static string ForDisplay(string? body) =>
        NeedsEventDay(body) ? Render(body!, new Dictionary<string, string> { [EventDay] = "[today/tomorrow/the weekday, when sent]" }) : body ?? "";

    /// <summary>Whether a body still waits for its <c>{{event_day}}</c>.</summary>
    public static bool NeedsEventDay(string? body) =>
        body is not null && PlaceholderPattern().Matches(body).Any(m => string.Equals(m.Groups[1].Value, EventDay, StringComparison.OrdinalIgnoreCase));

    /// <summary>Sample values for the settings page's preview.</summary>
    public static IReadOnlyDictionary<string, string> SampleValues(string venuePhone) => new Dictionary<string, string>
    {
        [FirstName] = "Maria", [EventName] = "Jazz Night", [EventDate] = "Fri 12 Dec, 19:30", [EventDay] = "tomorrow", [Seats] = SeatsText(2),
        [VenuePhone] = string.IsNullOrWhiteSpace(venuePhone) ? "+1 555 0100" : venuePhone,
        [TicketNumber] = "T-000123", [Item] = "Laptop",
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
        SmsKind.BookingConfirmation => "Hi {{first_name}}, you're booked for {{event_name}} {{event_day}}, {{event_date}} ({{seats}}). Questions? Call {{venue_phone}}. Reply STOP to opt out.",
        SmsKind.ReminderOnlyConfirmation => "Hi {{first_name}}, we'll remind you before {{event_name}} {{event_day}}, {{event_date}}. Questions? Call {{venue_phone}}. Reply STOP to opt out.",
        SmsKind.BookingUpdate => "Hi {{first_name}}, your booking for {{event_name}} on {{event_date}} is now {{seats}}. Questions? Call {{venue_phone}}.",
        SmsKind.Reminder7Day => "Hi {{first_name}}, a reminder: {{event_name}} is coming up {{event_day}}, {{event_date}}. See you there! Questions? Call {{venue_phone}}.",
        SmsKind.Reminder24Hour => "Hi {{first_name}}, see you {{event_day}} at {{event_name}}, {{event_date}}. Questions? Call {{venue_phone}}.",
        SmsKind.EventMoved => "Hi {{first_name}}, {{event_name}} has moved: it is now {{event_day}}, {{event_date}}. Your booking stands. Questions? Call {{venue_phone}}.",
        SmsKind.EventCancelled => "Hi {{first_name}}, we're sorry: {{event_name}} on {{event_date}} has been cancelled. Call {{venue_phone}} for details.",
        SmsKind.TicketReady => "Hi {{first_name}}, your {{item}} is ready for pickup (ticket {{ticket_number}}). Questions? Call {{venue_phone}}.",
        _ => "{{first_name}}",
    };

    /// <summary>The kinds that have an editable template (bulk and manual messages are typed by a person).</summary>
    public static IReadOnlyList<SmsKind> TemplatedKinds { get; } =
        [SmsKind.BookingConfirmation, SmsKind.ReminderOnlyConfirmation, SmsKind.BookingUpdate, SmsKind.Reminder7Day, SmsKind.Reminder24Hour,
         SmsKind.EventMoved, SmsKind.EventCancelled, SmsKind.TicketReady];

}
