using System.ComponentModel.DataAnnotations;
using CustomerAdmin.Data;

namespace CustomerAdmin.Features.Webhooks;

/// <summary>The webhooks page's form for a new endpoint.</summary>
public sealed class WebhookDraft
{
    [Required(ErrorMessage = "Enter the URL events are posted to."), MaxLength(WebhookEndpoint.UrlMax)]
    public string Url { get; set; } = "";

    [MaxLength(200)] public string? Description { get; set; }

    /// <summary>Empty: the app makes one (shown once).</summary>
    [MaxLength(WebhookOperations.SecretMax)] public string? Secret { get; set; }

    public HashSet<string> Events { get; } = new(StringComparer.Ordinal);
}
