using CustomerAdmin.Common;
using CustomerAdmin.Features.Sms.Templates;
using CustomerAdmin.Data;
using Microsoft.EntityFrameworkCore;

namespace CustomerAdmin.Features.Sms;

/// <summary>Why no SMS can go to a customer (opted out, no number that takes SMS, deleted): a code and the message staff see.</summary>
public sealed class SmsRefusedException(string code, string message) : Exception(message)
{
    public string Code { get; } = code;
}

/// <summary>
/// A one-off message staff type to one customer: check the text, read the customer again (they may have opted out
/// since the dialog opened) and write it to the outbox. Sent as typed (no placeholders); not held by quiet hours.
/// </summary>
public sealed class SmsOperations(IDbContextFactory<AppDbContext> dbFactory, SmsOutbox outbox)
{
    /// <summary>The name of the text field in rule violations.</summary>
    public const string TextField = "Text";

    /// <exception cref="SmsRefusedException">The customer cannot be texted now.</exception>
    public async Task<SmsMessage> SendToCustomerAsync(int customerId, string text, string? actor = null, CancellationToken ct = default)
    {
        if (SmsTemplateRules.Check(text, new Dictionary<string, string>(), allowPlaceholders: false) is { IsValid: false } check)
            throw new RuleViolationException(string.Join(" ", check.Errors), TextField);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        if (actor is not null) db.Actor = actor;
        var customer = await db.Customers.AsNoTracking().FirstOrDefaultAsync(c => c.Id == customerId, ct);
        var refusal = customer is null ? ("missing", "The customer no longer exists.") : SmsOutbox.SkipReason(customer);
        if (refusal is { } r) throw new SmsRefusedException(r.Code, r.Message);
        var message = outbox.EnqueueText(db, SmsKind.Manual, customer!, text);
        await db.SaveChangesAsync(ct);
        return message;
    }
}
