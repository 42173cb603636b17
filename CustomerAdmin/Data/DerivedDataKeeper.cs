using Microsoft.EntityFrameworkCore.ChangeTracking;

namespace CustomerAdmin.Data;

/// <summary>
/// Keeps one kind of derived data (field history, search tokens, the dashboard summary…) right on every save.
/// <see cref="AppDbContext.SaveChangesAsync(bool, CancellationToken)"/> asks each keeper, in their registered order,
/// what the pending changes mean for it, and runs the work they return inside the save's own transaction, so derived
/// rows can never disagree with the rows they are derived from. The list is handed to the context through its
/// options (<see cref="AppContextServicesExtensions.UseAppServices{TBuilder}"/>); <c>Data/</c> knows only this
/// contract, the features implement it.
/// </summary>
public abstract class DerivedDataKeeper
{
    /// <summary>What it keeps, for logs and for tests that switch one keeper off.</summary>
    public abstract string Name { get; }

    /// <summary>
    /// Looks at the tracked changes before anything is written, without I/O: may set derived values on tracked
    /// entities or add derived rows to the context. Returns the database work this save needs from the keeper, or
    /// null when it needs none (most saves, for most keepers).
    /// </summary>
    public abstract KeeperWork? Inspect(AppDbContext db, ChangeTracker tracker, SaveInfo save);
}

/// <summary>One save's database work for a keeper; both steps run inside the save's transaction.</summary>
public abstract class KeeperWork
{
    /// <summary>Before the changes are written (read what the change will move, remove what it replaces).</summary>
    public virtual Task BeforeWriteAsync(AppDbContext db, CancellationToken ct) => Task.CompletedTask;

    /// <summary>After the changes are written and before the commit (generated ids are known now).</summary>
    public virtual Task AfterWriteAsync(AppDbContext db, CancellationToken ct) => Task.CompletedTask;
}

/// <summary>The moment, the author and (when the change asked for one) the reason of one save.</summary>
public readonly record struct SaveInfo(DateTime Now, string Actor, string? Reason = null);
