using System.Collections.Concurrent;
using CustomerAdmin.Common;
using CustomerAdmin.Features.Customers.Bulk;
using CustomerAdmin.Features.Events;
using CustomerAdmin.Features.Privacy.Consent;
using CustomerAdmin.Features.Sms.Reminders;
using CustomerAdmin.Features.Sms.Sending;
using CustomerAdmin.Features.Sms.Templates;
using CustomerAdmin.Data;
using Microsoft.EntityFrameworkCore;

namespace CustomerAdmin.Features.Sms;

/// <summary>Who a bulk message to an event reaches: the count that gets it, and the ones excluded, by reason.</summary>
public sealed record BulkAudience(int Bookings, int Recipients, IReadOnlyList<(string Reason, int Count)> Excluded, IReadOnlyList<SmsRecipient> Samples)
{
    public int ExcludedCount => Excluded.Sum(e => e.Count);
}

public enum BulkJobState { Running, Finished, Failed, Cancelled }

/// <summary>One bulk send's progress, read by whichever page is looking (the one that started it may be gone).</summary>
public sealed class BulkSmsJob(int eventId, int total, string startedBy)
{
    private int _done;

    public int EventId => eventId;
    public int Total => total;
    public string StartedBy => startedBy;
    public int Done => Volatile.Read(ref _done);
    public BulkJobState State { get; internal set; } = BulkJobState.Running;
    public string? Error { get; internal set; }
    public double Percent => Total == 0 ? 100 : 100.0 * Done / Total;

    /// <summary>Raised on the worker's thread after each batch and at the end.</summary>
    public event Action? Changed;

    internal void Advance(int count)
    {
        Interlocked.Add(ref _done, count);
        Changed?.Invoke();
    }

    internal void Finish(BulkJobState state, string? error = null)
    {
        State = state;
        Error = error;
        Changed?.Invoke();
    }
}

/// <summary>
/// Sends one typed message to an event's attendees: placeholders rendered per recipient, each written to the outbox as
/// <see cref="SmsKind.Bulk"/> in batches by a background task with its own contexts, so the page that started it can be
/// left. It is a marketing send: customers who withdrew the sms-marketing purpose, opted-out customers and numbers that take no SMS get a skipped row (the outbox's rule), so the log says why.
/// </summary>
public sealed class BulkSmsOperations(IDbContextFactory<AppDbContext> dbFactory, SmsOutbox outbox, PhoneNormalizer phones,
    IHostApplicationLifetime lifetime, ILogger<BulkSmsOperations> logger)
{
    public const int BatchSize = 200;
    private const int SampleCount = 20;

    private readonly ConcurrentDictionary<int, BulkSmsJob> _jobs = new();

    /// <summary>The latest bulk send for the event, running or done, while the app runs.</summary>
    public BulkSmsJob? JobFor(int eventId) => _jobs.GetValueOrDefault(eventId);

    /// <summary>Why no bulk message may go to this event, or null.</summary>
    public static string? Refusal(Event? ev) =>
        ev is null ? "There is no such event."
        : ev.Status == EventStatus.Cancelled ? "The event is cancelled: no bulk message can be sent to its bookings."
        : null;

    private static IQueryable<Booking> Bookings(AppDbContext db, int eventId, bool includeReminderOnly) =>
        db.Bookings.AsNoTracking().Where(b => b.EventId == eventId && (includeReminderOnly || b.Seats > 0));

    public async Task<BulkAudience> AudienceAsync(int eventId, bool includeReminderOnly, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        // An event's bookings fit in memory (capacity-bound), and counting here applies the outbox's own skip rule.
        var all = await Bookings(db, eventId, includeReminderOnly).OrderBy(b => b.Id).AsRecipients().ToListAsync(ct);
        var withdrawn = await MarketingWithdrawnAsync(db, all, ct);
        var checkedAll = all.Select(r => (Recipient: r, Skip: SmsOutbox.MarketingSkipReason(r.ToCustomer(), withdrawn.Contains(r.CustomerId)))).ToList();
        var excluded = checkedAll.Where(r => r.Skip is not null)
            .GroupBy(r => r.Skip!.Value.Message).Select(g => (g.Key, g.Count())).OrderByDescending(g => g.Item2).ToList();
        var eligible = checkedAll.Where(r => r.Skip is null).Select(r => r.Recipient).ToList();
        return new BulkAudience(all.Count, eligible.Count, excluded, eligible.Take(SampleCount).ToList());
    }

    /// <summary>The placeholder values for one recipient of a message about <paramref name="ev"/>.</summary>
    public IReadOnlyDictionary<string, string> Values(SmsRecipient recipient, Event ev) =>
        outbox.Values(recipient.ToCustomer(), ev, recipient.Seats, recipient.PreferredLanguage ?? outbox.Options.DefaultLanguage);

    /// <summary>Starts the send, or returns why it cannot start (bad text, cancelled event, one already running).</summary>
    public async Task<(BulkSmsJob? Job, string? Refusal)> StartAsync(int eventId, string text, bool includeReminderOnly, string actor,
        CancellationToken ct = default)
    {
        if (SmsTemplateRules.Check(text, SmsText.SampleValues(outbox.Venue.Phone)) is { IsValid: false } check)
            return (null, string.Join(" ", check.Errors));
        Event? ev;
        int total;
        await using (var db = await dbFactory.CreateDbContextAsync(ct))
        {
            ev = await db.Events.AsNoTracking().FirstOrDefaultAsync(e => e.Id == eventId, ct);
            if (Refusal(ev) is { } refusal) return (null, refusal);
            total = await Bookings(db, eventId, includeReminderOnly).CountAsync(ct);
        }

        var job = new BulkSmsJob(eventId, total, actor);
        var current = _jobs.AddOrUpdate(eventId, job, (_, existing) => existing.State == BulkJobState.Running ? existing : job);
        if (current != job) return (null, $"A bulk message to this event started by {current.StartedBy} is still being queued.");
        _ = Task.Run(() => RunAsync(job, ev!, text, includeReminderOnly, lifetime.ApplicationStopping), CancellationToken.None);
        return (job, null);
    }

    private async Task RunAsync(BulkSmsJob job, Event ev, string text, bool includeReminderOnly, CancellationToken ct)
    {
        try
        {
            var after = 0;
            while (true)
            {
                await using var db = await dbFactory.CreateDbContextAsync(ct);
                db.Actor = job.StartedBy;
                var batch = await Bookings(db, ev.Id, includeReminderOnly).Where(b => b.Id > after).OrderBy(b => b.Id)
                    .Take(BatchSize).AsRecipients().ToListAsync(ct);
                if (batch.Count == 0) break;
                after = batch[^1].BookingId;
                var withdrawn = await MarketingWithdrawnAsync(db, batch, ct);
                foreach (var recipient in batch)
                    outbox.EnqueueText(db, SmsKind.Bulk, recipient.ToCustomer(), SmsText.Render(text, Values(recipient, ev)), ev.Id,
                        marketingWithdrawn: withdrawn.Contains(recipient.CustomerId));
                await db.SaveChangesAsync(ct);
                job.Advance(batch.Count);
            }
            logger.LogInformation("Bulk SMS to event {EventId} by {Actor}: {Count} messages queued", ev.Id, job.StartedBy, job.Done);
            job.Finish(BulkJobState.Finished);
        }
        catch (OperationCanceledException)
        {
            logger.LogWarning("Bulk SMS to event {EventId} stopped with the app after {Count} of {Total}", ev.Id, job.Done, job.Total);
            job.Finish(BulkJobState.Cancelled, "The app stopped while the messages were being queued.");
        }
        catch (Exception ex)
        {
            logger.LogError(ex, "Bulk SMS to event {EventId} failed after {Count} of {Total}", ev.Id, job.Done, job.Total);
            job.Finish(BulkJobState.Failed, ex.GetBaseException().Message);
        }
    }

    private const int AudienceBatchSize = 1_000;

    // Bulk SMS is a marketing send: it uses the sms-marketing purpose of the consent register.
    private static Task<HashSet<int>> MarketingWithdrawnAsync(AppDbContext db, IReadOnlyCollection<SmsRecipient> recipients, CancellationToken ct) =>
        ConsentOperations.WithdrawnAmongAsync(db, ConsentOptions.SmsMarketing, recipients.Select(r => r.CustomerId).ToList(), ct);

    private readonly ConcurrentDictionary<string, BulkSmsJob> _customerJobs = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Placeholders about an event: a message to customers picked on the list has no event to fill them from.</summary>
    private static readonly string[] EventPlaceholders = [SmsText.EventName, SmsText.EventDate, SmsText.EventDay, SmsText.Seats];

    /// <summary>The user's latest bulk message to customers picked on the customer list, running or done, while the app runs.</summary>
    public BulkSmsJob? CustomerJobOf(string user) => _customerJobs.GetValueOrDefault(user);

    /// <summary>Who a bulk message to customers picked on the list reaches, by the outbox's own skip rule, read a batch at a time.</summary>
    public async Task<BulkAudience> AudienceOfCustomersAsync(CustomerSelection selection, CancellationToken ct = default)
    {
        int selected = 0, eligible = 0;
        var excluded = new Dictionary<string, int>();
        var samples = new List<SmsRecipient>();
        await foreach (var (batch, withdrawn) in CustomerBatchesAsync(selection, AudienceBatchSize, ct))
        {
            foreach (var recipient in batch)
            {
                selected++;
                if (SmsOutbox.MarketingSkipReason(recipient.ToCustomer(), withdrawn.Contains(recipient.CustomerId)) is { } skip) excluded[skip.Message] = excluded.GetValueOrDefault(skip.Message) + 1;
                else if (eligible++ < SampleCount) samples.Add(recipient);
            }
        }
        return new BulkAudience(selected, eligible, excluded.OrderByDescending(e => e.Value).Select(e => (e.Key, e.Value)).ToList(), samples);
    }

    /// <summary>Why a text cannot go to customers picked on the list (bad text, a placeholder about an event), or null.</summary>
    public string? CustomerTextRefusal(string text)
    {
        if (EventPlaceholders.FirstOrDefault(p => text.Contains("{{" + p + "}}", StringComparison.Ordinal)) is { } placeholder)
            return $"{{{{{placeholder}}}}} is about an event, and this message is to customers, not to an event's bookings.";
        return SmsTemplateRules.Check(text, SmsText.SampleValues(outbox.Venue.Phone)) is { IsValid: false } check ? string.Join(" ", check.Errors) : null;
    }

    /// <summary>The placeholder values for one customer of a message to customers picked on the list.</summary>
    public IReadOnlyDictionary<string, string> CustomerValues(SmsRecipient recipient) =>
        outbox.Values(recipient.ToCustomer(), null, null, recipient.PreferredLanguage ?? outbox.Options.DefaultLanguage);

    /// <summary>Starts queuing the message to every selected customer, or returns why it cannot start.</summary>
    public async Task<(BulkSmsJob? Job, string? Refusal)> StartForCustomersAsync(CustomerSelection selection, string text, string actor,
        CancellationToken ct = default)
    {
        if (CustomerTextRefusal(text) is { } refusal) return (null, refusal);
        int total;
        await using (var db = await dbFactory.CreateDbContextAsync(ct))
            total = await selection.Query(db, phones).CountAsync(ct);
        var job = new BulkSmsJob(0, total, actor);
        var current = _customerJobs.AddOrUpdate(actor, job, (_, existing) => existing.State == BulkJobState.Running ? existing : job);
        if (current != job) return (null, "Your previous bulk message to customers is still being queued.");
        _ = Task.Run(() => RunForCustomersAsync(job, selection, text, lifetime.ApplicationStopping), CancellationToken.None);
        return (job, null);
    }

    private async Task RunForCustomersAsync(BulkSmsJob job, CustomerSelection selection, string text, CancellationToken ct)
    {
        try
        {
            await foreach (var (batch, withdrawn) in CustomerBatchesAsync(selection, BatchSize, ct))
            {
                await using var db = await dbFactory.CreateDbContextAsync(ct);
                db.Actor = job.StartedBy;
                foreach (var recipient in batch)
                    outbox.EnqueueText(db, SmsKind.Bulk, recipient.ToCustomer(), SmsText.Render(text, CustomerValues(recipient)),
                        marketingWithdrawn: withdrawn.Contains(recipient.CustomerId));
                await db.SaveChangesAsync(ct);
                job.Advance(batch.Count);
            }
            logger.LogInformation("Bulk SMS to customers by {Actor}: {Count} messages queued", job.StartedBy, job.Done);
            job.Finish(BulkJobState.Finished);
        }
        catch (OperationCanceledException)
        {
            logger.LogWarning("Bulk SMS to customers stopped with the app after {Count} of {Total}", job.Done, job.Total);
            job.Finish(BulkJobState.Cancelled, "The app stopped while the messages were being queued.");
        }
        catch (Exception ex)
        {
            logger.LogError(ex, "Bulk SMS to customers failed after {Count} of {Total}", job.Done, job.Total);
            job.Finish(BulkJobState.Failed, ex.GetBaseException().Message);
        }
    }

    /// <summary>
    /// The selected customers as recipients, in id order, a batch at a time (never the whole selection at once), with
    /// those of the batch who withdrew consent to SMS marketing.
    /// </summary>
    private async IAsyncEnumerable<(List<SmsRecipient> Batch, HashSet<int> MarketingWithdrawn)> CustomerBatchesAsync(CustomerSelection selection, int size,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        var after = 0;
        while (true)
        {
            List<SmsRecipient> batch;
            HashSet<int> withdrawn;
            await using (var db = await dbFactory.CreateDbContextAsync(ct))
            {
                batch = await selection.Query(db, phones).AsNoTracking().Where(c => c.Id > after).OrderBy(c => c.Id).Take(size)
                    .AsRecipients().ToListAsync(ct);
                withdrawn = await MarketingWithdrawnAsync(db, batch, ct);
            }
            if (batch.Count == 0) yield break;
            after = batch[^1].CustomerId;
            yield return (batch, withdrawn);
        }
    }
}
