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
}
