using Microsoft.EntityFrameworkCore;

namespace CustomerAdmin.Data;

/// <summary>
/// The privacy tables (the erasure log, the consent register and the access log), configured here so the context's own
/// file stays short; <see cref="AppDbContext"/> calls <see cref="Configure"/>.
/// </summary>
public static class PrivacyModel
{
    extension(AppDbContext db)
    {
        public DbSet<CustomerErasure> CustomerErasures => db.Set<CustomerErasure>();
        public DbSet<AccessLogEntry> AccessLog => db.Set<AccessLogEntry>();
        public DbSet<ConsentRecord> ConsentRecords => db.Set<ConsentRecord>();
    }

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
    }
}
