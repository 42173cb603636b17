using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace CustomerAdmin.Data;

/// <summary>The SQLite flavour of <see cref="AppDbContext"/>; its migrations live in Data/Migrations/Sqlite.</summary>
public sealed class SqliteAppDbContext(DbContextOptions<SqliteAppDbContext> options) : AppDbContext(options)
{
    protected override void ConfigureConventions(ModelConfigurationBuilder b)
    {
        base.ConfigureConventions(b);
        // SQLite has no decimal type: keep money as whole cents so it sorts, sums and compares exactly.
        b.Properties<decimal>().HaveConversion<MoneyAsCentsConverter>();
    }

    internal sealed class MoneyAsCentsConverter() : Microsoft.EntityFrameworkCore.Storage.ValueConversion.ValueConverter<decimal, long>(
        v => (long)decimal.Round(v * 100m, MidpointRounding.AwayFromZero),
        v => v / 100m);
}

/// <summary>The PostgreSQL flavour of <see cref="AppDbContext"/>; its migrations live in Data/Migrations/Postgres.</summary>
public sealed class PostgresAppDbContext(DbContextOptions<PostgresAppDbContext> options) : AppDbContext(options)
{
    protected override void OnModelCreating(ModelBuilder b)
    {
        base.OnModelCreating(b);
        // Byte order, like SQLite's BINARY: prefix ranges on tokens are then plain B-tree range scans.
        b.Entity<CustomerSearchToken>().Property(t => t.Token).UseCollation("C");
        // The city order is then the same as SQLite's, whatever the database's default collation.
        b.Entity<Customer>().Property(c => c.CityKey).UseCollation("C");
    }
}

public sealed class SqliteDesignTimeFactory : IDesignTimeDbContextFactory<SqliteAppDbContext>
{
    public SqliteAppDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<SqliteAppDbContext>().UseSqlite("Data Source=design.db").Options);
}

public sealed class PostgresDesignTimeFactory : IDesignTimeDbContextFactory<PostgresAppDbContext>
{
    public PostgresAppDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<PostgresAppDbContext>().UseNpgsql("Host=localhost;Database=design").Options);
}
