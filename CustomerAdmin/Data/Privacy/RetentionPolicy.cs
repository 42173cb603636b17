using System.ComponentModel.DataAnnotations;

namespace CustomerAdmin.Data;

/// <summary>
/// The retention policies an admin sets on <c>/settings/retention</c>: one row (id <see cref="SingletonId"/>), each
/// policy off until switched on, each with its period. The daily retention run reads it when it starts.
/// </summary>
public class RetentionPolicy
{
    public const int SingletonId = 1;

    public int Id { get; set; } = SingletonId;

    /// <summary>Erase (anonymise) customers with no activity for <see cref="InactiveMonths"/> months.</summary>
    public bool AnonymiseInactive { get; set; }
    [Range(6, 600)] public int InactiveMonths { get; set; } = 36;

    /// <summary>Clear the text of SMS (sent and received) older than <see cref="SmsBodyDays"/> days; status and counts stay.</summary>
    public bool ClearSmsBodies { get; set; }
    [Range(7, 36500)] public int SmsBodyDays { get; set; } = 365;

    /// <summary>Delete the documents of erased customers and of customers with no activity for <see cref="DocumentMonths"/> months.</summary>
    public bool DeleteDocuments { get; set; }
    [Range(1, 600)] public int DocumentMonths { get; set; } = 24;

    public DateTime? UpdatedAt { get; set; }
    [MaxLength(100)] public string? UpdatedBy { get; set; }
    public int Version { get; set; }

    public RetentionPolicy Copy() => (RetentionPolicy)MemberwiseClone();
}
