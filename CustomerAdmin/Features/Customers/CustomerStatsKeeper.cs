using System.Linq.Expressions;
using CustomerAdmin.Common;
using CustomerAdmin.Data;
using CustomerAdmin.Data.Sql;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Query;

namespace CustomerAdmin.Features.Customers;

/// <summary>
/// Keeps each customer's <see cref="Customer.TotalSpent"/> (closed tickets' final amounts plus sales totals),
/// <see cref="Customer.VisitCount"/> (closed tickets plus sales) and <see cref="Customer.LastVisitAt"/> (the latest of
/// those) on every save that adds, deletes or changes what they count: after the rows are written, the affected
/// customers are recounted from the database by <see cref="RecountAsync"/>, the same statement the bulk writers (the
/// legacy import and its undo) call after writing their rows.
/// </summary>
public sealed class CustomerStatsKeeper : DerivedDataKeeper
{
    public override string Name => "customer statistics";

    public override KeeperWork? Inspect(AppDbContext db, ChangeTracker tracker, SaveInfo save)
    {
        Recount? work = null;
        foreach (var e in tracker.Entries())
        {
            switch (e.Entity)
            {
                case Ticket t when e.State == EntityState.Added && t.Status != TicketStatus.Closed:
                    // A ticket opened (or added cancelled) counts in none of the statistics: no recount, no lock.
                    break;
                case Ticket t when Moves(e, nameof(Ticket.CustomerId), nameof(Ticket.Status), nameof(Ticket.FinalAmount), nameof(Ticket.ClosedAt)):
                    (work ??= new(tracker, save)).Add(e, () => t.CustomerId);
                    break;
                case Sale s when Moves(e, nameof(Sale.CustomerId), nameof(Sale.SoldAt), nameof(Sale.Total)):
                    (work ??= new(tracker, save)).Add(e, () => s.CustomerId);
                    break;
            }
        }
        return work;
    }

    private static bool Moves(EntityEntry e, params string[] properties) => e.State switch
    {
        EntityState.Added or EntityState.Deleted => true,
        EntityState.Modified => properties.Any(p => e.Property(p).IsModified),
        _ => false,
    };

    private sealed class Recount : KeeperWork
    {
        private readonly HashSet<int> _before = [];
        private readonly List<Func<int>> _after = [];
        private readonly List<Customer> _created;
        private readonly SaveInfo _save;

        public Recount(ChangeTracker tracker, SaveInfo save)
        {
            _save = save;
            // Their ids are only known after the write; a customer created by this save gets its statistics without a
            // second version, as its creation stamps it already.
            _created = tracker.Entries<Customer>().Where(c => c.State == EntityState.Added).Select(c => c.Entity).ToList();
        }

        public void Add(EntityEntry e, Func<int> customerAfter)
        {
            // A row moved to another customer (a merge) leaves the first one's statistics too.
            if (e.State != EntityState.Added && e.Property(nameof(Ticket.CustomerId)).OriginalValue is int original) _before.Add(original);
            _after.Add(customerAfter);
        }

        public override async Task AfterWriteAsync(AppDbContext db, CancellationToken ct)
        {
            var created = _created.Select(c => c.Id).ToHashSet();
            var ids = _before.Concat(_after.Select(id => id())).Where(id => id > 0).Distinct().ToList();
            await RecountAsync(db, ids.Where(id => !created.Contains(id)).ToList(), _save, ct);
            await RecountAsync(db, ids.Where(created.Contains).ToList(), null, ct);
        }
    }

    /// <summary>
    /// Sets these customers' statistics to what their tickets and sales in the database say now, in one statement for
    /// all of them, writing only those that differ. Call inside the transaction that wrote the rows, after writing them.
    /// With <paramref name="stamp"/>, a customer whose statistics move gets a new version and update stamp, as any change
    /// to a customer does, so an edit form opened before sees the conflict; without it (customers created in the same
    /// transaction, whose creation is their stamp) only the statistics are written. A customer the context tracks is
    /// given the written values.
    /// </summary>
    public static async Task RecountAsync(AppDbContext db, IReadOnlyCollection<int> customerIds, SaveInfo? stamp, CancellationToken ct = default)
    {
        if (customerIds.Count == 0) return;
        if (db.Database.CurrentTransaction is null)
            throw new InvalidOperationException("Recount customer statistics inside the transaction that wrote the rows they count.");
        var ids = customerIds.Distinct().Order().ToArray();
        // A single UPDATE is not enough under READ COMMITTED: one waiting for another transaction's lock on the customer
        // re-reads the customer's row once it commits, but not that transaction's tickets and sales, and would write
        // statistics without them. Locked first, the UPDATE below is a new statement that sees them.
        await db.Sql().LockRowsAsync<Customer>(db, ids, RowLock.Values, ct);

        var customer = Expression.Parameter(typeof(Customer), "c");
        var spent = Counted(customer, c => db.Tickets.Where(t => t.CustomerId == c.Id && t.Status == TicketStatus.Closed).Sum(t => t.FinalAmount ?? 0m)
            + db.Sales.Where(s => s.CustomerId == c.Id).Sum(s => s.Total));
        var visits = Counted(customer, c => db.Tickets.Count(t => t.CustomerId == c.Id && t.Status == TicketStatus.Closed)
            + db.Sales.Count(s => s.CustomerId == c.Id));
        var last = Counted(customer, c => db.Tickets.Where(t => t.CustomerId == c.Id && t.Status == TicketStatus.Closed).Select(t => t.ClosedAt)
            .Concat(db.Sales.Where(s => s.CustomerId == c.Id).Select(s => (DateTime?)s.SoldAt)).Max());
        var differs = Expression.Lambda<Func<Customer, bool>>(Expression.OrElse(
            Expression.OrElse(Differs(customer, nameof(Customer.TotalSpent), spent), Differs(customer, nameof(Customer.VisitCount), visits)),
            Differs(customer, nameof(Customer.LastVisitAt), last)), customer);

        var written = await db.Customers.Where(c => EF.Parameter(ids).Contains(c.Id)).Where(differs).ExecuteUpdateAsync(s =>
        {
            s.SetProperty(c => c.TotalSpent, spent).SetProperty(c => c.VisitCount, visits).SetProperty(c => c.LastVisitAt, last);
            if (stamp is { } save)
                s.SetProperty(c => c.Version, c => c.Version + 1).SetProperty(c => c.UpdatedAt, save.Now).SetProperty(c => c.UpdatedBy, save.Actor);
        }, ct);
        if (written > 0) await RefreshTrackedAsync(db, ids, ct);
    }

    /// <summary>One of the recount's expressions, over the statement's own customer parameter so they can be combined.</summary>
    private static Expression<Func<Customer, T>> Counted<T>(ParameterExpression customer, Expression<Func<Customer, T>> value) =>
        Expression.Lambda<Func<Customer, T>>(Predicates.Rebind(value, customer), customer);

    private static BinaryExpression Differs(ParameterExpression customer, string property, LambdaExpression value) =>
        Expression.NotEqual(Expression.Property(customer, property), value.Body);

    /// <summary>A tracked customer would otherwise keep its old statistics and version and fail (or undo them) at its next save.</summary>
    private static async Task RefreshTrackedAsync(AppDbContext db, int[] ids, CancellationToken ct)
    {
        var wanted = ids.ToHashSet();
        var tracked = db.ChangeTracker.Entries<Customer>().Where(e => e.State != EntityState.Detached && wanted.Contains(e.Entity.Id))
            .ToDictionary(e => e.Entity.Id);
        if (tracked.Count == 0) return;
        var keys = tracked.Keys.ToArray();
        var stored = await db.Customers.AsNoTracking().Where(c => EF.Parameter(keys).Contains(c.Id))
            .Select(c => new { c.Id, c.TotalSpent, c.VisitCount, c.LastVisitAt, c.Version, c.UpdatedAt, c.UpdatedBy }).ToListAsync(ct);
        foreach (var c in stored)
        {
            var entry = tracked[c.Id];
            Set(entry.Property(x => x.TotalSpent), c.TotalSpent);
            Set(entry.Property(x => x.VisitCount), c.VisitCount);
            Set(entry.Property(x => x.LastVisitAt), c.LastVisitAt);
            Set(entry.Property(x => x.Version), c.Version);
            Set(entry.Property(x => x.UpdatedAt), c.UpdatedAt);
            Set(entry.Property(x => x.UpdatedBy), c.UpdatedBy);
        }

        // As stored: the next save neither writes them again nor expects the old version.
        static void Set<T>(PropertyEntry<Customer, T> property, T value)
        {
            (property.CurrentValue, property.OriginalValue) = (value, value);
            property.IsModified = false;
        }
    }
}
