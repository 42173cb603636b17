using System.ComponentModel.DataAnnotations;

namespace CustomerAdmin.Data;

public enum DatabaseProvider { Sqlite, Postgres }

public sealed class DatabaseOptions
{
    public const string Section = "Database";

    public DatabaseProvider Provider { get; set; } = DatabaseProvider.Sqlite;

    /// <summary>Apply pending migrations at start-up.</summary>
    public bool Migrate { get; set; } = true;

    /// <summary>Fill an empty database with the demo set at start-up.</summary>
    public bool SeedDemoData { get; set; } = true;

    [Range(0, 100_000)]
    public int DemoCustomers { get; set; } = 500;
}
