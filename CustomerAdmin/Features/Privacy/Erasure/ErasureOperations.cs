using CustomerAdmin.Features.Sms;
using System.Text.Json;
using CustomerAdmin.Common;
using CustomerAdmin.Data;
using CustomerAdmin.Data.Sql;
using CustomerAdmin.Features.Customers;
using CustomerAdmin.Features.Customers.Documents;
using CustomerAdmin.Features.Duplicates.Merging;
using CustomerAdmin.Features.Privacy.AccessLog;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;

namespace CustomerAdmin.Features.Privacy.Erasure;

/// <summary>What an erasure did: the record (and the records merged into it), the rows changed per table, the files removed.</summary>
/// <param name="Purged">False when the database could not be cleaned up to the file right away (SQLite: a long reader kept the
/// write-ahead log busy); the next erasure's checkpoint or SQLite's own completes it.</param>
public sealed record ErasureResult(int CustomerId, IReadOnlyList<int> Records, IReadOnlyDictionary<string, int> Rows, int Documents, bool Purged);

/// <summary>
/// Erases a customer's personal data everywhere it is stored (<see cref="PersonalData.Tables"/> says what happens to each
/// table), leaving the amounts, dates, statuses and counts the accounts and the dashboard need on an anonymous
/// "Erased customer #N". One transaction on a connection with SQLite's <c>secure_delete</c> on, so replaced and deleted
/// values are zeroed in the file; then the documents' files go, and the database is cleaned to the file
/// (<see cref="SqlDialect.PurgeAsync"/>: SQLite rebuilds it and empties its write-ahead log, PostgreSQL vacuums the tables). Refused while the customer has open tickets or bookings on events to come.
/// </summary>
public sealed class ErasureOperations(IDbContextFactory<AppDbContext> factory, DocumentOperations documents, TimeProvider time,
    AccessLogRecorder accessLog, ILogger<ErasureOperations> logger)
{
    /// <summary>What the user types to confirm.</summary>
    public const string Confirmation = "ERASE";

    /// <summary>What replaces a free-text value that is kept as a row (history values, ticket problems, timeline subjects).</summary>
    public const string Erased = "(erased)";

    public static string AnonymousName(int customerId) => $"Erased customer #{customerId}";

    /// <summary>The placeholder in the required phone column: unique per record, so the live-phone index holds.</summary>
    public static string AnonymousPhone(int customerId) => $"erased-{customerId}";

    /// <summary>Field errors of the request (field name to message).</summary>
    public static Dictionary<string, string> Validate(string? reason, string? confirmation)
    {
        var errors = new Dictionary<string, string>();
        if (string.IsNullOrWhiteSpace(reason))
            errors[nameof(ErasureRequest.Reason)] = "Say why the data is erased, for example \"the customer's request of 3 December by email\".";
        else if (reason.Trim().Length > CustomerErasure.ReasonMax)
            errors[nameof(ErasureRequest.Reason)] = $"Keep the reason under {CustomerErasure.ReasonMax} characters.";
        if (!string.Equals(confirmation?.Trim(), Confirmation, StringComparison.Ordinal))
            errors[nameof(ErasureRequest.Confirmation)] = $"Type {Confirmation} in capitals to confirm.";
        return errors;
    }

    /// <summary>Erases the personal data of <paramref name="customerId"/> (or of the record it was merged into, with every record merged into that).</summary>
    /// <exception cref="RuleViolationException">The request is incomplete, there is no such customer, or open work refuses it.</exception>
    public Task<ErasureResult> EraseAsync(int customerId, string? reason, string actor, CancellationToken ct = default) =>
        EraseAsync(customerId, reason, actor, purge: true, ct);

    /// <param name="purge">False leaves the clean-up to the file (<see cref="PurgeAsync"/>) to the caller: the retention run erases
    /// customers by the hundred and cleans up once per batch, since SQLite's <c>VACUUM</c> rewrites the whole file.</param>
    public async Task<ErasureResult> EraseAsync(int customerId, string? reason, string actor, bool purge, CancellationToken ct = default)
    {
        RuleViolationException.ThrowFirst(Validate(reason, Confirmation));
        await using var db = await factory.CreateDbContextAsync(ct);
        db.Actor = actor;
        // Before anything changes: a customer-keyed table nobody decided about stops the erasure with its name.
        var tables = PersonalData.Checked(db.Model);
        await db.Database.OpenConnectionAsync(ct);
        try
        {
            await db.Sql().SecureDeleteAsync(db, true, ct);
            var (subject, ids, rows, removed) = await EraseRowsAsync(db, customerId, reason!.Trim(), actor, tables, ct);
            // After the commit: a file must not go while its row could still roll back.
            foreach (var document in removed) await documents.DeleteContentAsync(document);
            var purged = !purge || await PurgeAsync(db, tables, ct);
            if (!purged)
                logger.LogWarning("Erasure of customer {CustomerId}: the write-ahead log was busy, so the checkpoint that clears it did not finish", subject);
            logger.LogInformation("Personal data of customer {CustomerId} ({Records} records) erased by {Actor}", subject, ids.Count, actor);
            // The access log's row: who erased which record (the reason stays in the erasure log).
            await accessLog.RecordAsync(actor, AccessKind.Erasure, subject, $"{ids.Count} record(s) erased", ct: CancellationToken.None);
            return new ErasureResult(subject, ids, rows, removed.Count, purged);
        }
        finally
        {
            try
            {
                await db.Sql().SecureDeleteAsync(db, false, CancellationToken.None);
            }
            catch (Exception ex) when (ex is System.Data.Common.DbException or InvalidOperationException)
            {
                logger.LogDebug(ex, "Could not switch secure_delete off again; the connection is discarded");
            }
            await db.Database.CloseConnectionAsync();
        }
    }

    /// <summary>Cleans the tables an erasure touches to the file (after erasures made with <c>purge: false</c>); false when SQLite's log stayed busy.</summary>
    public async Task<bool> PurgeAsync(CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        return await PurgeAsync(db, PersonalData.Checked(db.Model), ct);
    }

    private static Task<bool> PurgeAsync(AppDbContext db,
        List<(IEntityType Entity, IReadOnlyList<IProperty> Columns, ErasureHandling Handling)> tables, CancellationToken ct) =>
        db.Sql().PurgeAsync(db, tables.Select(t => t.Entity).Prepend(db.Model.FindEntityType(typeof(Customer))!).ToList(), ct);

    private async Task<(int Subject, List<int> Ids, Dictionary<string, int> Rows, List<CustomerDocument> Documents)> EraseRowsAsync(AppDbContext db,
        int customerId, string reason, string actor, List<(IEntityType Entity, IReadOnlyList<IProperty> Columns, ErasureHandling Handling)> tables,
        CancellationToken ct)
    {
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        if (!await db.Customers.AnyAsync(c => c.Id == customerId, ct))
            throw new RuleViolationException($"There is no customer {customerId}.");
        var subject = await db.SurvivorOfAsync(customerId, ct);
        await db.Sql().LockRowsAsync<Customer>(db, [subject], RowLock.Whole, ct);
        var ids = await PersonalData.RecordsAsync(db, subject, ct);
        var now = time.GetUtcNow().UtcDateTime;
        var openTickets = (await db.OpenTicketNumbersAsync(ids, ct)).SelectMany(g => g).ToList();
        var futureBookings = (await db.FutureBookingsAsync(ids, now, ct)).SelectMany(g => g).ToList();
        if (Refusal(openTickets, futureBookings) is { } refusal) throw new RuleViolationException(refusal);

        // Through a normal save, so the keepers rebuild what derives from the record (search tokens, sort name, match
        // keys) from the anonymous values; the history rows and timeline entries that save writes are scrubbed below.
        var records = await db.Customers.Where(c => ids.Contains(c.Id)).ToListAsync(ct);
        foreach (var record in records) Anonymise(record, now);
        await db.SaveChangesAsync(ct);

        var rows = new Dictionary<string, int> { [nameof(Customer)] = records.Count };
        // A message still waiting would go out to no number: it is skipped, as one to an opted-out customer is.
        await SmsStatusChanges.UpdateAsync(db, db.SmsMessages.Where(m => ids.Contains(m.CustomerId) && m.Status == SmsStatus.Pending), s => s
            .SetProperty(m => m.Status, SmsStatus.Skipped).SetProperty(m => m.ErrorCode, "erased").SetProperty(m => m.UpdatedAt, now), ct);
        var removed = new List<CustomerDocument>();
        foreach (var (entity, columns, handling) in tables)
        {
            var count = handling switch
            {
                ErasureHandling.Scrub => await ScrubAsync(db, entity.ClrType, ids, ct),
                ErasureHandling.Delete when entity.ClrType == typeof(CustomerDocument) => await DeleteDocumentsAsync(db, ids, removed, ct),
                ErasureHandling.Delete => await PersonalData.DeleteAsync(db, entity, columns, ids, ct),
                _ => 0,
            };
            if (count > 0) rows[entity.ClrType.Name] = count;
        }

        db.CustomerErasures.Add(new CustomerErasure
        {
            CustomerId = subject, CustomerIds = string.Join(",", ids), ErasedAt = now, ErasedBy = actor, Reason = reason,
            Rows = JsonSerializer.Serialize(rows), DocumentsDeleted = removed.Count,
        });
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return (subject, ids, rows, removed);
    }

    /// <returns>Null when nothing stands in the way, otherwise the message that says what does.</returns>
    public static string? Refusal(IReadOnlyList<string> openTickets, IReadOnlyList<string> futureBookings)
    {
        var reasons = new List<string>();
        if (openTickets.Count > 0)
            reasons.Add($"{(openTickets.Count == 1 ? "a ticket is" : $"{openTickets.Count} tickets are")} open ({string.Join(", ", openTickets)}): "
                + "a manager closes or cancels " + (openTickets.Count == 1 ? "it" : "them") + " first");
        if (futureBookings.Count > 0)
            reasons.Add($"they are booked on {(futureBookings.Count == 1 ? "an event" : $"{futureBookings.Count} events")} to come ({string.Join(", ", futureBookings)}): "
                + "cancel " + (futureBookings.Count == 1 ? "the booking" : "the bookings") + " first");
        return reasons.Count == 0 ? null : "The personal data cannot be erased while " + string.Join("; and ", reasons) + ". Nothing was changed.";
    }

    /// <summary>
    /// Replaces every personal value of the record. Kept: its type, status, tier, city and country (the dashboard counts
    /// customers per city and type), its dates and its statistics. An SMS can never go to it again (opted out).
    /// </summary>
    public static void Anonymise(Customer c, DateTime now)
    {
        (c.FirstName, c.LastName, c.Name, c.DisplayName) = (null, null, null, AnonymousName(c.Id));
        (c.PrimaryPhone, c.PrimaryPhoneSmsCapable, c.SecondaryPhone, c.WhatsAppPhone, c.Email) = (AnonymousPhone(c.Id), false, null, null, null);
        (c.AddressLine1, c.AddressLine2, c.State, c.PostalCode) = (null, null, null, null);
        (c.OrganizationId, c.Organization, c.RegistrationNumber, c.TaxId, c.Website) = (null, null, null, null, null);
        (c.PreferredLanguage, c.Notes, c.Tags) = (null, null, null);
        (c.SmsOptedIn, c.SmsOptedInAt, c.SmsOptInSource) = (false, null, null);
        (c.SmsOptedOutAt, c.SmsOptOutSource) = (c.SmsOptedOutAt ?? now, "erased");
    }

    private static Task<int> ScrubAsync(AppDbContext db, Type type, List<int> ids, CancellationToken ct) => type.Name switch
    {
        nameof(CustomerChange) => db.CustomerChanges.Where(c => ids.Contains(c.CustomerId)).ExecuteUpdateAsync(s => s
            .SetProperty(c => c.OldValue, c => c.OldValue == null ? null : Erased)
            .SetProperty(c => c.NewValue, c => c.NewValue == null ? null : Erased)
            .SetProperty(c => c.Reason, c => c.Reason == null ? null : Erased), ct),
        nameof(Ticket) => db.Tickets.Where(t => ids.Contains(t.CustomerId)).ExecuteUpdateAsync(s => s.SetProperty(t => t.Problem, Erased), ct),
        nameof(Equipment) => db.Equipment.Where(q => ids.Contains(q.CustomerId)).ExecuteUpdateAsync(s => s
            .SetProperty(q => q.SerialNumber, (string?)null).SetProperty(q => q.SerialKey, (string?)null).SetProperty(q => q.Notes, (string?)null), ct),
        nameof(Booking) => db.Bookings.Where(b => ids.Contains(b.CustomerId)).ExecuteUpdateAsync(s => s.SetProperty(b => b.Notes, (string?)null), ct),
        // The status, kind, segments and dates stay: the SMS counts and the dashboard's figures are made of them.
        nameof(SmsMessage) => db.SmsMessages.Where(m => ids.Contains(m.CustomerId)).ExecuteUpdateAsync(s => s
            .SetProperty(m => m.To, "").SetProperty(m => m.Body, "").SetProperty(m => m.ErrorMessage, (string?)null), ct),
        // Replies received by SMS are timeline entries too.
        nameof(Activity) => db.Activities.Where(a => ids.Contains(a.CustomerId)).ExecuteUpdateAsync(s => s
            .SetProperty(a => a.Subject, Erased).SetProperty(a => a.Body, (string?)null), ct),
        // The values a merge kept for its undo; the moved rows' ids stay (an undo of such a merge brings back an erased record).
        nameof(CustomerMerge) => db.CustomerMerges.Where(m => ids.Contains(m.SurvivorId) || ids.Contains(m.MergedId)).ExecuteUpdateAsync(s => s
            .SetProperty(m => m.MergedBefore, "{}").SetProperty(m => m.SurvivorBefore, "{}").SetProperty(m => m.SurvivorAfter, "{}")
            .SetProperty(m => m.Bookings, "[]").SetProperty(m => m.Pairs, "[]"), ct),
        nameof(ImportReportRow) => db.ImportReportRows.Where(r => r.CustomerId != null && ids.Contains(r.CustomerId.Value)).ExecuteUpdateAsync(s => s
            .SetProperty(r => r.ExternalReference, (string?)null).SetProperty(r => r.Reason, (string?)null)
            .SetProperty(r => r.Before, (string?)null).SetProperty(r => r.After, (string?)null), ct),
        _ => throw new InvalidOperationException($"The erasure does not know which columns of {type.Name} hold personal values."),
    };

    /// <summary>The documents' rows go with the rest; their content after the commit (<see cref="DocumentOperations.DeleteContentAsync"/>).</summary>
    private static async Task<int> DeleteDocumentsAsync(AppDbContext db, List<int> ids, List<CustomerDocument> removed, CancellationToken ct)
    {
        removed.AddRange(await db.Documents.AsNoTracking().Where(d => ids.Contains(d.CustomerId)).ToListAsync(ct));
        return await db.Documents.Where(d => ids.Contains(d.CustomerId)).ExecuteDeleteAsync(ct);
    }
}

/// <summary>The erasure form's model.</summary>
public sealed class ErasureRequest
{
    public string? Reason { get; set; }
    public string? Confirmation { get; set; }
}
