using CustomerAdmin.Features.Sms.Reminders;
using CustomerAdmin.Features.Sms.Templates;
using CustomerAdmin.Features.Sms.Webhooks;
using CustomerAdmin.Common;
namespace CustomerAdmin.Features.Sms.Sending;

/// <summary>
/// Per-recipient limits (<see cref="SmsOptions.MaxPerHour"/>, <see cref="SmsOptions.MaxPerDay"/>) over what was
/// sent to one number, so a mistake cannot flood a customer. A message over a limit waits for a free slot.
/// </summary>
public static class SmsRateLimit
{
    /// <summary>When the next message to this number may go, or null when it may go at <paramref name="now"/>.</summary>
    /// <param name="sentAt">When earlier messages to the number were sent (at least the last day's).</param>
    public static DateTime? NextSlot(IReadOnlyCollection<DateTime> sentAt, DateTime now, int maxPerHour, int maxPerDay)
    {
        var hour = FreesAt(sentAt, now, TimeSpan.FromHours(1), maxPerHour);
        var day = FreesAt(sentAt, now, TimeSpan.FromDays(1), maxPerDay);
        return hour is null ? day : day is null ? hour : hour > day ? hour : day;
    }

    private static DateTime? FreesAt(IReadOnlyCollection<DateTime> sentAt, DateTime now, TimeSpan window, int max)
    {
        var inWindow = sentAt.Where(t => t > now - window).Order().ToList();
        if (inWindow.Count < max) return null;
        // The window must drop enough old sends to leave one slot free.
        return inWindow[inWindow.Count - max] + window;
    }
}
