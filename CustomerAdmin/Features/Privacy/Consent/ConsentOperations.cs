using CustomerAdmin.Features.Sms;
using CustomerAdmin.Common;
using CustomerAdmin.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace CustomerAdmin.Features.Privacy.Consent;

/// <summary>A purpose's current state for one customer: its newest row, or none.</summary>
public sealed record ConsentState(ConsentPurpose Purpose, ConsentRecord? Latest)
{
    public bool? Granted => Latest?.Granted;
}

/// <summary>
/// The consent register. Every change is a new <see cref="ConsentRecord"/> (never an update); <see cref="Apply"/> is the
/// one place that writes one, and with it the customer's SMS fields, which are the <c>sms-service</c> purpose's
/// current state kept on the customer row for the sending paths. Callers that already hold a transaction (a STOP reply,
/// the customer form) call <see cref="Apply"/>; staff recording a change from the customer page go through <see cref="RecordAsync"/>.
/// </summary>
public sealed class ConsentOperations(IDbContextFactory<AppDbContext> factory, IOptions<ConsentOptions> options, TimeProvider time)
{
    public const string StaffSource = "staff";
    /// <summary>The skip code of SMS held back because the customer withdrew the marketing purpose (the outbox's own is the same).</summary>
    public const string WithdrawnMarketingCode = "no-marketing-consent";
    public const string WithdrawnServiceCode = "opted-out";
    /// <summary>How staff may say a consent reached them (the page offers these).</summary>
    public static readonly IReadOnlyList<string> StaffSources = ["staff on the phone", "in person", "paper form", "email from the customer"];

    /// <summary>Staff record a consent given or withdrawn for <paramref name="purpose"/>, as it reached them (<paramref name="source"/>).</summary>
    public async Task<ConsentRecord> RecordAsync(int customerId, string purpose, bool granted, string source, string? actor = null,
        CancellationToken ct = default)
    {
        var known = options.Value.Find(purpose) ?? throw new RuleViolationException("Choose what the consent is for.", nameof(ConsentRecord.Purpose));
        if (string.IsNullOrWhiteSpace(source) || source.Trim().Length > ConsentRecord.SourceMax)
            throw new RuleViolationException("Say how the customer told you.", nameof(ConsentRecord.Source));
        await using var db = await factory.CreateDbContextAsync(ct);
        if (actor is not null) db.Actor = actor;
        // The customer row changes with an SMS purpose (and its version is checked): a concurrent STOP reply retried by
        // its own loop, a concurrent edit caught by its version, never a lost update.
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var customer = await db.Customers.FirstOrDefaultAsync(c => c.Id == customerId, ct);
        if (customer is null || customer.Status.IsGone())
            throw new RuleViolationException("This customer is deleted or merged: their consent cannot change here.");
        var now = time.GetUtcNow().UtcDateTime;
        var row = Apply(db, customer, known.Key, granted, source.Trim(), now, known.WordingVersion);
        await db.SaveChangesAsync(ct);
        if (!granted && known.Key is ConsentOptions.SmsService or ConsentOptions.SmsMarketing)
        {
            // What is still waiting stops with the consent: every SMS for the service purpose, bulk ones for marketing.
            var marketingOnly = known.Key == ConsentOptions.SmsMarketing;
            await SmsStatusChanges.UpdateAsync(db, db.SmsMessages.Where(m => m.CustomerId == customerId && m.Status == SmsStatus.Pending && (!marketingOnly || m.Kind == SmsKind.Bulk)),
                u => u
                    .SetProperty(m => m.Status, SmsStatus.Skipped)
                    .SetProperty(m => m.ErrorCode, marketingOnly ? WithdrawnMarketingCode : WithdrawnServiceCode)
                    .SetProperty(m => m.ErrorMessage, marketingOnly ? "The customer opted out of SMS marketing." : "The customer opted out of SMS.")
                    .SetProperty(m => m.UpdatedAt, now), ct);
        }
        await tx.CommitAsync(ct);
        return row;
    }

    /// <summary>
    /// Adds the change to <paramref name="db"/> (saved by the caller, in its transaction) and moves the customer's SMS
    /// fields when the purpose is <see cref="ConsentOptions.SmsService"/>.
    /// </summary>
    public static ConsentRecord Apply(AppDbContext db, Customer customer, string purpose, bool granted, string source, DateTime now,
        string? wordingVersion)
    {
        var row = new ConsentRecord
        {
            Purpose = purpose, Granted = granted, At = now, Source = source.Length <= ConsentRecord.SourceMax ? source : source[..ConsentRecord.SourceMax],
            RecordedBy = db.Actor, WordingVersion = wordingVersion,
        };
        if (customer.Id == 0) row.Customer = customer;
        else row.CustomerId = customer.Id;
        db.ConsentRecords.Add(row);
        if (purpose != ConsentOptions.SmsService) return row;
        customer.SmsOptedIn = granted;
        if (granted)
        {
            customer.SmsOptedInAt = now;
            customer.SmsOptInSource = row.Source;
        }
        else
        {
            customer.SmsOptedOutAt = now;
            customer.SmsOptOutSource = row.Source;
        }
        return row;
    }

    /// <summary>
    /// A merge: each purpose the merged record withdrew (its newest row) and the survivor has not is withdrawn for the
    /// survivor too, with the merged record's source and wording, so an opt-out never disappears into a merge.
    /// </summary>
    /// <returns>The rows added (ids set by the caller's save), which an undo of the merge deletes again.</returns>
    public static async Task<List<ConsentRecord>> CarryWithdrawalsAsync(AppDbContext db, Customer survivor, int mergedId, DateTime now, CancellationToken ct)
    {
        var carried = new List<ConsentRecord>();
        var rows = await db.ConsentRecords.AsNoTracking().Where(r => r.CustomerId == survivor.Id || r.CustomerId == mergedId).ToListAsync(ct);
        var latest = rows.GroupBy(r => (r.CustomerId, r.Purpose))
            .ToDictionary(g => g.Key, g => g.OrderByDescending(r => r.At).ThenByDescending(r => r.Id).First());
        foreach (var theirs in latest.Values.Where(r => r.CustomerId == mergedId && !r.Granted).OrderBy(r => r.Purpose, StringComparer.Ordinal))
        {
            if (latest.TryGetValue((survivor.Id, theirs.Purpose), out var mine) && !mine.Granted) continue;
            carried.Add(Apply(db, survivor, theirs.Purpose, granted: false, theirs.Source, now, theirs.WordingVersion));
        }
        return carried;
    }

    /// <summary>Those of <paramref name="customerIds"/> (a batch) whose newest row for <paramref name="purpose"/> withdraws it.</summary>
    public static async Task<HashSet<int>> WithdrawnAmongAsync(AppDbContext db, string purpose, IReadOnlyCollection<int> customerIds,
        CancellationToken ct = default)
    {
        if (customerIds.Count == 0) return [];
        var rows = await db.ConsentRecords.AsNoTracking().Where(r => r.Purpose == purpose && customerIds.Contains(r.CustomerId))
            .Select(r => new { r.CustomerId, r.Granted, r.At, r.Id }).ToListAsync(ct);
        return rows.GroupBy(r => r.CustomerId)
            .Where(g => !g.OrderByDescending(r => r.At).ThenByDescending(r => r.Id).First().Granted)
            .Select(g => g.Key).ToHashSet();
    }
}
