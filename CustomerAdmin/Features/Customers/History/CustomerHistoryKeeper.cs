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
        foreach (var change in diff)
        {
            db.CustomerChanges.Add(new CustomerChange
            {
                CustomerId = customer.Id, Field = change.Field, OldValue = change.OldValue, NewValue = change.NewValue,
                ChangedAt = save.Now, ChangedBy = save.Actor, Reason = save.Reason,
            });
        }
        if (diff.Where(d => ContactFields.Contains(d.Field)).Select(d => d.Field).ToList() is { Count: > 0 } contact)
        {
            db.Activities.Add(new Activity
            {
                CustomerId = customer.Id, Kind = ActivityKind.ContactChanged, Subject = "Contact details changed",
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
