using System.ComponentModel.DataAnnotations;

namespace CustomerAdmin.Security;

/// <summary>The first administrator, created on a start with no users at all.</summary>
public sealed class AdminOptions
{
    public const string Section = "Admin";
    public const string DefaultEmail = "admin@customeradmin.local";

    /// <summary>Sign-in of the first admin; <see cref="DefaultEmail"/> when not set.</summary>
    [EmailAddress, MaxLength(256)]
    public string? Email { get; set; }

    /// <summary>When not set, a random password is generated and written once to the log.</summary>
    public string? Password { get; set; }
}

public sealed class SecurityOptions
{
    public const string Section = "Security";

    /// <summary>Sign-in form posts allowed per client IP address per minute.</summary>
    [Range(1, 10_000)]
    public int SignInAttemptsPerMinute { get; set; } = 10;

    /// <summary>
    /// Password attempts (sign-in and change password) allowed per account name per minute, from all addresses
    /// together: many addresses guessing one account are slowed down as much as one.
    /// </summary>
    [Range(1, 10_000)]
    public int SignInAttemptsPerAccountPerMinute { get; set; } = 10;

    /// <summary>Interactive sessions (browser tabs with a live circuit) one user may have open at the same time.</summary>
    [Range(1, 1_000)]
    public int MaxCircuitsPerUser { get; set; } = 10;

    /// <summary>Largest form body accepted by endpoints open to anonymous callers (sign-in, Twilio webhooks); more gets 413.</summary>
    [Range(1_024, 10_485_760)]
    public int AnonymousFormMaxBytes { get; set; } = 65_536;

    /// <summary>
    /// A sign-in session older than this ends even if it stayed in use (and its server-side record is removed), so
    /// the session table holds nothing older.
    /// </summary>
    [Range(typeof(TimeSpan), "00:10:00", "365.00:00:00")]
    public TimeSpan MaxSessionAge { get; set; } = TimeSpan.FromDays(7);
}
