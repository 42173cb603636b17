using CustomerAdmin.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;

namespace CustomerAdmin.Features.Customers.History;

/// <summary>
/// Keeps a customer's audit stamps, version and field history (<see cref="CustomerChange"/> rows) on every save, and
/// puts a "contact details changed" entry on the timeline, so no page or import can change a customer unseen.
/// </summary>
public sealed class CustomerHistoryKeeper : DerivedDataKeeper
{
    public override string Name => "customer history";

    public override KeeperWork? Inspect(AppDbContext db, ChangeTracker tracker, SaveInfo save)
    {
        foreach (var entry in tracker.Entries<Customer>())
        {
            if (entry.State == EntityState.Added) StampNew(entry.Entity, save.Now, save.Actor);
            else if (entry.State == EntityState.Modified) StampChanged(db, entry, save);
        }
        return null;
    }

    /// <summary>
    /// What a new customer gets on its first save: audit stamps, version 1 and the "(created)" history row (written by
    /// <see cref="AddNewAsync"/> on the bulk path). Public for bulk writers (the legacy import) that insert without
    /// change tracking.
    /// </summary>
    public static void StampNew(Customer customer, DateTime now, string actor)
    {
        customer.CreatedAt = customer.CreatedAt == default ? now : customer.CreatedAt;
        customer.UpdatedAt = customer.CreatedAt;
        // A source's own date (an import's) is kept; otherwise the customer is first seen now.
        if (customer.FirstSeenAt == default) customer.FirstSeenAt = customer.CreatedAt;
        customer.CreatedBy ??= actor;
        customer.UpdatedBy ??= actor;
        customer.Version = 1;
        customer.Changes.Add(new CustomerChange
        {
            Field = CustomerChange.CreatedField, ChangedAt = customer.CreatedAt, ChangedBy = customer.CreatedBy,
        });
    }

    /// <summary>
    /// The bulk path's second half, after <see cref="StampNew"/> and the customers' insert: writes the history rows of
    /// customers inserted without change tracking (the legacy import), as the save would have written them.
    /// </summary>
    public static async Task AddNewAsync(AppDbContext db, IEnumerable<Customer> inserted, CancellationToken ct)
    {
        await using var changes = new RowInserter<CustomerChange>(db);
        foreach (var customer in inserted)
        {
            foreach (var change in customer.Changes)
            {
                change.CustomerId = customer.Id;
                await changes.AddAsync(change, ct);
            }
        }
        await changes.FlushAsync(ct);
    }

    private static void StampChanged(AppDbContext db, EntityEntry<Customer> entry, SaveInfo save)
    {
        var customer = entry.Entity;
        var before = (Customer)entry.OriginalValues.ToObject();
        var diff = CustomerHistory.Diff(before, customer);
        // Nothing the user can see changed (and no statistic moved): no version bump, no history.
        if (diff.Count == 0 && !entry.Properties.Any(p => p.IsModified && CustomerHistory.IsStatistic(p.Metadata.Name)))
            return;

        customer.UpdatedAt = save.Now;
        customer.UpdatedBy = save.Actor;
        entry.Property(c => c.Version).CurrentValue = before.Version + 1;
        Record(customer.Id, diff, save, c => db.CustomerChanges.Add(c), a => db.Activities.Add(a));
    }

    /// <summary>
    /// The bulk path for customers changed without change tracking (the customer import's matched customers): what a
    /// save gives a changed customer, from <paramref name="before"/> (the row as read) and <paramref name="customer"/>
    /// (as it will be written): audit stamps and the next version on <paramref name="customer"/>, and its history rows
    /// and "contact details changed" entry added to <paramref name="changed"/> for <see cref="AddChangedAsync"/>. Returns
    /// the fields that changed (none: nothing stamped, nothing to write).
    /// </summary>
    public static List<FieldChange> StampChanged(Customer before, Customer customer, SaveInfo save, ChangedRows changed)
    {
        var diff = CustomerHistory.Diff(before, customer);
        if (diff.Count == 0) return diff;
        customer.UpdatedAt = save.Now;
        customer.UpdatedBy = save.Actor;
        customer.Version = before.Version + 1;
        Record(customer.Id, diff, save, changed.Changes.Add, changed.Entries.Add);
        return diff;
    }

    /// <summary>The bulk path's second half, after the customers' update: writes what <see cref="StampChanged(Customer, Customer, SaveInfo, ChangedRows)"/> collected.</summary>
    public static async Task AddChangedAsync(AppDbContext db, ChangedRows changed, CancellationToken ct)
    {
        await using (var changes = new RowInserter<CustomerChange>(db))
        {
            foreach (var change in changed.Changes) await changes.AddAsync(change, ct);
            await changes.FlushAsync(ct);
        }
        await using var entries = new RowInserter<Activity>(db);
        foreach (var entry in changed.Entries) await entries.AddAsync(entry, ct);
        await entries.FlushAsync(ct);
    }

    /// <summary>History rows and timeline entries of customers changed on the bulk path, until they are written.</summary>
    public sealed class ChangedRows
    {
        public List<CustomerChange> Changes { get; } = [];
        public List<Activity> Entries { get; } = [];
    }

    /// <summary>A change's history rows, and its timeline entry when contact details moved: the same for a save and the bulk path.</summary>
    private static void Record(int customerId, List<FieldChange> diff, SaveInfo save, Action<CustomerChange> addChange, Action<Activity> addEntry)
    {
        foreach (var change in diff)
        {
            addChange(new CustomerChange
            {
                CustomerId = customerId, Field = change.Field, OldValue = change.OldValue, NewValue = change.NewValue,
                ChangedAt = save.Now, ChangedBy = save.Actor, Reason = save.Reason,
            });
        }
        if (diff.Where(d => ContactFields.Contains(d.Field)).Select(d => d.Field).ToList() is { Count: > 0 } contact)
        {
            addEntry(new Activity
            {
                CustomerId = customerId, Kind = ActivityKind.ContactChanged, Subject = "Contact details changed",
                Body = string.Join(", ", contact.Select(ContactLabel).Distinct()), OccurredAt = save.Now, CreatedAt = save.Now,
                CreatedBy = save.Actor,
            });
        }
    }

    private static readonly HashSet<string> ContactFields =
    [
        nameof(Customer.PrimaryPhone), nameof(Customer.SecondaryPhone), nameof(Customer.WhatsAppPhone), nameof(Customer.Email),
        nameof(Customer.AddressLine1), nameof(Customer.AddressLine2), nameof(Customer.City), nameof(Customer.State),
        nameof(Customer.PostalCode), nameof(Customer.Country),
    ];

    private static string ContactLabel(string field) => field switch
    {
        nameof(Customer.PrimaryPhone) => "phone",
        nameof(Customer.SecondaryPhone) => "second phone",
        nameof(Customer.WhatsAppPhone) => "WhatsApp",
        nameof(Customer.Email) => "email",
        nameof(Customer.AddressLine1) or nameof(Customer.AddressLine2) => "address",
        nameof(Customer.PostalCode) => "postal code",
        _ => field.ToLowerInvariant(),
    };
}
