namespace CustomerAdmin.Data.Sql;

/// <summary>What a writer means to do with the rows it locks (<see cref="SqlDialect.LockRowsAsync{T}"/>).</summary>
public enum RowLock
{
    /// <summary>
    /// Change their values (statistics, counts, a status), not their keys: other lockers wait, but rows that reference
    /// them can still be inserted meanwhile (PostgreSQL <c>FOR NO KEY UPDATE</c>, the lock an ordinary UPDATE takes).
    /// A foreign key's check locks the referenced row too, in whatever order the inserted rows come (a duplicate
    /// check's blocking keys are written in hash order): held against it, a lock in id order can close a cycle, a
    /// deadlock (40P01), which this mode cannot.
    /// </summary>
    Values,

    /// <summary>
    /// Delete them or keep new references off them until the commit (an erasure, a merge): also waits for, and holds
    /// off, inserts of rows that reference them (<c>FOR UPDATE</c>).
    /// </summary>
    Whole,
}
