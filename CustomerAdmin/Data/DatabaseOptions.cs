using System.ComponentModel.DataAnnotations;

namespace CustomerAdmin.Data;

public enum DatabaseProvider { Sqlite, Postgres }

public sealed class DatabaseOptions
{
    public const string Section = "Database";

    public DatabaseProvider Provider { get; set; } = DatabaseProvider.Sqlite;

    /// <summary>Apply pending migrations at start-up.</summary>
    public bool Migrate { get; set; } = true;

    /// <summary>
    /// Fill an empty database with the demo set (and the demo users) at start-up. Off unless asked for, so a published
    /// app starts empty with only the first admin; <c>appsettings.Development.json</c> asks for it.
    /// </summary>
    public bool SeedDemoData { get; set; }

    [Range(0, 100_000)]
    public int DemoCustomers { get; set; } = 500;
}
