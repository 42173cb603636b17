using CustomerAdmin.Features.Sms;
using CustomerAdmin.Common;
using CustomerAdmin.Data;
using CustomerAdmin.Data.Sql;
using CustomerAdmin.Features.Customers;
using Microsoft.EntityFrameworkCore;

namespace CustomerAdmin.Features.Duplicates.Merging;

public sealed partial class MergeOperations
{
    /// <summary>
    /// Undoes a merge within <see cref="CustomerMerge.UndoWindow"/>: the merged record comes back with its values, exactly
    /// the rows that moved go back to it (rows added to the survivor since stay), the survivor's fields the merge changed
    /// go back unless someone changed them since, a folded booking is split again and its SMS relinked, and the pairs are
    /// as they were. Both histories and the survivor's timeline say so.
    /// </summary>
    /// <remarks>
    /// Chains: with A merged into B and then B into C, the merge of B into C is undone first; undoing A's merge while B
    /// is itself merged is refused (the rows that moved from A are on C now), and never half-done.
    /// </remarks>
    public async Task UndoAsync(int mergeId, string? actor = null, CancellationToken ct = default)
    {
        try
        {
            await UndoOnceAsync(mergeId, actor, ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            throw new RuleViolationException("Someone changed one of these customers while the merge was being undone, so nothing was changed. Try again.");
        }
        catch (DbUpdateException ex) when (CustomerRules.IsDuplicatePhone(ex))
        {
            throw new RuleViolationException("The merged record's phone number now belongs to another live customer, so it cannot come back. "
                + "Change that customer's phone first. Nothing was changed.");
        }
    }

    private async Task UndoOnceAsync(int mergeId, string? actor, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        if (actor is not null) db.Actor = actor;
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var ids = await db.CustomerMerges.Where(m => m.Id == mergeId).Select(m => new { m.SurvivorId, m.MergedId }).FirstOrDefaultAsync(ct)
            ?? throw new RuleViolationException("There is no such merge.");
        await db.Sql().LockRowsAsync<Customer>(db, [ids.SurvivorId, ids.MergedId], RowLock.Whole, ct);
        var merge = await db.CustomerMerges.FirstAsync(m => m.Id == mergeId, ct);
        var now = time.GetUtcNow().UtcDateTime;
        if (merge.UndoneAt is not null)
            throw new RuleViolationException($"This merge was already undone ({merge.UndoneBy}).");
        if (!merge.CanBeUndoneAt(now))
            throw new RuleViolationException($"A merge can be undone for {CustomerMerge.UndoWindow.TotalDays:0} days; this one is older.");
        var survivor = await db.Customers.FirstAsync(c => c.Id == merge.SurvivorId, ct);
        var merged = await db.Customers.FirstAsync(c => c.Id == merge.MergedId, ct);
        if (survivor.Status == CustomerStatus.Merged)
            throw new RuleViolationException($"{survivor.FullName} (customer {survivor.Id}) has since been merged into customer {survivor.MergedIntoId}: "
                + "undo that merge first (from that customer's history), then this one.");
        if (survivor.Status == CustomerStatus.Deleted)
            throw new RuleViolationException($"{survivor.FullName} (customer {survivor.Id}) has since been deleted: restore it first.");
        if (merged.Status != CustomerStatus.Merged || merged.MergedIntoId != survivor.Id)
            throw new RuleViolationException($"Customer {merged.Id} is no longer merged into customer {survivor.Id}; nothing to undo.");
        if (await db.IsErasedAsync(survivor.Id, ct))
            throw new RuleViolationException($"Customer {survivor.Id} was erased since the merge (with the records merged into it): "
                + "an erased person's records stay anonymous, so the merge cannot be undone. Nothing was changed.");

        // The survivor's fields first: the merged record's phone leaves the survivor before the merged record takes it back.
        var before = MergeValues.Values(merge.SurvivorBefore);
        var after = MergeValues.Values(merge.SurvivorAfter);
        var restored = new List<string>();
        foreach (var field in MergeValues.SurvivorFields)
        {
            var (was, became) = (before.GetValueOrDefault(field), after.GetValueOrDefault(field));
            if (was == became || MergeValues.Text(survivor, field) != became) continue;
            MergeValues.SetText(survivor, field, was);
            restored.Add(field);
        }

        var moved = MergeValues.Deserialize<Dictionary<string, List<string>>>(merge.MovedRows);
        var back = new Dictionary<string, int>();
        foreach (var (entity, column) in CustomerKeyedTables.Moving(db.Model))
        {
            if (!moved.TryGetValue(entity.ClrType.Name, out var keys)) continue;
            var count = (await MoveAsync(db, entity, column, survivor.Id, merged.Id, keys.ToHashSet(), ct)).Count;
            if (count > 0) back[entity.ClrType.Name] = count;
        }
        // The withdrawals the merge carried over were the merged person's, not the survivor's: they leave the survivor's
        // register (the merged record keeps its own rows); the survivor's consent fields are restored with its other fields.
        if (moved.TryGetValue(CarriedConsentKey, out var carried))
        {
            var carriedIds = carried.Select(k => long.Parse(k, System.Globalization.CultureInfo.InvariantCulture)).ToList();
            await db.ConsentRecords.Where(r => carriedIds.Contains(r.Id) && r.CustomerId == survivor.Id).ExecuteDeleteAsync(ct);
        }
        var bookings = MergeValues.Deserialize<List<BookingMerge>>(merge.Bookings);
        foreach (var b in bookings)
        {
            var kept = await db.Bookings.FirstOrDefaultAsync(x => x.Id == b.KeptBookingId, ct);
            if (kept is not null && kept.Seats == b.KeptSeatsAfter && kept.Version == b.KeptVersionAfter)
            {
                kept.Seats = b.KeptSeatsBefore;
                kept.Notes = b.KeptNotesBefore;
                kept.UpdatedAt = now;
                kept.UpdatedBy = db.Actor;
                kept.Version++;
            }
            var r = b.Removed;
            db.Bookings.Add(new Booking
            {
                Id = r.Id, CustomerId = merged.Id, EventId = r.EventId, Seats = r.Seats, Notes = r.Notes, CreatedAt = r.CreatedAt,
                CreatedBy = r.CreatedBy, UpdatedAt = r.UpdatedAt, UpdatedBy = r.UpdatedBy, Version = r.Version,
            });
        }
        await db.SaveChangesAsync(ct);

        foreach (var b in bookings)
        {
            var removedId = b.Removed.Id;
            await db.SmsMessages.Where(m => b.UnlinkedSms.Contains(m.Id) && m.BookingId == null)
                .ExecuteUpdateAsync(s => s.SetProperty(m => m.BookingId, removedId), ct);
            await SmsStatusChanges.UpdateAsync(db, db.SmsMessages.Where(m => b.SkippedSms.Contains(m.Id) && m.Status == SmsStatus.Skipped && m.ErrorCode == BookingMergedCode),
                s => s.SetProperty(m => m.Status, SmsStatus.Pending).SetProperty(m => m.ErrorCode, (string?)null)
                    .SetProperty(m => m.ErrorMessage, (string?)null).SetProperty(m => m.UpdatedAt, now), ct);
        }
        await RestorePairsAsync(db, merge, now, ct);

        foreach (var (field, text) in MergeValues.Values(merge.MergedBefore))
        {
            if (MergeValues.Text(merged, field) != text) MergeValues.SetText(merged, field, text);
        }
        merged.MergedIntoId = null;
        merged.Status = merged.Status == CustomerStatus.Merged ? CustomerStatus.Active : merged.Status;

        var summary = back.Count == 0 ? "no rows" : string.Join(", ", back.Select(b => $"{b.Value} {b.Key}"));
        var what = $"Merge of customer {merged.Id} ({merged.FullName}) into this record undone by {db.Actor}: moved back {summary}"
            + (restored.Count > 0 ? $"; restored {string.Join(", ", restored.Select(CustomerLabels.Field))}" : "") + ".";
        db.CustomerChanges.Add(Change(survivor.Id, CustomerChange.MergeUndoneField, null, what, now, db.Actor));
        db.CustomerChanges.Add(Change(merged.Id, CustomerChange.MergeUndoneField, null,
            $"Merge into customer {survivor.Id} ({survivor.FullName}) undone by {db.Actor}: this record stands on its own again.", now, db.Actor));
        db.Activities.Add(Entry(survivor.Id, ActivityKind.MergeUndone, $"Merge with customer {merged.Id} ({merged.FullName}) undone", what, now, db.Actor));
        db.Activities.Add(Entry(merged.Id, ActivityKind.MergeUndone, $"Merge into customer {survivor.Id} undone", what, now, db.Actor));
        merge.UndoneAt = now;
        merge.UndoneBy = db.Actor;
        merge.Version++;
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
    }

    /// <summary>The decided pair opens again; the merged record's other pairs point at it again, or come back if they were removed.</summary>
    private static async Task RestorePairsAsync(AppDbContext db, CustomerMerge merge, DateTime now, CancellationToken ct)
    {
        if (merge.PairId is { } pairId && await db.DuplicatePairs.FirstOrDefaultAsync(p => p.Id == pairId, ct) is { State: DuplicatePairState.Merged } pair)
        {
            pair.State = DuplicatePairState.Open;
            pair.DecidedAt = null;
            pair.DecidedBy = null;
            pair.UpdatedAt = now;
            pair.Version++;
        }
        foreach (var p in MergeValues.Deserialize<List<PairBefore>>(merge.Pairs))
        {
            if (await db.DuplicatePairs.AnyAsync(x => x.CustomerAId == p.CustomerAId && x.CustomerBId == p.CustomerBId, ct)) continue;
            var current = p.Removed ? null : await db.DuplicatePairs.FirstOrDefaultAsync(x => x.Id == p.Id, ct);
            if (current is not null)
            {
                (current.CustomerAId, current.CustomerBId) = (p.CustomerAId, p.CustomerBId);
                current.UpdatedAt = now;
                current.Version++;
                continue;
            }
            if (await db.DuplicatePairs.AnyAsync(x => x.Id == p.Id, ct)) continue;
            db.DuplicatePairs.Add(new DuplicatePair
            {
                Id = p.Id, CustomerAId = p.CustomerAId, CustomerBId = p.CustomerBId, Score = p.Score, Level = p.Level, Reasons = p.Reasons,
                State = p.State, Signature = p.Signature, FoundAt = p.FoundAt, UpdatedAt = now, DecidedAt = p.DecidedAt, DecidedBy = p.DecidedBy,
                Version = 1,
            });
        }
    }
}
