using System.Globalization;
using CustomerAdmin.Common;
using CustomerAdmin.Features.Privacy.Consent;
using CustomerAdmin.Features.Sms.Reminders;
using CustomerAdmin.Features.Sms.Sending;
using CustomerAdmin.Features.Sms.Templates;
using CustomerAdmin.Data;
using CustomerAdmin.Features.Operations.Observability;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace CustomerAdmin.Features.Sms;

/// <summary>
/// Writes messages into the outbox (the <see cref="SmsMessage"/> table), in the caller's context so they commit with
/// the change that caused them. Picks the template by the customer's language, renders it, and records a skip
/// (with its reason) instead of a send when the customer opted out or has no number that takes SMS.
/// The dispatcher sends what is written here; nothing here talks to a provider.
/// </summary>
public sealed class SmsOutbox(IOptions<SmsOptions> smsOptions, IOptions<VenueOptions> venueOptions, TimeProvider time)
{
    private readonly QuietHours _quietHours = new(smsOptions.Value, venueOptions.Value);

    public SmsOptions Options => smsOptions.Value;
    public VenueOptions Venue => venueOptions.Value;

    /// <summary>The templates admins have saved, loaded once for a batch of messages.</summary>
    public async Task<SmsTemplateSet> TemplatesAsync(AppDbContext db, CancellationToken ct = default)
    {
        var saved = await db.SmsTemplates.AsNoTracking().Select(t => new { t.Kind, t.Language, t.Body }).ToListAsync(ct);
        return new SmsTemplateSet(saved.ToDictionary(t => (t.Kind, t.Language), t => t.Body), Options.DefaultLanguage);
    }

    public const string BlockedCode = "customer-blocked";

    /// <summary>
    /// Why this customer must not get an SMS, or null when one may go. Read when a message is written and again when it
    /// is sent, so a customer blocked or opted out meanwhile gets nothing.
    /// </summary>
    public static (string Code, string Message)? SkipReason(Customer customer) =>
        customer.Status.IsGone() ? ("customer-deleted", "The customer is deleted or merged into another record.")
        : customer.Status == CustomerStatus.Blocked ? (BlockedCode, "The customer is blocked.")
        : customer.SmsOptedOut ? ("opted-out", "The customer opted out of SMS.")
        : string.IsNullOrWhiteSpace(customer.PrimaryPhone) ? ("no-phone", "The customer has no phone number.")
        : !customer.PrimaryPhoneSmsCapable ? ("not-sms-capable", "The customer's number cannot receive SMS (landline).")
        : null;

    public static readonly (string Code, string Message) NoMarketingConsent =
        (ConsentOperations.WithdrawnMarketingCode, "The customer opted out of SMS marketing.");

    /// <summary>
    /// Why a marketing message (bulk SMS) must not go to this customer: any reason a message may not go, or the customer's
    /// withdrawal of the <c>sms-marketing</c> purpose (read from the consent register by the caller, a batch at a time).
    /// </summary>
    public static (string Code, string Message)? MarketingSkipReason(Customer customer, bool marketingWithdrawn) =>
        SkipReason(customer) ?? (marketingWithdrawn ? NoMarketingConsent : ((string Code, string Message)?)null);

    /// <summary>
    /// The placeholder values for one customer and (optionally) one booking. <c>{{event_day}}</c> is not among them: it
    /// stays in the body for the dispatcher, because "tomorrow" written now can be "today" when quiet hours or a rate
    /// limit hold the message overnight. A message without an event has no day, so it is filled with nothing.
    /// </summary>
    public IReadOnlyDictionary<string, string> Values(Customer customer, Event? ev, int? seats, string language)
    {
        var values = new Dictionary<string, string>
        {
            [SmsText.FirstName] = (customer.IsIndividual ? customer.FirstName : customer.DisplayName ?? customer.Name) ?? "",
            [SmsText.EventName] = ev?.Name ?? "",
            [SmsText.EventDate] = ev is null ? "" : FormatEventDate(ev.StartsAt, language),
            [SmsText.Seats] = seats is { } n ? SmsText.SeatsText(n) : "",
            [SmsText.VenuePhone] = Venue.Phone,
        };
        if (ev is null) values[SmsText.EventDay] = "";
        return values;
    }

    public string FormatEventDate(DateTime startsAtUtc, string language)
    {
        CultureInfo culture;
        try { culture = CultureInfo.GetCultureInfo(language); }
        catch (CultureNotFoundException) { culture = CultureInfo.InvariantCulture; }
        return Venue.ToVenue(startsAtUtc).ToString("ddd d MMM, HH:mm", culture);
    }

    /// <summary>A templated message about a booking (confirmation, update, reminder, cancellation), added to <paramref name="db"/>.</summary>
    public SmsMessage Enqueue(AppDbContext db, SmsTemplateSet templates, SmsKind kind, Customer customer, Booking booking, Event ev, string? actor = null)
    {
        var (language, template) = templates.For(kind, customer.PreferredLanguage);
        var body = SmsText.Render(template, Values(customer, ev, booking.Seats, language));
        var message = NewMessage(kind, customer, body, language, actor ?? db.Actor);
        message.Booking = booking.Id == 0 ? booking : null;
        message.BookingId = booking.Id == 0 ? null : booking.Id;
        message.EventId = ev.Id;
        if (SmsMessage.IsReminder(kind)) message.EventStartsAt = ev.StartsAt;
        if (kind == SmsKind.EventMoved) message.EventVersion = ev.Version;
        db.SmsMessages.Add(message);
        AppMetrics.SmsQueued.Add(1, AppMetrics.Tag("kind", message.Kind.ToString()));
        return message;
    }

    /// <summary>
    /// "Ready for pickup" for a ticket that has just moved to Ready, added to <paramref name="db"/> (the move's context, so
    /// it commits with the move). <paramref name="ticketVersion"/> is the ticket's version after the move: the unique key
    /// on (ticket, version) lets each move text the customer once.
    /// </summary>
    public SmsMessage EnqueueTicketReady(AppDbContext db, SmsTemplateSet templates, Customer customer, Ticket ticket, int ticketVersion,
        string item, string? actor = null)
    {
        var (language, body) = TicketReadyText(templates, customer, ticket, item);
        var message = NewMessage(SmsKind.TicketReady, customer, body, language, actor ?? db.Actor);
        message.TicketId = ticket.Id;
        message.TicketVersion = ticketVersion;
        db.SmsMessages.Add(message);
        AppMetrics.SmsQueued.Add(1, AppMetrics.Tag("kind", message.Kind.ToString()));
        return message;
    }

    /// <summary>The "ticket ready" text in the customer's language: what the move to Ready offers and then writes.</summary>
    public (string Language, string Body) TicketReadyText(SmsTemplateSet templates, Customer customer, Ticket ticket, string item)
    {
        var (language, template) = templates.For(SmsKind.TicketReady, customer.PreferredLanguage);
        var values = new Dictionary<string, string>(Values(customer, null, null, language))
        {
            [SmsText.TicketNumber] = ticket.Number, [SmsText.Item] = item,
        };
        return (language, SmsText.Render(template, values));
    }

    /// <summary>A message typed by a person (one-off or bulk), added to <paramref name="db"/>.</summary>
    /// <param name="marketingWithdrawn">A marketing send to a customer who withdrew that purpose: written as skipped.</param>
    public SmsMessage EnqueueText(AppDbContext db, SmsKind kind, Customer customer, string body, int? eventId = null, string? actor = null,
        bool marketingWithdrawn = false)
    {
        var message = NewMessage(kind, customer, body, customer.PreferredLanguage, actor ?? db.Actor, marketingWithdrawn);
        message.EventId = eventId;
        db.SmsMessages.Add(message);
        AppMetrics.SmsQueued.Add(1, AppMetrics.Tag("kind", message.Kind.ToString()));
        return message;
    }

    private SmsMessage NewMessage(SmsKind kind, Customer customer, string body, string? language, string actor, bool marketingWithdrawn = false)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var message = new SmsMessage
        {
            CustomerId = customer.Id, Kind = kind, To = customer.PrimaryPhone ?? "", Body = TextInput.Truncate(body, SmsMessage.BodyMax),
            // Written during quiet hours, an automatic message waits for their end (the dispatcher checks again).
            Language = language, Status = SmsStatus.Pending, NextAttemptAt = _quietHours.NextAllowed(now, kind), CreatedAt = now, UpdatedAt = now,
            CreatedBy = actor, Segments = SmsText.Segments(body).Segments,
        };
        if (MarketingSkipReason(customer, marketingWithdrawn) is { } skip)
        {
            message.Status = SmsStatus.Skipped;
            message.ErrorCode = skip.Code;
            message.ErrorMessage = skip.Message;
        }
        return message;
    }
}

/// <summary>Saved templates keyed by kind and language, with the fallback order: language, its base, default, built-in.</summary>
public sealed class SmsTemplateSet(IReadOnlyDictionary<(SmsKind, string), string> saved, string defaultLanguage)
{
    public (string Language, string Body) For(SmsKind kind, string? language)
    {
        foreach (var candidate in Candidates(language))
            if (saved.TryGetValue((kind, candidate), out var body))
                return (candidate, body);
        return (defaultLanguage, SmsText.DefaultTemplate(kind));
    }

    private IEnumerable<string> Candidates(string? language)
    {
        if (!string.IsNullOrWhiteSpace(language))
        {
            var lower = language.Trim().ToLowerInvariant();
            yield return lower;
            if (lower.IndexOf('-') is > 0 and var dash) yield return lower[..dash];
        }
        yield return defaultLanguage;
    }
}
