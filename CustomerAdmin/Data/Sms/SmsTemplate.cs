using System.ComponentModel.DataAnnotations;

namespace CustomerAdmin.Data;

/// <summary>The text of one kind of message in one language, with <c>{{placeholders}}</c>.</summary>
public class SmsTemplate
{
    public int Id { get; set; }
    public SmsKind Kind { get; set; }
    /// <summary>BCP 47 language, lower case ("en", "es"); the configured default language is the fallback.</summary>
    [MaxLength(10)] public string Language { get; set; } = "";
    [MaxLength(SmsMessage.BodyMax)] public string Body { get; set; } = "";
    public DateTime UpdatedAt { get; set; }
    [MaxLength(100)] public string? UpdatedBy { get; set; }
    /// <summary>Concurrency token: goes up by one with every save, so two admins editing one template see each other.</summary>
    [ConcurrencyCheck] public int Version { get; set; }
}
