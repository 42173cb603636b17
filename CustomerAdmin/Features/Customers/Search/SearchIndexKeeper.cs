using CustomerAdmin.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;

namespace CustomerAdmin.Features.Customers.Search;

/// <summary>
/// Keeps what a customer is found and sorted by: <see cref="Customer.SortName"/>, <see cref="Customer.CityKey"/> and the
/// <see cref="CustomerSearchToken"/> rows (<see cref="CustomerSearchIndex"/>), on every save that adds a customer or
/// changes a field they are made from.
/// </summary>
public sealed class SearchIndexKeeper : DerivedDataKeeper
{
    public override string Name => "search index";

    public override KeeperWork? Inspect(AppDbContext db, ChangeTracker tracker, SaveInfo save)
    {
        List<Customer>? reindex = null;
        foreach (var entry in tracker.Entries<Customer>())
        {
            var customer = entry.Entity;
            if (entry.State == EntityState.Added)
            {
                PrepareNew(customer);
                customer.SearchTokens = CustomerSearchIndex.TokensFor(customer).ToList();
            }
            else if (entry.State == EntityState.Modified)
            {
                SetSortKeys(customer);
                if (entry.Properties.Any(p => CustomerSearchIndex.AffectsTokens(p.Metadata.Name) && Changed(p)))
                    (reindex ??= []).Add(customer);
            }
        }
        return reindex is null ? null : new Reindex(reindex);
    }

    /// <summary>The bulk path, before the insert: what a first save gives a new customer's row (its sort keys).</summary>
    public static void PrepareNew(Customer customer) => SetSortKeys(customer);

    /// <summary>The columns <see cref="PrepareNew"/> sets: a bulk update of customers writes them too.</summary>
    public static readonly string[] SortKeyColumns = [nameof(Customer.SortName), nameof(Customer.CityKey)];

    private static void SetSortKeys(Customer customer)
    {
        customer.SortName = CustomerSearchIndex.SortNameFor(customer);
        customer.CityKey = CustomerSearchIndex.CityKeyFor(customer.City);
    }

    /// <summary>
    /// The city keys of rows written before the column existed (empty), computed here rather than in the migration's
    /// SQL: <c>lower()</c> folds only ASCII on SQLite and knows no accents on either database, and the key must be
    /// the one a save computes. A batch of rows per statement set, customers of one key updated together. Returns how
    /// many rows it filled (0 once done: the start-up check is then one index probe).
    /// </summary>
    public static async Task<int> FillMissingCityKeysAsync(AppDbContext db, CancellationToken ct)
    {
        const int batch = 2_000;
        if (!await db.Customers.AnyAsync(c => c.CityKey == "", ct)) return 0;
        var filled = 0;
        var after = 0;
        while (true)
        {
            // Along the primary key, onwards from the last id seen. Asking for the unfilled rows in id order made SQLite
            // find them by the city key's index and sort all that were left, for every batch: at 1,000,000 customers the
            // start-up filled 38,000 rows in 8 minutes (2026-12-07, the load benchmark's file).
            var read = await db.Customers.AsNoTracking().Where(c => c.Id > after)
                .OrderBy(c => c.Id).Select(c => new { c.Id, c.City, c.CityKey }).Take(batch).ToListAsync(ct);
            if (read.Count == 0) return filled;
            after = read[^1].Id;
            var rows = read.Where(r => r.CityKey == "").ToList();
            if (rows.Count == 0) continue;
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            foreach (var group in rows.GroupBy(r => CustomerSearchIndex.CityKeyFor(r.City)))
            {
                var ids = group.Select(r => r.Id).ToList();
                // Only rows still unfilled: a save meanwhile computed its own key. Tested by its length: "CityKey = ''"
                // made SQLite walk the city key index's whole empty range (every unfilled row) for each statement,
                // where the ids are a primary key lookup.
                await db.Customers.Where(c => ids.Contains(c.Id) && c.CityKey.Length == 0)
                    .ExecuteUpdateAsync(s => s.SetProperty(c => c.CityKey, group.Key), ct);
            }
            await tx.CommitAsync(ct);
            filled += rows.Count;
        }
    }

    /// <summary>
    /// The bulk path, after the insert: the search tokens of customers inserted without change tracking (the legacy
    /// import), as the save would have written them. In the order of the token key: each index page is then filled in
    /// one go instead of being visited (and, past the page cache, read again) once per token.
    /// </summary>
    public static async Task AddNewAsync(AppDbContext db, IEnumerable<Customer> inserted, CancellationToken ct)
    {
        await InsertTokensAsync(db, inserted, ct);
    }

    /// <summary>
    /// The bulk path for customers changed without change tracking (the customer import's matched customers), after
    /// their update: the tokens of those whose changed fields make tokens are replaced, as the save replaces them. Their
    /// sort name is set by <see cref="PrepareNew"/> before the update, as for a new customer.
    /// </summary>
    public static async Task ReplaceChangedAsync(AppDbContext db, IEnumerable<(Customer Customer, IEnumerable<string> Fields)> changed, CancellationToken ct)
    {
        var reindex = changed.Where(c => c.Fields.Any(CustomerSearchIndex.AffectsTokens)).Select(c => c.Customer).ToList();
        foreach (var chunk in reindex.Chunk(10_000))
        {
            var ids = chunk.Select(c => c.Id).ToList();
            // One array parameter, not one per id.
            await db.CustomerSearchTokens.Where(t => EF.Parameter(ids).Contains(t.CustomerId)).ExecuteDeleteAsync(ct);
        }
        await InsertTokensAsync(db, reindex, ct);
    }

    private static async Task InsertTokensAsync(AppDbContext db, IEnumerable<Customer> inserted, CancellationToken ct)
    {
        var tokens = new List<CustomerSearchToken>();
        foreach (var customer in inserted)
        {
            foreach (var token in CustomerSearchIndex.TokensFor(customer))
            {
                token.CustomerId = customer.Id;
                tokens.Add(token);
            }
        }
        await using var inserter = new RowInserter<CustomerSearchToken>(db);
        foreach (var token in tokens.OrderBy(t => t.Kind).ThenBy(t => t.Token, StringComparer.Ordinal).ThenBy(t => t.CustomerId))
            await inserter.AddAsync(token, ct);
        await inserter.FlushAsync(ct);
    }

    private static bool Changed(PropertyEntry p) => !Equals(Blank(p.OriginalValue), Blank(p.CurrentValue));

    private static object? Blank(object? value) => value is string { Length: 0 } ? null : value;

    /// <summary>An existing customer's tokens are replaced: the old rows deleted, the new ones written by the save.</summary>
    private sealed class Reindex(List<Customer> customers) : KeeperWork
    {
        public override async Task BeforeWriteAsync(AppDbContext db, CancellationToken ct)
        {
            var ids = customers.Select(c => c.Id).ToList();
            foreach (var tracked in db.ChangeTracker.Entries<CustomerSearchToken>().Where(t => ids.Contains(t.Entity.CustomerId)).ToList())
                tracked.State = EntityState.Detached;
            await db.CustomerSearchTokens.Where(t => ids.Contains(t.CustomerId)).ExecuteDeleteAsync(ct);
            foreach (var customer in customers)
                customer.SearchTokens = CustomerSearchIndex.TokensFor(customer).ToList();
        }
    }
}
