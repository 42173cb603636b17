using Microsoft.EntityFrameworkCore;

namespace CustomerAdmin.Data;

/// <summary>
/// The duplicate detection's tables in the model (the review queue's pairs, scan runs, blocking keys, the check queue), configured here so the context's
/// own file stays short; <see cref="AppDbContext"/> calls <see cref="Configure"/>.
/// </summary>
public static class DuplicateScanningModel
{
    extension(AppDbContext db)
    {
        public DbSet<DuplicateScanRun> DuplicateScanRuns => db.Set<DuplicateScanRun>();
        public DbSet<CustomerMatchKey> CustomerMatchKeys => db.Set<CustomerMatchKey>();
        public DbSet<DuplicateCheckRequest> DuplicateCheckRequests => db.Set<DuplicateCheckRequest>();
    }

    public static void Configure(ModelBuilder b)
    {
        b.Entity<DuplicatePair>(e =>
        {
            e.Property(p => p.Level).HasConversion<string>().HasMaxLength(20);
            e.Property(p => p.State).HasConversion<string>().HasMaxLength(20);
            e.Property(p => p.Version).IsConcurrencyToken();
            e.HasIndex(p => new { p.CustomerAId, p.CustomerBId }).IsUnique();
            e.HasIndex(p => p.CustomerBId);
            // The review queue: open pairs of a level, surest first.
            e.HasIndex(p => new { p.State, p.Level, p.Score });
            e.HasOne(p => p.CustomerA).WithMany().HasForeignKey(p => p.CustomerAId).OnDelete(DeleteBehavior.Cascade);
            e.HasOne(p => p.CustomerB).WithMany().HasForeignKey(p => p.CustomerBId).OnDelete(DeleteBehavior.Cascade);
        });

        // Named as the context's own sets name their tables (these sets are extension properties, which EF does not see).
        b.Entity<DuplicateScanRun>(e =>
        {
            e.ToTable("DuplicateScanRuns");
            e.Property(r => r.Status).HasConversion<string>().HasMaxLength(20);
            e.HasIndex(r => new { r.Status, r.Id });
            // One running scan across all instances, whatever races the start: the second insert is refused.
            e.HasIndex(r => r.Status).IsUnique().HasFilter("\"Status\" = 'Running'").HasDatabaseName("UX_DuplicateScanRuns_Running");
        });

        b.Entity<CustomerMatchKey>(e =>
        {
            e.ToTable("CustomerMatchKeys");
            // Key first: a check reads the customers sharing a key as one range scan, from the index alone.
            e.HasKey(k => new { k.KeyHash, k.CustomerId });
            e.HasIndex(k => k.CustomerId);
            e.HasOne<Customer>().WithMany().HasForeignKey(k => k.CustomerId).OnDelete(DeleteBehavior.Cascade);
        });

        b.Entity<DuplicateCheckRequest>(e =>
        {
            e.ToTable("DuplicateCheckRequests");
            e.HasKey(r => r.CustomerId);
            e.Property(r => r.CustomerId).ValueGeneratedNever();
            e.HasIndex(r => r.QueuedAt);
            e.HasOne<Customer>().WithMany().HasForeignKey(r => r.CustomerId).OnDelete(DeleteBehavior.Cascade);
        });
    }
}
