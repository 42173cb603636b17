using System.ComponentModel.DataAnnotations;

namespace CustomerAdmin.Features.Privacy.Retention;

/// <summary>The retention run's part of the <c>Privacy</c> section (<c>Privacy:Retention</c>); the policies themselves are settings on the page.</summary>
public sealed class RetentionOptions
{
    public const string Section = "Privacy:Retention";

    /// <summary>The venue's time of day from which the daily run starts (it runs once a venue day, at or after this time).</summary>
    [Range(typeof(TimeSpan), "00:00:00", "23:59:59")] public TimeSpan RunAt { get; set; } = new(3, 0, 0);

    /// <summary>How many customers, messages or documents one step of the run reads at a time.</summary>
    [Range(10, 100_000)] public int BatchSize { get; set; } = 500;
}
