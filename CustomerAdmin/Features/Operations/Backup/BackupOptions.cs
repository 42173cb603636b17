using System.ComponentModel.DataAnnotations;

namespace CustomerAdmin.Features.Operations.Backup;

/// <summary>The nightly backup (<c>Backup:</c>): off unless switched on.</summary>
public sealed class BackupOptions
{
    public const string Section = "Backup";

    /// <summary>Take a backup every night at <see cref="At"/>.</summary>
    public bool Nightly { get; set; }

    /// <summary>Where the nightly backups are written; relative to the app's folder.</summary>
    [Required] public string Folder { get; set; } = "data/backups";

    /// <summary>Time of day, in the venue's time zone (<c>Venue:TimeZone</c>).</summary>
    public TimeOnly At { get; set; } = new(3, 0);

    /// <summary>The newest backup of each of this many most recent days is kept.</summary>
    [Range(1, 366)] public int KeepDaily { get; set; } = 7;

    /// <summary>And the newest backup of each of this many most recent weeks (Monday to Sunday).</summary>
    [Range(0, 520)] public int KeepWeekly { get; set; } = 4;
}
