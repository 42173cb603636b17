using CustomerAdmin.Features.Sms.Reminders;
using CustomerAdmin.Features.Sms.Templates;
using CustomerAdmin.Common;
namespace CustomerAdmin.Features.Sms.Sending;

/// <summary>
/// <c>Sms:Provider=Log</c>: the app runs without an SMS account; every message is written to the log and counts as
/// sent. Nothing can be reconciled (the log is not queryable), so a crash mid-send logs the message again.
/// </summary>
public sealed class LogSmsSender(ILogger<LogSmsSender> logger) : ISmsSender
{
    public Task<SmsSendResult> SendAsync(long outboxId, string to, string body, CancellationToken ct)
    {
        var id = $"log-{Guid.NewGuid():N}";
        logger.LogInformation("SMS (log provider) {ProviderId} to {To}: {Body}", id, to, body);
        return Task.FromResult(SmsSendResult.Accepted(id, Data.SmsStatus.Sent, SmsText.Segments(body).Segments));
    }

    public Task<IReadOnlyList<SentSms>> ListSentAsync(string to, DateTime sinceUtc, CancellationToken ct) =>
        Task.FromResult<IReadOnlyList<SentSms>>([]);
}
