using Microsoft.EntityFrameworkCore;

namespace CustomerAdmin.Data;

/// <summary>
/// The imports' tables beyond the run record in <see cref="AppDbContext"/> (the customer import's report rows, the run's
/// kind), configured here so the context's own file stays short; <see cref="AppDbContext"/> calls <see cref="Configure"/>.
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
