using CustomerAdmin.Data;
using CustomerAdmin.Features.Duplicates.Matching;
using CustomerAdmin.Features.Duplicates.Scanning;
using Microsoft.EntityFrameworkCore;

namespace CustomerAdmin.Features.Import.Customers;

public sealed partial class CustomerImporter
{
    /// <summary>A customer this run created (or, in a dry run, would create): later rows of the file match it too.</summary>
    private sealed class FileCustomer(Customer customer)
    {
        public Customer Customer => customer;
    }

    /// <summary>
    /// The customers the file has created so far, by the keys rows are matched on. A real run forgets them when their
    /// batch commits (later batches find them in the database); a dry run, which writes none, keeps them all.
    /// </summary>
    private sealed class FileIndex
    {
        public Dictionary<string, FileCustomer> ByReference { get; } = new(StringComparer.Ordinal);
        public Dictionary<string, FileCustomer> ByPhone { get; } = new(StringComparer.Ordinal);
        public Dictionary<string, FileCustomer> ByEmail { get; } = new(StringComparer.Ordinal);

        public void Add(FileCustomer c, string? reference)
        {
            if (reference is not null) ByReference.TryAdd(reference, c);
            if (c.Customer.PrimaryPhone.Length > 0) ByPhone.TryAdd(c.Customer.PrimaryPhone, c);
            if (c.Customer.Email is { } email) ByEmail.TryAdd(email, c);
        }

        public void Clear()
        {
            ByReference.Clear();
            ByPhone.Clear();
            ByEmail.Clear();
        }
    }

    /// <summary>The stored customers a batch's rows may match, read with one query per key kind.</summary>
    private sealed class BatchLookup
    {
        public Dictionary<int, Customer> Customers { get; } = [];
        public Dictionary<string, int> ByReference { get; } = new(StringComparer.Ordinal);
        /// <summary>References of this source that belong to a deleted customer.</summary>
        public Dictionary<string, int> GoneReferences { get; } = new(StringComparer.Ordinal);
        public Dictionary<string, int> ByPhone { get; } = new(StringComparer.Ordinal);
        public Dictionary<string, List<int>> ByEmail { get; } = new(StringComparer.Ordinal);
    }

    private sealed record RowMatch(FileCustomer? InFile, Customer? Existing, string By, string? Uncertain = null, string? Refusal = null);

    private static async Task<BatchLookup> LookUpAsync(AppDbContext db, List<ImportedCustomerRow> rows, string source, CancellationToken ct)
    {
        var lookup = new BatchLookup();
        var usable = rows.Where(r => r.CanImport).ToList();
        var references = usable.Select(r => r.ExternalReference).OfType<string>().Distinct().ToList();
        var phoneList = usable.Select(r => r.Customer.PrimaryPhone).Where(p => p.Length > 0).Distinct().ToList();
        var emails = usable.Select(r => r.Customer.Email).OfType<string>().Distinct().ToList();
        var customers = db.Customers.AsNoTracking();
        var linked = new Dictionary<string, int>(StringComparer.Ordinal);
        if (references.Count > 0)
        {
            // One array parameter, not one per value (see the legacy import): a batch has thousands.
            foreach (var l in await db.LegacyCustomerLinks.AsNoTracking().Where(l => l.Source == source && EF.Parameter(references).Contains(l.LegacyId))
                .Select(l => new { l.LegacyId, l.CustomerId }).ToListAsync(ct))
                linked[l.LegacyId] = l.CustomerId;
        }
        var ids = linked.Values.Distinct().ToList();
        // One query per key, each on its own index: SQLite reads the whole table for an OR of the three. The phone
        // query repeats the partial unique index's filter (live, with a phone), or SQLite cannot use that index.
        var found = new List<Customer>();
        if (ids.Count > 0) found.AddRange(await customers.Where(c => EF.Parameter(ids).Contains(c.Id)).ToListAsync(ct));
        if (phoneList.Count > 0)
            found.AddRange(await customers.Live().Where(c => c.PrimaryPhone != "" && EF.Parameter(phoneList).Contains(c.PrimaryPhone)).ToListAsync(ct));
        if (emails.Count > 0) found.AddRange(await customers.Where(c => c.Email != null && EF.Parameter(emails).Contains(c.Email)).ToListAsync(ct));
        // A customer found by two keys is one object.
        foreach (var c in found) lookup.Customers.TryAdd(c.Id, c);
        found = lookup.Customers.Values.ToList();
        foreach (var (reference, id) in linked)
        {
            if (lookup.Customers.TryGetValue(id, out var c) && !c.Status.IsGone()) lookup.ByReference[reference] = id;
            else lookup.GoneReferences[reference] = id;
        }
        foreach (var c in found.Where(c => !c.Status.IsGone()))
        {
            if (c.PrimaryPhone.Length > 0) lookup.ByPhone[c.PrimaryPhone] = c.Id;
            if (c.Email is { } email)
            {
                if (!lookup.ByEmail.TryGetValue(email, out var list)) lookup.ByEmail[email] = list = [];
                list.Add(c.Id);
            }
        }
        return lookup;
    }

    /// <summary>
    /// The stored customers each row that no key finds may duplicate, scored as the duplicate checks score a changed
    /// customer (its blocking keys, the customers sharing one, the last scan's model), for the whole batch at once.
    /// </summary>
    private static async Task<Dictionary<ImportedCustomerRow, List<ScoredPair>>> CandidatesAsync(AppDbContext db, List<ImportedCustomerRow> rows,
        BatchLookup lookup, CancellationToken ct)
    {
        var candidates = new Dictionary<ImportedCustomerRow, List<ScoredPair>>(ReferenceEqualityComparer.Instance);
        var subjects = new List<MatchProfile>();
        var rowOf = new Dictionary<int, ImportedCustomerRow>();
        foreach (var row in rows)
        {
            var c = row.Customer;
            if (!row.CanImport || (row.ExternalReference is { } r && lookup.ByReference.ContainsKey(r))
                || (c.PrimaryPhone.Length > 0 && lookup.ByPhone.ContainsKey(c.PrimaryPhone)) || (c.Email is { } e && lookup.ByEmail.ContainsKey(e)))
                continue;
            // Stand-in ids below zero: never a stored customer's.
            var draft = c.Copy();
            draft.Id = -(subjects.Count + 1);
            subjects.Add(MatchProfile.For(MatchRecord.From(draft)));
            rowOf[draft.Id] = row;
        }
        if (subjects.Count == 0) return candidates;
        var model = await MatchModels.CurrentAsync(db, ct);
        var keysOf = subjects.ToDictionary(p => p.Id, MatchKeys.For);
        foreach (var pair in await DuplicateChecks.ScoreAsync(db, subjects, keysOf, model, 5, ct))
        {
            if (!rowOf.TryGetValue(pair.AId, out var row) || pair.BId <= 0) continue;
            if (!candidates.TryGetValue(row, out var list)) candidates[row] = list = [];
            list.Add(pair);
        }
        return candidates;
    }

    private static async Task<RowMatch?> MatchAsync(AppDbContext db, ImportedCustomerRow row, FileIndex index, BatchLookup lookup,
        IReadOnlyList<ScoredPair>? candidates, CancellationToken ct)
    {
        var c = row.Customer;
        if (row.ExternalReference is { } reference)
        {
            if (index.ByReference.TryGetValue(reference, out var inFile)) return new(inFile, null, "external reference");
            if (lookup.ByReference.TryGetValue(reference, out var id)) return new(null, lookup.Customers[id], "external reference");
            if (lookup.GoneReferences.TryGetValue(reference, out var gone))
                return new(null, null, "", Refusal: $"The external reference {reference} belongs to customer #{gone}, which has been deleted or merged: restore it, or remove the row.");
        }
        if (c.PrimaryPhone.Length > 0)
        {
            if (index.ByPhone.TryGetValue(c.PrimaryPhone, out var inFile)) return new(inFile, null, "phone");
            if (lookup.ByPhone.TryGetValue(c.PrimaryPhone, out var id)) return new(null, lookup.Customers[id], "phone");
        }
        if (c.Email is { } email)
        {
            if (index.ByEmail.TryGetValue(email, out var inFile)) return new(inFile, null, "email");
            if (lookup.ByEmail.TryGetValue(email, out var ids))
            {
                if (ids.Count == 1) return new(null, lookup.Customers[ids[0]], "email");
                return new(null, null, "", Uncertain: $"The email matches {ids.Count} customers ({string.Join(", ", ids.Order().Take(5).Select(i => "#" + i))})");
            }
        }
        if (candidates is not { Count: > 0 }) return null;
        var likely = candidates.Where(p => p.Level == DuplicateLevel.Likely).ToList();
        if (likely.Count == 1)
        {
            var existing = lookup.Customers.GetValueOrDefault(likely[0].BId) ?? await db.Customers.FirstAsync(x => x.Id == likely[0].BId, ct);
            lookup.Customers[existing.Id] = existing;
            return new(null, existing, $"likely duplicate ({likely[0].Reasons})");
        }
        if (likely.Count > 1)
            return new(null, null, "", Uncertain: $"{likely.Count} customers are likely the same ({string.Join(", ", likely.Select(p => "#" + p.BId))})");
        return new(null, null, "", Uncertain: $"Possibly the same as {string.Join(", ", candidates.OrderByDescending(p => p.Score).Select(p => $"#{p.BId} ({p.Reasons})"))}");
    }
}
