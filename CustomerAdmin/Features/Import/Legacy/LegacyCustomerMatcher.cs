using System.Globalization;
using System.Text;
using CustomerAdmin.Data;
using CustomerAdmin.Features.Customers;
using CustomerAdmin.Features.Tickets;

namespace CustomerAdmin.Features.Import.Legacy;

public enum MatchedBy { LegacyId, Phone, Email, New }

/// <summary>
/// A customer as the matcher knows it: one already in the database (<see cref="Id"/> &gt; 0), or one this import
/// will create (<see cref="Id"/> is 0 until the batch that creates it commits).
/// </summary>
public sealed class CustomerRef
{
    public int Id { get; set; }
    public bool CreatedByImport { get; init; }
    public bool Deleted { get; init; }
    public string Name { get; init; } = "";
    public string NameKey { get; init; } = "";
    public string? Phone { get; init; }
    /// <summary>The customer to insert, for one this import creates, until it is saved.</summary>
    public Customer? Pending { get; set; }
    /// <summary>
    /// For a customer this run created, the first-seen date written so far (its earliest ticket in the batches
    /// written): a later batch with an earlier ticket moves it back.
    /// </summary>
    public DateTime? FirstSeenInRun { get; set; }
    /// <summary>Counted once in "customers matched" or "customers to create".</summary>
    public bool Counted { get; set; }
}

public sealed record MatchResult(CustomerRef? Customer, MatchedBy By, string? Error, IReadOnlyList<string> Conflicts);

/// <summary>
/// Finds the customer a legacy ticket belongs to: by legacy customer id, then by normalised phone, then by
/// normalised email; otherwise the caller creates one and registers it. Also spots the conflicts an admin should
/// look at (one legacy id with two phones, one phone under two names). Memory is bounded by customers, not rows.
/// </summary>
public sealed class LegacyCustomerMatcher
{
    private readonly Dictionary<string, CustomerRef> _byLegacyId = new(StringComparer.Ordinal);
    private readonly Dictionary<string, CustomerRef> _byPhone = new(StringComparer.Ordinal);
    private readonly Dictionary<string, CustomerRef> _byEmail = new(StringComparer.Ordinal);
    private readonly HashSet<string> _reported = new(StringComparer.Ordinal);

    /// <summary>A customer already in the database. Deleted customers are found only by legacy id, to refuse their tickets.</summary>
    public void AddExisting(int id, string name, string? phone, string? email, bool deleted, IEnumerable<string>? legacyIds = null)
    {
        var r = new CustomerRef { Id = id, Name = name, NameKey = NameKey(name), Phone = phone, Deleted = deleted };
        foreach (var legacyId in legacyIds ?? []) _byLegacyId[legacyId] = r;
        if (deleted) return;
        if (!string.IsNullOrEmpty(phone)) _byPhone.TryAdd(phone, r);
        if (!string.IsNullOrEmpty(email)) _byEmail.TryAdd(email.ToLowerInvariant(), r);
    }

    public MatchResult Match(LegacyRow row)
    {
        var conflicts = new List<string>();
        CustomerRef? found;
        MatchedBy by;
        if (_byLegacyId.TryGetValue(row.LegacyCustomerId, out found)) by = MatchedBy.LegacyId;
        else if (row.Phone is not null && _byPhone.TryGetValue(row.Phone, out found)) by = MatchedBy.Phone;
        else if (row.Email is not null && _byEmail.TryGetValue(row.Email, out found)) by = MatchedBy.Email;
        else by = MatchedBy.New;

        if (found is { Deleted: true })
            return new(null, by, $"Legacy customer {row.LegacyCustomerId} was imported as customer #{found.Id} ({found.Name}), "
                + "which has since been deleted. Restore that customer to import this ticket, or remove the row.", conflicts);

        if (found is not null && row.Phone is not null && found.Phone is not null && found.Phone != row.Phone
            && by == MatchedBy.LegacyId && Report($"id\u001f{row.LegacyCustomerId}\u001f{row.Phone}"))
        {
            conflicts.Add($"Legacy customer id {row.LegacyCustomerId} has phone {row.Phone} here but {found.Phone} elsewhere; "
                + $"the ticket goes to {found.Name} (matched by legacy id).");
        }
        // The same name as the owner's, character for character (a customer's every later ticket), needs no NameKey.
        if (row.Phone is not null && _byPhone.TryGetValue(row.Phone, out var phoneOwner) && phoneOwner.Name != row.Name
            && phoneOwner.NameKey != NameKey(row.Name)
            && Report($"phone\u001f{row.Phone}\u001f{NameKey(row.Name)}"))
        {
            conflicts.Add($"Phone {row.Phone} belongs to {phoneOwner.Name} but this row names {row.Name}"
                + (found == phoneOwner ? "; the ticket goes to " + phoneOwner.Name + "." : "."));
        }
        // The rule of every new customer (CustomerRules): a phone or an email; a row with an email only creates one.
        if (found is null && row.Phone is null && row.Email is null)
            return new(null, by, "There is no phone number or email, and no customer matches the legacy id; "
                + "a new customer needs a phone number or an email address.", conflicts);
        return new(found, by, null, conflicts);
    }

    /// <summary>Registers a customer this import will create, so later rows find it.</summary>
    public CustomerRef AddNew(LegacyRow row, Customer pending)
    {
        var r = new CustomerRef
        {
            CreatedByImport = true, Name = row.Name, NameKey = NameKey(row.Name), Phone = row.Phone, Pending = pending,
        };
        if (row.Phone is not null) _byPhone.TryAdd(row.Phone, r);
        if (row.Email is not null) _byEmail.TryAdd(row.Email, r);
        return r;
    }

    /// <summary>Links a legacy id to a customer. True when the link is new (and so is to be written).</summary>
    public bool Link(string legacyId, CustomerRef customer) => _byLegacyId.TryAdd(legacyId, customer);

    /// <summary>Case, accents, spacing and word order do not make two names different.</summary>
    public static string NameKey(string name)
    {
        var decomposed = name.Normalize(NormalizationForm.FormD);
        var sb = new StringBuilder(decomposed.Length);
        foreach (var ch in decomposed)
        {
            if (CharUnicodeInfo.GetUnicodeCategory(ch) == UnicodeCategory.NonSpacingMark) continue;
            sb.Append(char.IsLetterOrDigit(ch) ? char.ToLowerInvariant(ch) : ' ');
        }
        var words = sb.ToString().Split(' ', StringSplitOptions.RemoveEmptyEntries);
        Array.Sort(words, StringComparer.Ordinal);
        return string.Join(' ', words);
    }

    private bool Report(string key) => _reported.Count < 100_000 && _reported.Add(key);
}
