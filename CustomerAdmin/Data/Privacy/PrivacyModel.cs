using Microsoft.EntityFrameworkCore;

namespace CustomerAdmin.Data;

/// <summary>
/// The privacy tables (the erasure log, the consent register, the access log and retention), configured here so the context's own
/// file stays short; <see cref="AppDbContext"/> calls <see cref="Configure"/>.
/// </summary>
public static class PrivacyModel
{
    extension(AppDbContext db)
    {
        public DbSet<CustomerErasure> CustomerErasures => db.Set<CustomerErasure>();
        public DbSet<AccessLogEntry> AccessLog => db.Set<AccessLogEntry>();
        public DbSet<ConsentRecord> ConsentRecords => db.Set<ConsentRecord>();
        public DbSet<RetentionPolicy> RetentionPolicies => db.Set<RetentionPolicy>();
        public DbSet<RetentionRun> RetentionRuns => db.Set<RetentionRun>();
    }

    /// <summary>
    /// True when the customer's personal data was erased: the record is anonymous for good, so no edit, merge or undo may
    /// give it values again (a person who comes back is a new customer).
    /// </summary>
    public static Task<bool> IsErasedAsync(this AppDbContext db, int customerId, CancellationToken ct = default) =>
        db.CustomerErasures.AnyAsync(e => e.CustomerId == customerId, ct);

    public const string ErasedEditRefusal = "This customer's personal data was erased, so the record stays anonymous and cannot be edited. "
        + "If the person comes back, add them as a new customer.";

    public static void Configure(ModelBuilder b)
    {
        b.Entity<AccessLogEntry>(e =>
        {
            e.ToTable("AccessLog");
            e.Property(a => a.Kind).HasConversion<string>().HasMaxLength(30);
            // The page pages the whole log newest first (the key), or one user's or one customer's; the purge cuts by time.
            e.HasIndex(a => a.At);
            e.HasIndex(a => new { a.CustomerId, a.At });
            e.HasIndex(a => new { a.UserName, a.At });
        });
        b.Entity<ConsentRecord>(e =>
        {
            e.ToTable("ConsentRecords");
            // The current state of a purpose is its newest row: one index probe per customer and purpose.
            e.HasIndex(r => new { r.CustomerId, r.Purpose, r.At });
            e.HasOne(r => r.Customer).WithMany().HasForeignKey(r => r.CustomerId).OnDelete(DeleteBehavior.Cascade);
        });
        b.Entity<RetentionPolicy>(e =>
        {
            e.ToTable("RetentionPolicies");
            e.Property(p => p.Id).ValueGeneratedNever();
            e.Property(p => p.Version).IsConcurrencyToken();
        });
        b.Entity<RetentionRun>(e =>
        {
            e.ToTable("RetentionRuns");
            // One scheduled run per venue day, whichever instance inserts it first; "Run now" rows (null) are not limited.
            e.HasIndex(r => r.ScheduledDay).IsUnique();
            e.HasIndex(r => r.StartedAt);
        });
    }
}
