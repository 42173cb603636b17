using System.ComponentModel.DataAnnotations;

namespace CustomerAdmin.Data;

/// <summary>
/// A bearer token for the REST API (<c>/api/v1</c>). Only the SHA-256 of the secret is stored: the secret is shown once,
/// when the token is made. A token acts for its owner with at most <see cref="Scopes"/>, and never with more than the
/// owner's role holds at the time of the request.
/// </summary>
public class ApiToken
{
    public const int NameMax = 100;
    public const int ScopesMax = 1000;

    public int Id { get; set; }
    [MaxLength(NameMax)] public string Name { get; set; } = "";
    /// <summary>The owner (an Identity user id): the token's requests are made as this user.</summary>
    [MaxLength(450)] public string UserId { get; set; } = "";
    /// <summary>Permission names (<c>customers.read</c>...), comma-separated.</summary>
    [MaxLength(ScopesMax)] public string Scopes { get; set; } = "";
    /// <summary>Lowercase hex SHA-256 of the secret.</summary>
    [MaxLength(64)] public string SecretHash { get; set; } = "";
    /// <summary>The secret's first characters, so a user can tell tokens apart without the secret.</summary>
    [MaxLength(16)] public string Prefix { get; set; } = "";
    public DateTime CreatedAt { get; set; }
    [MaxLength(100)] public string? CreatedBy { get; set; }
    /// <summary>UTC; null for a token that does not expire.</summary>
    public DateTime? ExpiresAt { get; set; }
    /// <summary>UTC, to the minute: refreshed at most once a minute.</summary>
    public DateTime? LastUsedAt { get; set; }
    public DateTime? RevokedAt { get; set; }
    [MaxLength(100)] public string? RevokedBy { get; set; }
}
