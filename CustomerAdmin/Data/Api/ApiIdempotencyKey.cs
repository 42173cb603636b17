using System.ComponentModel.DataAnnotations;

namespace CustomerAdmin.Data;

/// <summary>
/// A create request made with an <c>Idempotency-Key</c> header, and the answer it got: the same key with the same body
/// gets the same answer for 24 hours, without a second row. <see cref="StatusCode"/> is 0 while the first request runs.
/// </summary>
public class ApiIdempotencyKey
{
    public const int KeyMax = 200;

    public long Id { get; set; }
    public int TokenId { get; set; }
    [MaxLength(KeyMax)] public string Key { get; set; } = "";
    /// <summary>Lowercase hex SHA-256 of the method, path and body.</summary>
    [MaxLength(64)] public string RequestHash { get; set; } = "";
    public int StatusCode { get; set; }
    public string? ResponseBody { get; set; }
    [MaxLength(500)] public string? Location { get; set; }
    [MaxLength(100)] public string? ETag { get; set; }
    public DateTime CreatedAt { get; set; }
}
