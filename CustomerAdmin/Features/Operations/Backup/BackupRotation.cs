using System.Globalization;

namespace CustomerAdmin.Features.Operations.Backup;

/// <summary>
/// Which nightly backups to keep: the newest of each of the <c>keepDaily</c> most recent days that have one, and the
/// newest of each of the <c>keepWeekly</c> most recent weeks (Monday to Sunday) that have one. Everything else goes.
/// </summary>
public static class BackupRotation
{
    public const string Prefix = "customeradmin-";
    public const string Extension = ".zip";
    private const string StampFormat = "yyyyMMdd'T'HHmmss'Z'";

    /// <summary>The file name of a backup taken at <paramref name="takenAt"/> (UTC), sortable by time.</summary>
    public static string FileName(DateTimeOffset takenAt) =>
        Prefix + takenAt.UtcDateTime.ToString(StampFormat, CultureInfo.InvariantCulture) + Extension;

    /// <summary>When the backup of this name was taken, or null for a file that is not one of ours (never deleted).</summary>
    public static DateTime? TakenAt(string fileName) =>
        fileName.StartsWith(Prefix, StringComparison.Ordinal) && fileName.EndsWith(Extension, StringComparison.Ordinal)
        && DateTime.TryParseExact(fileName[Prefix.Length..^Extension.Length], StampFormat, CultureInfo.InvariantCulture,
            DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var at)
            ? at : null;

    /// <summary>The names among <paramref name="fileNames"/> to delete; names that are not backups are never among them.</summary>
    public static IReadOnlyList<string> ToDelete(IEnumerable<string> fileNames, int keepDaily, int keepWeekly)
    {
        var backups = fileNames.Select(n => (Name: n, At: TakenAt(n))).Where(b => b.At is not null)
            .Select(b => (b.Name, At: b.At!.Value)).OrderByDescending(b => b.At).ToList();
        var keep = new HashSet<string>();
        foreach (var day in backups.GroupBy(b => b.At.Date).Take(keepDaily))
            keep.Add(day.First().Name);
        foreach (var week in backups.GroupBy(b => WeekStart(b.At)).Take(keepWeekly))
            keep.Add(week.First().Name);
        return backups.Where(b => !keep.Contains(b.Name)).Select(b => b.Name).ToList();
    }

    private static DateTime WeekStart(DateTime at) => at.Date.AddDays(-(((int)at.DayOfWeek + 6) % 7));
}
