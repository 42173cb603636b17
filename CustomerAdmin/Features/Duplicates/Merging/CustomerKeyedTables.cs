using CustomerAdmin.Data;
using Microsoft.EntityFrameworkCore.Metadata;

namespace CustomerAdmin.Features.Duplicates.Merging;

/// <summary>What a merge does with the rows of one table that point at a customer.</summary>
public enum MergeHandling
{
    /// <summary>The rows move to the survivor (and back on undo): tickets, sales, bookings, SMS, timeline, documents…</summary>
    Move,
    /// <summary>Each record keeps its own rows (field history), or a keeper rebuilds them (search tokens).</summary>
    Stays,
    /// <summary>The merge handles them itself: the review-queue pairs and the merge records.</summary>
    Special,
}

/// <summary>
/// Every table with a foreign key to a customer, found from the EF model, and what a merge does with it. A table added
/// later that points at customers and is not listed here stops every merge with a message naming it (and
/// <c>CustomerKeyedTablesTests</c> fails), so a new kind of row is never left behind on the merged record.
/// </summary>
public static class CustomerKeyedTables
{
    public static IReadOnlyDictionary<Type, MergeHandling> Handling { get; } = new Dictionary<Type, MergeHandling>
    {
        [typeof(Ticket)] = MergeHandling.Move,
        [typeof(Equipment)] = MergeHandling.Move,
        [typeof(Sale)] = MergeHandling.Move,
        // Bookings of an event both records have are made one first (see MergeOperations); the rest move.
        [typeof(Booking)] = MergeHandling.Move,
        [typeof(SmsMessage)] = MergeHandling.Move,
        [typeof(Activity)] = MergeHandling.Move,
        [typeof(CustomerDocument)] = MergeHandling.Move,
        [typeof(LegacyCustomerLink)] = MergeHandling.Move,
        [typeof(CustomerChange)] = MergeHandling.Stays,
        [typeof(CustomerSearchToken)] = MergeHandling.Stays,
        // The duplicate check's blocking keys: the matching keeper drops a merged record's and re-keys the survivor.
        [typeof(CustomerMatchKey)] = MergeHandling.Stays,
        // A queued check of a merged record finds it no longer matchable and does nothing.
        [typeof(DuplicateCheckRequest)] = MergeHandling.Stays,
        // Each record's consent log is what that record was told and answered; the merge records the survivor's outcome.
        [typeof(ConsentRecord)] = MergeHandling.Stays,
        [typeof(DuplicatePair)] = MergeHandling.Special,
        [typeof(CustomerMerge)] = MergeHandling.Special,
    };

    /// <summary>Each foreign key to <see cref="Customer"/> in the model, with the entity that holds it.</summary>
    public static IEnumerable<(IEntityType Entity, IForeignKey Key)> ForeignKeys(IModel model) =>
        model.GetEntityTypes()
            .SelectMany(e => e.GetForeignKeys().Select(k => (Entity: e, Key: k)))
            .Where(x => x.Key.PrincipalEntityType.ClrType == typeof(Customer));

    /// <summary>The tables whose rows move, each with its customer column; throws for a table nobody decided about.</summary>
    public static List<(IEntityType Entity, IProperty Column)> Moving(IModel model)
    {
        var moving = new List<(IEntityType, IProperty)>();
        foreach (var (entity, key) in ForeignKeys(model))
        {
            if (!Handling.TryGetValue(entity.ClrType, out var handling))
                throw new InvalidOperationException(
                    $"{entity.ClrType.Name} points at a customer, but the merge does not know whether its rows move: add it to {nameof(CustomerKeyedTables)}.");
            if (handling == MergeHandling.Move) moving.Add((entity, key.Properties.Single()));
        }
        return moving;
    }
}
