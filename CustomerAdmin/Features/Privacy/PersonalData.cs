using System.Linq.Expressions;
using System.Reflection;
using CustomerAdmin.Data;
using CustomerAdmin.Features.Duplicates.Merging;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;

namespace CustomerAdmin.Features.Privacy;

/// <summary>What an erasure does with a table's rows of the customer.</summary>
public enum ErasureHandling
{
    /// <summary>The customer record itself: personal values replaced, the record stays as "Erased customer #N".</summary>
    Customer,
    /// <summary>Free text and contact values replaced; the row with its amounts, dates, statuses and counts stays.</summary>
    Scrub,
    /// <summary>The rows go (links, match keys, review pairs, documents and their files).</summary>
    Delete,
    /// <summary>Kept by a keeper from the customer record (search tokens): rebuilt from the anonymous values by the erasure's save.</summary>
    Derived,
    /// <summary>Holds no personal value and stays: sales (amounts and dates), the erasure log.</summary>
    Keep,
}

/// <summary>
/// Every table that holds rows of a customer, found from the EF model (a foreign key to <see cref="Customer"/>, or a
/// <c>CustomerId</c> column without one, as the import report and the erasure log have), and what the subject access
/// export and the erasure do with it. The export writes every table listed here; the erasure refuses to run while a
/// customer-keyed table is missing here, and <c>PersonalDataTests</c> fails, so a new kind of customer row can be
/// neither forgotten in an export nor left behind by an erasure.
/// </summary>
public static class PersonalData
{
    public static IReadOnlyDictionary<Type, ErasureHandling> Tables { get; } = new Dictionary<Type, ErasureHandling>
    {
        [typeof(Customer)] = ErasureHandling.Customer,
        [typeof(CustomerChange)] = ErasureHandling.Scrub,
        [typeof(CustomerSearchToken)] = ErasureHandling.Derived,
        [typeof(Ticket)] = ErasureHandling.Scrub,
        [typeof(Equipment)] = ErasureHandling.Scrub,
        [typeof(Sale)] = ErasureHandling.Keep,
        [typeof(Booking)] = ErasureHandling.Scrub,
        [typeof(SmsMessage)] = ErasureHandling.Scrub,
        [typeof(Activity)] = ErasureHandling.Scrub,
        [typeof(CustomerDocument)] = ErasureHandling.Delete,
        [typeof(LegacyCustomerLink)] = ErasureHandling.Delete,
        [typeof(CustomerMatchKey)] = ErasureHandling.Delete,
        [typeof(DuplicateCheckRequest)] = ErasureHandling.Delete,
        [typeof(DuplicatePair)] = ErasureHandling.Delete,
        [typeof(CustomerMerge)] = ErasureHandling.Scrub,
        [typeof(ImportReportRow)] = ErasureHandling.Scrub,
        [typeof(CustomerErasure)] = ErasureHandling.Keep,
        // Which purpose was given or withdrawn, when and how: no personal value, and the proof of what was agreed.
        [typeof(ConsentRecord)] = ErasureHandling.Keep,
        // Who viewed or exported the record, when: the audit trail outlives the person's data.
        [typeof(AccessLogEntry)] = ErasureHandling.Keep,
    };

    /// <summary>
    /// Each table with a customer key and its customer columns: the foreign keys to <see cref="Customer"/> (one table may
    /// have two, as a review pair or a merge does) and integer columns named <c>CustomerId</c> that have no key.
    /// </summary>
    public static List<(IEntityType Entity, IReadOnlyList<IProperty> Columns)> CustomerKeyed(IModel model)
    {
        var byEntity = new Dictionary<IEntityType, List<IProperty>>();
        foreach (var (entity, key) in CustomerKeyedTables.ForeignKeys(model))
            Columns(entity).Add(key.Properties.Single());
        foreach (var entity in model.GetEntityTypes().Where(e => e.ClrType != typeof(Customer)))
            if (entity.FindProperty(nameof(CustomerDocument.CustomerId)) is { } column
                && (column.ClrType == typeof(int) || column.ClrType == typeof(int?)) && !Columns(entity).Contains(column))
                Columns(entity).Add(column);
        return byEntity.Where(x => x.Value.Count > 0).Select(x => (Entity: x.Key, Columns: (IReadOnlyList<IProperty>)x.Value)).ToList();

        List<IProperty> Columns(IEntityType entity) =>
            byEntity.TryGetValue(entity, out var list) ? list : byEntity[entity] = [];
    }

    /// <summary>The customer-keyed tables, each checked to be in <see cref="Tables"/>; throws naming one that is not.</summary>
    public static List<(IEntityType Entity, IReadOnlyList<IProperty> Columns, ErasureHandling Handling)> Checked(IModel model) =>
        CustomerKeyed(model).Select(x => Tables.TryGetValue(x.Entity.ClrType, out var handling)
                ? (Entity: x.Entity, Columns: x.Columns, Handling: handling)
                : throw new InvalidOperationException(
                    $"{x.Entity.ClrType.Name} holds rows of a customer, but the privacy export and erasure do not know it: add it to {nameof(PersonalData)}.{nameof(Tables)}."))
            .ToList();

    /// <summary>The rows of <typeparamref name="T"/> whose customer columns hold one of <paramref name="ids"/>.</summary>
    public static IQueryable<T> RowsOf<T>(AppDbContext db, IReadOnlyList<IProperty> columns, IReadOnlyCollection<int> ids) where T : class
    {
        var row = Expression.Parameter(typeof(T), "row");
        Expression? any = null;
        foreach (var column in columns)
            foreach (var id in ids)
            {
                var value = Expression.Call(typeof(EF), nameof(EF.Property), [column.ClrType], row, Expression.Constant(column.Name));
                var test = Expression.Equal(value, Expression.Constant(id, column.ClrType));
                any = any is null ? test : Expression.OrElse(any, test);
            }
        return db.Set<T>().Where(Expression.Lambda<Func<T, bool>>(any ?? Expression.Constant(false), row));
    }

    /// <summary><see cref="RowsOf{T}"/> for a type known at run time, read without tracking.</summary>
    public static async Task<List<object>> ListAsync(AppDbContext db, IEntityType entity, IReadOnlyList<IProperty> columns,
        IReadOnlyCollection<int> ids, CancellationToken ct)
    {
        var method = typeof(PersonalData).GetMethod(nameof(ListTypedAsync), BindingFlags.NonPublic | BindingFlags.Static)!
            .MakeGenericMethod(entity.ClrType);
        return await (Task<List<object>>)method.Invoke(null, [db, columns, ids, ct])!;
    }

    private static async Task<List<object>> ListTypedAsync<T>(AppDbContext db, IReadOnlyList<IProperty> columns,
        IReadOnlyCollection<int> ids, CancellationToken ct) where T : class =>
        (await RowsOf<T>(db, columns, ids).AsNoTracking().ToListAsync(ct)).Cast<object>().ToList();

    /// <summary>Deletes the rows of a type known at run time whose customer columns hold one of <paramref name="ids"/>.</summary>
    public static async Task<int> DeleteAsync(AppDbContext db, IEntityType entity, IReadOnlyList<IProperty> columns,
        IReadOnlyCollection<int> ids, CancellationToken ct)
    {
        var method = typeof(PersonalData).GetMethod(nameof(DeleteTypedAsync), BindingFlags.NonPublic | BindingFlags.Static)!
            .MakeGenericMethod(entity.ClrType);
        return await (Task<int>)method.Invoke(null, [db, columns, ids, ct])!;
    }

    private static Task<int> DeleteTypedAsync<T>(AppDbContext db, IReadOnlyList<IProperty> columns, IReadOnlyCollection<int> ids,
        CancellationToken ct) where T : class =>
        RowsOf<T>(db, columns, ids).ExecuteDeleteAsync(ct);

    /// <summary>
    /// The customer and every record merged into it (following chains: A into B, B into C), the survivor first: one
    /// person's records, which an export shows and an erasure erases together.
    /// </summary>
    public static async Task<List<int>> RecordsAsync(AppDbContext db, int survivorId, CancellationToken ct)
    {
        var ids = new List<int> { survivorId };
        var frontier = new List<int> { survivorId };
        while (frontier.Count > 0 && ids.Count < 1000)
        {
            var next = await db.Customers.AsNoTracking()
                .Where(c => c.Status == CustomerStatus.Merged && c.MergedIntoId != null && frontier.Contains(c.MergedIntoId.Value))
                .Select(c => c.Id).ToListAsync(ct);
            frontier = next.Except(ids).ToList();
            ids.AddRange(frontier);
        }
        return ids;
    }

    /// <summary>The scalar values of a row as the model maps them, in the model's order.</summary>
    public static IEnumerable<(string Name, object? Value)> Values(IEntityType entity, object row) =>
        entity.GetProperties().Where(p => p.PropertyInfo is not null || p.FieldInfo is not null)
            .Select(p => (p.Name, p.PropertyInfo is { } info ? info.GetValue(row) : p.FieldInfo!.GetValue(row)));
}
