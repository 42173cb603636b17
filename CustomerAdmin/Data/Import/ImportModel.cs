using Microsoft.EntityFrameworkCore;

namespace CustomerAdmin.Data;

/// <summary>
/// The imports' tables beyond the run record in <see cref="AppDbContext"/> (the customer import's report rows, the run's
/// kind, the external references), configured here so the context's own file stays short; <see cref="AppDbContext"/> calls <see cref="Configure"/>.
/// </summary>
public static class ImportModel
{
    extension(AppDbContext db)
    {
        public DbSet<ImportReportRow> ImportReportRows => db.Set<ImportReportRow>();
    }

    public static void Configure(ModelBuilder b)
    {
        b.Entity<ImportRun>(e =>
        {
            // Runs recorded before there were two kinds are legacy ticket imports.
            e.Property(r => r.Kind).HasConversion<string>().HasMaxLength(20).HasDefaultValue(ImportRunKind.LegacyTickets);
            e.Property(r => r.OnMatch).HasConversion<string>().HasMaxLength(20);
        });
        b.Entity<LegacyCustomerLink>(e =>
        {
            // Links written before references had a source are the legacy import's.
            e.HasKey(l => new { l.Source, l.LegacyId });
            e.Property(l => l.Source).HasDefaultValue(LegacyCustomerLink.LegacySource);
            // Search finds a customer by a reference of any source.
            e.HasIndex(l => l.LegacyId);
            e.HasIndex(l => l.CustomerId);
            e.HasIndex(l => l.ImportRunId);
            e.HasOne(l => l.Customer).WithMany().HasForeignKey(l => l.CustomerId).OnDelete(DeleteBehavior.Cascade);
            e.HasOne<ImportRun>().WithMany().HasForeignKey(l => l.ImportRunId).OnDelete(DeleteBehavior.Restrict);
        });
        b.Entity<ImportReportRow>(e =>
        {
            e.ToTable("ImportReportRows");
            e.Property(r => r.Action).HasConversion<string>().HasMaxLength(20);
            e.HasIndex(r => new { r.ImportRunId, r.Line });
            e.HasIndex(r => r.CustomerId);
            e.HasOne<ImportRun>().WithMany().HasForeignKey(r => r.ImportRunId).OnDelete(DeleteBehavior.Cascade);
        });
    }
}
