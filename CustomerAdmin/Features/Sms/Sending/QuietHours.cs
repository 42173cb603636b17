using CustomerAdmin.Common;
using CustomerAdmin.Features.Sms;
using CustomerAdmin.Features.Sms.Reminders;
using CustomerAdmin.Features.Sms.Templates;
using CustomerAdmin.Features.Sms.Webhooks;
using CustomerAdmin.Data;

namespace CustomerAdmin.Features.Sms.Sending;

/// <summary>
/// The venue-time window in which automatic messages wait (default 21:00 to 09:00). Manual one-off messages are
/// exempt: a person chose to send them now. Used by the dispatcher at send time and by the reminder scan when it
/// schedules, so a reminder due at 23:00 waits until 09:00 instead of being dropped.
/// </summary>
public sealed class QuietHours(SmsOptions sms, VenueOptions venue)
{
    public bool AppliesTo(SmsKind kind) => kind != SmsKind.Manual;

    public bool IsQuiet(DateTime utc)
    {
        if (sms.QuietHoursStart == sms.QuietHoursEnd) return false;
        var local = TimeOnly.FromDateTime(venue.ToVenue(utc));
        return sms.QuietHoursStart < sms.QuietHoursEnd
            ? local >= sms.QuietHoursStart && local < sms.QuietHoursEnd
            : local >= sms.QuietHoursStart || local < sms.QuietHoursEnd;
    }

    /// <summary>The earliest moment at or after <paramref name="utc"/> a message of this kind may go out.</summary>
    public DateTime NextAllowed(DateTime utc, SmsKind kind)
    {
        if (!AppliesTo(kind) || !IsQuiet(utc)) return utc;
        var local = venue.ToVenue(utc);
        var end = local.Date + sms.QuietHoursEnd.ToTimeSpan();
        if (end <= local) end = end.AddDays(1);
        return venue.ToUtc(end);
    }
}
