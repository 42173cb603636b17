using System.ComponentModel.DataAnnotations;

namespace CustomerAdmin.Features.Privacy.AccessLog;

/// <summary>The access log's part of the <c>Privacy</c> section.</summary>
public sealed class AccessLogOptions
{
    public const string Section = "Privacy";

    /// <summary>Rows older than this many months are deleted by the daily purge.</summary>
    [Range(1, 120)] public int AccessLogMonths { get; set; } = 12;
}
