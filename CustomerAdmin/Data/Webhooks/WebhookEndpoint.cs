using System.ComponentModel.DataAnnotations;

namespace CustomerAdmin.Data;

/// <summary>
/// A receiver registered by an admin: where events go, which events it wants, and the secret deliveries are signed
/// with. The secret is kept protected by ASP.NET Data Protection (the app must sign with the plain secret, so a hash
/// would not do); it is shown once, when the endpoint is made.
/// </summary>
public class WebhookEndpoint
{
    public const int UrlMax = 500;
    public const int EventsMax = 500;

    public int Id { get; set; }
    [MaxLength(UrlMax)] public string Url { get; set; } = "";
    [MaxLength(200)] public string? Description { get; set; }
    /// <summary>Event types, comma-separated with a comma before the first and after the last (<c>,customer.created,</c>), so
    /// "does it subscribe to X" is one <c>LIKE '%,X,%'</c>.</summary>
    [MaxLength(EventsMax)] public string Events { get; set; } = "";
    /// <summary>The signing secret, protected with Data Protection.</summary>
    [MaxLength(1000)] public string ProtectedSecret { get; set; } = "";
    public bool Enabled { get; set; } = true;
    public DateTime CreatedAt { get; set; }
    [MaxLength(100)] public string? CreatedBy { get; set; }
    public DateTime UpdatedAt { get; set; }
}
