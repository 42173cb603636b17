using CustomerAdmin.Features.Sms;
using System.Globalization;
using System.Reflection;
using CustomerAdmin.Common;
using CustomerAdmin.Data;
using CustomerAdmin.Features.Privacy.Consent;
using CustomerAdmin.Data.Sql;
using CustomerAdmin.Features.Customers;
using CustomerAdmin.Features.Events;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Metadata;
using CustomerAdmin.Features.Webhooks;

namespace CustomerAdmin.Features.Duplicates.Merging;

/// <summary>
/// Merging two customers into one, and undoing it (<c>MergeOperations.Undo.cs</c>). In one transaction: both records
/// are locked and checked against the versions the user saw; bookings of one event by both become one; every row that
/// points at the merged record (every table the EF model says does, see <see cref="CustomerKeyedTables"/>) moves to the
/// survivor; the survivor takes the chosen values, both records' tags and notes, and the most restrictive SMS consent;
/// the other record becomes <see cref="CustomerStatus.Merged"/> with a pointer to the survivor; both histories and the
/// survivor's timeline say who merged what; and a <see cref="CustomerMerge"/> keeps exactly what moved. Statistics,
/// ticket counts, search tokens and the dashboard summary move through the keepers, as for any save.
/// </summary>
public sealed partial class MergeOperations(IDbContextFactory<AppDbContext> dbFactory, CustomerOperations customers, TimeProvider time)
{
    /// <summary>The skip code of a pending SMS of a booking that a merge folded into the survivor's booking of the same event.</summary>
    public const string BookingMergedCode = "booking-merged";

    /// <summary>The key in <see cref="CustomerMerge.MovedRows"/> of the consent rows the merge added to the survivor (not moved rows).</summary>
    public const string CarriedConsentKey = "CarriedConsent";

    public async Task<MergeResult> MergeAsync(MergeRequest request, string? actor = null, CancellationToken ct = default)
    {
        if (request.SurvivorId == request.MergedId)
            throw new RuleViolationException("A customer cannot be merged with itself.");
        try
        {
            return await MergeOnceAsync(request, actor, ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            throw new RuleViolationException("Someone changed one of these customers (or this pair) while the merge ran, so nothing was merged. "
                + "Open the pair again and check the values.");
        }
        catch (DbUpdateException ex) when (CustomerRules.IsDuplicatePhone(ex))
        {
            throw new RuleViolationException("The phone number to keep now belongs to another customer, so nothing was merged.", nameof(Customer.PrimaryPhone));
        }
    }

    private async Task<MergeResult> MergeOnceAsync(MergeRequest request, string? actor, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        if (actor is not null) db.Actor = actor;
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        // Two merges of overlapping pairs queue here (PostgreSQL: row locks in id order; SQLite: one writer), and the
        // second then sees what the first did.
        await db.Sql().LockRowsAsync<Customer>(db, [request.SurvivorId, request.MergedId], RowLock.Whole, ct);
        var survivor = Mergeable(await db.Customers.FirstOrDefaultAsync(c => c.Id == request.SurvivorId, ct), request.SurvivorId);
        var merged = Mergeable(await db.Customers.FirstOrDefaultAsync(c => c.Id == request.MergedId, ct), request.MergedId);
        if (survivor.Version != request.SurvivorVersion) throw Changed(survivor);
        if (merged.Version != request.MergedVersion) throw Changed(merged);
        foreach (var side in new[] { survivor, merged })
            if (await db.IsErasedAsync(side.Id, ct))
                throw new RuleViolationException($"Customer {side.Id} was erased (its personal data removed at a request), so it cannot be merged: "
                    + "the record stays anonymous. Nothing was merged.");
        var now = time.GetUtcNow().UtcDateTime;
        var pair = await DecidePairAsync(db, request, survivor.Id, merged.Id, now, ct);

        var survivorBefore = MergeValues.Snapshot(survivor);
        var mergedBefore = MergeValues.Snapshot(merged);
        var (values, taken) = await ValuesAsync(db, request, survivor, merged, ct);

        var bookings = await MergeBookingsAsync(db, request, survivor, merged, now, ct);
        var moved = new Dictionary<string, List<string>>();
        foreach (var (entity, column) in CustomerKeyedTables.Moving(db.Model))
        {
            var keys = await MoveAsync(db, entity, column, merged.Id, survivor.Id, null, ct);
            if (keys.Count > 0) moved[entity.ClrType.Name] = keys;
        }
        var pairs = await RepointPairsAsync(db, survivor.Id, merged.Id, pair?.Id, now, ct);
        merged.Status = CustomerStatus.Merged;
        merged.MergedIntoId = survivor.Id;
        // First the merged record leaves the phone's unique index, then the survivor may take its number.
        await db.SaveChangesAsync(ct);

        var entry = db.Entry(survivor);
        foreach (var field in MergeValues.SurvivorFields)
            entry.Property(field).CurrentValue = MergeValues.Get(values, field);
        var carried = await ConsentOperations.CarryWithdrawalsAsync(db, survivor, merged.Id, now, ct);
        var summary = Summary(moved, bookings);
        var what = $"Customer {merged.Id} ({merged.FullName}) merged into this record by {db.Actor}: moved {summary}"
            + (taken.Count > 0 ? $"; took its {string.Join(", ", taken.Select(f => CustomerLabels.Field(f).ToLowerInvariant()))}" : "") + ".";
        db.CustomerChanges.Add(Change(survivor.Id, CustomerChange.MergedField, null, what, now, db.Actor));
        db.CustomerChanges.Add(Change(merged.Id, CustomerChange.MergedField, null,
            $"Merged into customer {survivor.Id} ({values.FullName}) by {db.Actor}.", now, db.Actor));
        db.Activities.Add(Entry(survivor.Id, ActivityKind.Merged, $"Merged with customer {merged.Id} ({merged.FullName})", what, now, db.Actor));
        var record = new CustomerMerge
        {
            SurvivorId = survivor.Id, MergedId = merged.Id, PairId = pair?.Id, MergedAt = now, MergedBy = db.Actor,
            MovedRows = MergeValues.Serialize(moved), MergedBefore = mergedBefore, SurvivorBefore = survivorBefore,
            Bookings = MergeValues.Serialize(bookings), Pairs = MergeValues.Serialize(pairs), Version = 1,
        };
        db.CustomerMerges.Add(record);
        await db.SaveChangesAsync(ct);
        // The survivor as the merge left it (with its new version), for the undo to tell what was changed since.
        record.SurvivorAfter = MergeValues.Snapshot(survivor);
        await WebhookOutbox.AddAsync(db, WebhookEvents.CustomerMerged, () => new { id = merged.Id, mergedIntoId = survivor.Id }, ct);
        // The consent rows written for the survivor from the merged record's withdrawals: the undo takes them back.
        if (carried.Count > 0)
            record.MovedRows = MergeValues.Serialize(new Dictionary<string, List<string>>(moved)
                { [CarriedConsentKey] = carried.Select(r => r.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToList() });
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return new MergeResult(record.Id, survivor.Id, merged.Id, moved.ToDictionary(m => m.Key, m => m.Value.Count));
    }

    private static Customer Mergeable(Customer? customer, int id) => customer switch
    {
        null => throw new RuleViolationException($"Customer {id} no longer exists."),
        { Status: CustomerStatus.Deleted } => throw new RuleViolationException($"{customer.FullName} (customer {id}) is deleted: restore it before merging."),
        { Status: CustomerStatus.Merged } => throw new RuleViolationException(
            $"{customer.FullName} (customer {id}) has already been merged into customer {customer.MergedIntoId}. Nothing was merged."),
        _ => customer,
    };

    private static RuleViolationException Changed(Customer c) => new(
        $"{c.FullName} (customer {c.Id}) was changed after this pair was listed, so nothing was merged. Reload the pair and check the values again.");

    /// <summary>The pair of these two customers, marked merged; refused when someone decided it since the user opened it.</summary>
    private static async Task<DuplicatePair?> DecidePairAsync(AppDbContext db, MergeRequest request, int survivorId, int mergedId, DateTime now,
        CancellationToken ct)
    {
        var (a, b) = DuplicatePair.Ordered(survivorId, mergedId);
        var pair = await db.DuplicatePairs.FirstOrDefaultAsync(p => p.CustomerAId == a && p.CustomerBId == b, ct);
        if (request.PairId is { } pairId && pair?.Id != pairId)
            throw new RuleViolationException("This pair is no longer in the queue (the records were rescored or merged meanwhile). Nothing was merged.");
        if (pair is null) return null;
        if (request.PairVersion is { } version && pair.Version != version)
            throw new RuleViolationException($"Someone decided this pair meanwhile ({pair.State}{(pair.DecidedBy is { } by ? $", by {by}" : "")}). Nothing was merged.");
        pair.State = DuplicatePairState.Merged;
        pair.DecidedAt = now;
        pair.DecidedBy = db.Actor;
        pair.UpdatedAt = now;
        pair.Version++;
        return pair;
    }

    /// <summary>
    /// The survivor's values after the merge: the chosen fields, both records' tags and notes, the surviving consent, the
    /// earlier first-seen date; checked as the form checks them.
    /// </summary>
    private async Task<(Customer Values, List<string> Taken)> ValuesAsync(AppDbContext db, MergeRequest request, Customer survivor, Customer merged,
        CancellationToken ct)
    {
        var lastChanged = await MergePlan.LastChangedAsync(db, [survivor.Id, merged.Id], ct);
        var candidate = survivor.Copy();
        var taken = new List<string>();
        foreach (var field in MergeValues.Chosen)
        {
            var source = request.FieldSources.TryGetValue(field, out var id) ? id : MergeValues.DefaultSource(field, survivor, merged, lastChanged);
            if (source != survivor.Id && source != merged.Id)
                throw new RuleViolationException($"Keep the {CustomerLabels.Field(field).ToLowerInvariant()} of one of the two customers.", field);
            if (source != merged.Id || MergeValues.Text(survivor, field) == MergeValues.Text(merged, field)) continue;
            MergeValues.Set(candidate, field, MergeValues.Get(merged, field));
            taken.Add(field);
            if (field == nameof(Customer.PrimaryPhone)) candidate.PrimaryPhoneSmsCapable = merged.PrimaryPhoneSmsCapable;
        }
        candidate.Tags = MergeValues.Tags(survivor, merged);
        candidate.Notes = MergeValues.Notes(survivor, merged);
        var (values, errors) = customers.Check(candidate);
        RuleViolationException.ThrowFirst(errors);
        MergeValues.Consent(values, survivor, merged);
        values.FirstSeenAt = MergeValues.FirstSeen(survivor, merged);
        return (values, taken);
    }

    /// <summary>
    /// Bookings of one event by both records become the survivor's one booking, with the seats the user chose (capacity
    /// checked under the event's lock). The merged record's booking is removed: what is still pending for it (a
    /// confirmation, a reminder) is skipped, so no reminder goes twice, and its sent messages stay in the log.
    /// </summary>
    private static async Task<List<BookingMerge>> MergeBookingsAsync(AppDbContext db, MergeRequest request, Customer survivor, Customer merged,
        DateTime now, CancellationToken ct)
    {
        var result = new List<BookingMerge>();
        var theirs = await db.Bookings.Where(b => b.CustomerId == merged.Id).ToListAsync(ct);
        var mine = await db.Bookings.Where(b => b.CustomerId == survivor.Id).ToDictionaryAsync(b => b.EventId, ct);
        foreach (var removed in theirs.Where(b => mine.ContainsKey(b.EventId)).OrderBy(b => b.EventId))
        {
            var kept = mine[removed.EventId];
            var ev = await BookingOperations.LockedEventAsync(db, removed.EventId, ct);
            var seats = request.BookingSeats.TryGetValue(ev.Id, out var chosen) ? chosen : Math.Max(kept.Seats, removed.Seats);
            if (seats is < 0 or > EventOperations.MaxCapacity)
                throw new RuleViolationException($"Choose between 0 and {EventOperations.MaxCapacity} seats for {ev.Name}.", $"Seats{ev.Id}");
            var others = await db.Bookings.Where(b => b.EventId == ev.Id && b.Id != kept.Id && b.Id != removed.Id).SumAsync(b => b.Seats, ct);
            // Fewer seats than both bookings held together never need room; more must fit the event.
            if (seats > kept.Seats + removed.Seats && BookingOperations.CapacityRefusal(ev, others, seats) is { } refusal)
                throw new RuleViolationException(refusal, $"Seats{ev.Id}");

            var unlinked = await db.SmsMessages.Where(m => m.BookingId == removed.Id).Select(m => m.Id).ToListAsync(ct);
            var skipped = await db.SmsMessages.Where(m => m.BookingId == removed.Id && m.Status == SmsStatus.Pending).Select(m => m.Id).ToListAsync(ct);
            await SmsStatusChanges.UpdateAsync(db, db.SmsMessages.Where(m => m.BookingId == removed.Id && m.Status == SmsStatus.Pending), s => s
                .SetProperty(m => m.Status, SmsStatus.Skipped)
                .SetProperty(m => m.ErrorCode, BookingMergedCode)
                .SetProperty(m => m.ErrorMessage, "The booking was merged into the survivor's booking of the same event.")
                .SetProperty(m => m.UpdatedAt, now), ct);
            await db.SmsMessages.Where(m => m.BookingId == removed.Id).ExecuteUpdateAsync(s => s.SetProperty(m => m.BookingId, (int?)null), ct);

            var before = (kept.Seats, kept.Notes);
            kept.Seats = seats;
            kept.Notes = JoinNotes(kept.Notes, removed.Notes);
            kept.UpdatedAt = now;
            kept.UpdatedBy = db.Actor;
            kept.Version++;
            db.Bookings.Remove(removed);
            db.Activities.Add(Entry(survivor.Id, ActivityKind.BookingChanged, $"Bookings for {ev.Name} merged",
                $"{BookingOperations.Seats(before.Seats)} and {BookingOperations.Seats(removed.Seats)} (customer {merged.Id}) → {BookingOperations.Seats(seats)}",
                now, db.Actor));
            result.Add(new BookingMerge(ev.Id, kept.Id, before.Seats, before.Notes, seats, kept.Version,
                new RemovedBooking(removed.Id, removed.EventId, removed.Seats, removed.Notes, removed.CreatedAt, removed.CreatedBy,
                    removed.UpdatedAt, removed.UpdatedBy, removed.Version), unlinked, skipped));
        }
        return result;
    }

    private static string? JoinNotes(string? mine, string? theirs)
    {
        if (string.IsNullOrWhiteSpace(theirs) || mine?.Contains(theirs.Trim(), StringComparison.Ordinal) == true) return mine;
        var joined = string.IsNullOrWhiteSpace(mine) ? theirs.Trim() : mine.TrimEnd() + " / " + theirs.Trim();
        return joined.Length <= Booking.NotesMax ? joined : joined[..Booking.NotesMax];
    }

    /// <summary>
    /// The merged record's other pairs point at the survivor now (a "not the same" decision about it holds for the
    /// survivor too); where the survivor already has a pair with that customer, the merged record's one is removed.
    /// </summary>
    private static async Task<List<PairBefore>> RepointPairsAsync(AppDbContext db, int survivorId, int mergedId, long? decidedPairId, DateTime now,
        CancellationToken ct)
    {
        var result = new List<PairBefore>();
        var theirs = await db.DuplicatePairs.Where(p => (p.CustomerAId == mergedId || p.CustomerBId == mergedId) && p.Id != (decidedPairId ?? 0))
            .OrderBy(p => p.Id).ToListAsync(ct);
        if (theirs.Count == 0) return result;
        var partners = (await db.DuplicatePairs.Where(p => p.CustomerAId == survivorId || p.CustomerBId == survivorId)
            .Select(p => p.CustomerAId == survivorId ? p.CustomerBId : p.CustomerAId).ToListAsync(ct)).ToHashSet();
        foreach (var p in theirs)
        {
            var other = p.CustomerAId == mergedId ? p.CustomerBId : p.CustomerAId;
            var remove = other == survivorId || !partners.Add(other);
            result.Add(new PairBefore(p.Id, p.CustomerAId, p.CustomerBId, remove, p.Score, p.Level, p.Reasons, p.State, p.Signature, p.FoundAt,
                p.UpdatedAt, p.DecidedAt, p.DecidedBy));
            if (remove)
            {
                db.DuplicatePairs.Remove(p);
                continue;
            }
            (p.CustomerAId, p.CustomerBId) = DuplicatePair.Ordered(survivorId, other);
            p.UpdatedAt = now;
            p.Version++;
        }
        return result;
    }

    private static readonly MethodInfo MoveRows = typeof(MergeOperations).GetMethod(nameof(MoveRowsAsync), BindingFlags.NonPublic | BindingFlags.Static)!;

    /// <summary>Moves the rows of one customer-keyed table (tracked, so the keepers see them move); returns their keys.</summary>
    /// <param name="only">When given, only the rows with these keys move (the undo: rows added to the survivor since stay).</param>
    private static Task<List<string>> MoveAsync(AppDbContext db, IEntityType entity, IProperty column, int from, int to, HashSet<string>? only,
        CancellationToken ct) =>
        (Task<List<string>>)MoveRows.MakeGenericMethod(entity.ClrType).Invoke(null, [db, entity, column, from, to, only, ct])!;

    private static async Task<List<string>> MoveRowsAsync<T>(AppDbContext db, IEntityType entity, IProperty column, int from, int to,
        HashSet<string>? only, CancellationToken ct) where T : class
    {
        var rows = await db.Set<T>().Where(e => EF.Property<int>(e, column.Name) == from).ToListAsync(ct);
        var key = entity.FindPrimaryKey()!;
        var keys = new List<string>();
        foreach (var row in rows)
        {
            var entry = db.Entry(row);
            if (entry.State == EntityState.Deleted) continue;
            var k = KeyOf(entry, key);
            if (only is not null && !only.Contains(k)) continue;
            entry.Property(column.Name).CurrentValue = to;
            keys.Add(k);
        }
        return keys;
    }

    private static string KeyOf(EntityEntry entry, IKey key) =>
        string.Join("|", key.Properties.Select(p => Convert.ToString(entry.Property(p.Name).CurrentValue, CultureInfo.InvariantCulture)));

    private static string Summary(Dictionary<string, List<string>> moved, List<BookingMerge> bookings)
    {
        int N(Type t) => moved.GetValueOrDefault(t.Name)?.Count ?? 0;
        var counts = new RowCounts(N(typeof(Ticket)), N(typeof(Sale)), N(typeof(Booking)), N(typeof(Equipment)), N(typeof(SmsMessage)),
            N(typeof(Activity)), N(typeof(CustomerDocument))).ToString();
        return bookings.Count == 0 ? counts : $"{counts}; {bookings.Count} double booking{(bookings.Count == 1 ? "" : "s")} made one";
    }

    private static CustomerChange Change(int customerId, string field, string? oldValue, string? newValue, DateTime now, string actor) => new()
    {
        CustomerId = customerId, Field = field, OldValue = oldValue, NewValue = newValue, ChangedAt = now, ChangedBy = actor,
    };

    private static Activity Entry(int customerId, ActivityKind kind, string subject, string body, DateTime now, string actor) => new()
    {
        CustomerId = customerId, Kind = kind, Subject = TextInput.Truncate(subject, Activity.SubjectMax), Body = TextInput.Truncate(body, Activity.BodyMax),
        OccurredAt = now, CreatedAt = now, CreatedBy = actor,
    };
}
