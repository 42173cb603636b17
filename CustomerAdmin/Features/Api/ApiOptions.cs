using System.ComponentModel.DataAnnotations;

namespace CustomerAdmin.Features.Api;

/// <summary>The <c>Api</c> section of appsettings.</summary>
public sealed class ApiOptions
{
    public const string Section = "Api";

    /// <summary>Requests one token may make per minute; more get 429 with Retry-After.</summary>
    [Range(1, 1_000_000)] public int RequestsPerMinute { get; set; } = 600;

    /// <summary>The largest request body an API call may send, in bytes; more get 413.</summary>
    [Range(1024, 10_000_000)] public int MaxRequestBytes { get; set; } = 64 * 1024;
}
