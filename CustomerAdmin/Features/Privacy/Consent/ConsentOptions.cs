using System.ComponentModel.DataAnnotations;

namespace CustomerAdmin.Features.Privacy.Consent;

/// <summary>One purpose a customer can consent to, with the version of the wording staff and forms show for it.</summary>
public sealed class ConsentPurpose
{
    [Required, MaxLength(Data.ConsentRecord.PurposeMax), RegularExpression("^[a-z0-9-]+$")] public string Key { get; set; } = "";
    [Required, MaxLength(100)] public string Label { get; set; } = "";
    [MaxLength(Data.ConsentRecord.WordingMax)] public string? WordingVersion { get; set; }
}

/// <summary>
/// The consent register's part of the <c>Privacy</c> section: <c>Privacy:ConsentPurposes</c> adds purposes to the
/// three built in (or, under the same key, changes their label or wording version).
/// </summary>
public sealed class ConsentOptions : IValidatableObject
{
    public const string Section = "Privacy";

    public const string SmsService = "sms-service";
    public const string SmsMarketing = "sms-marketing";
    public const string EmailMarketing = "email-marketing";

    private static readonly ConsentPurpose[] BuiltIn =
    [
        new() { Key = SmsService, Label = "SMS service messages (booking confirmations, reminders)", WordingVersion = "sms-service-1" },
        new() { Key = SmsMarketing, Label = "SMS marketing (news, offers, messages to event attendees)", WordingVersion = "sms-marketing-1" },
        new() { Key = EmailMarketing, Label = "Email marketing", WordingVersion = "email-marketing-1" },
    ];

    /// <summary>Configured purposes; empty keeps the built-in three.</summary>
    public List<ConsentPurpose> ConsentPurposes { get; set; } = [];

    /// <summary>The built-in purposes (as configured) followed by the configured new ones.</summary>
    public IReadOnlyList<ConsentPurpose> Purposes =>
        BuiltIn.Select(b => ConsentPurposes.LastOrDefault(c => c.Key == b.Key) ?? b)
            .Concat(ConsentPurposes.Where(c => BuiltIn.All(b => b.Key != c.Key)).DistinctBy(c => c.Key))
            .ToList();

    public ConsentPurpose? Find(string key) => Purposes.FirstOrDefault(p => p.Key == key);

    public IEnumerable<ValidationResult> Validate(ValidationContext context)
    {
        foreach (var purpose in ConsentPurposes)
        {
            var results = new List<ValidationResult>();
            if (!Validator.TryValidateObject(purpose, new ValidationContext(purpose), results, validateAllProperties: true))
                foreach (var r in results)
                    yield return new ValidationResult($"Privacy:ConsentPurposes '{purpose.Key}': {r.ErrorMessage}");
        }
    }
}
