using System.ComponentModel.DataAnnotations;

namespace CustomerAdmin.Data;

/// <summary>One clean record per real customer; tickets, sales and bookings point here by foreign key.</summary>
public class Customer
{
    public const int NameMax = 100;
    public const int OrgNameMax = 200;
    public const int PhoneMax = 20;
    public const int EmailMax = 254;
    public const int LineMax = 200;
    public const int NotesMax = 4000;
    public const int TagsMax = 500;

    public int Id { get; set; }

    public CustomerType Type { get; set; }

    [MaxLength(NameMax)] public string? FirstName { get; set; }
    [MaxLength(NameMax)] public string? LastName { get; set; }
    /// <summary>The organisation's name, for every type but individuals.</summary>
    [MaxLength(OrgNameMax)] public string? Name { get; set; }
    [MaxLength(OrgNameMax)] public string? DisplayName { get; set; }

    /// <summary>E.164, normalised by <c>PhoneNormalizer</c> against the configured default region.</summary>
    [MaxLength(PhoneMax)] public string PrimaryPhone { get; set; } = "";
    /// <summary>False when libphonenumber classifies the primary phone as a landline.</summary>
    public bool PrimaryPhoneSmsCapable { get; set; } = true;
    [MaxLength(PhoneMax)] public string? SecondaryPhone { get; set; }
    [MaxLength(PhoneMax)] public string? WhatsAppPhone { get; set; }
    [MaxLength(EmailMax), EmailAddress(ErrorMessage = "Enter an email address like name@example.com.")] public string? Email { get; set; }

    [MaxLength(LineMax)] public string? AddressLine1 { get; set; }
    [MaxLength(LineMax)] public string? AddressLine2 { get; set; }
    [MaxLength(NameMax)] public string? City { get; set; }
    [MaxLength(NameMax)] public string? State { get; set; }
    [MaxLength(PhoneMax)] public string? PostalCode { get; set; }
    /// <summary>ISO 3166-1 alpha-2.</summary>
    [MaxLength(2)] public string? Country { get; set; }

    public int? OrganizationId { get; set; }
    public Organization? Organization { get; set; }

    [MaxLength(50)] public string? RegistrationNumber { get; set; }
    [MaxLength(50)] public string? TaxId { get; set; }
    [MaxLength(LineMax), WebAddress] public string? Website { get; set; }

    public CustomerStatus Status { get; set; } = CustomerStatus.Active;
    /// <summary>Set with <see cref="CustomerStatus.Merged"/>: the record this one was merged into (which may itself be merged later).</summary>
    public int? MergedIntoId { get; set; }
    public CustomerTier Tier { get; set; } = CustomerTier.Standard;
    /// <summary>BCP 47 language tag, e.g. "en" or "es".</summary>
    [MaxLength(10)] public string? PreferredLanguage { get; set; }
    public ContactMethod PreferredContactMethod { get; set; } = ContactMethod.Phone;

    public bool SmsOptedIn { get; set; }
    public DateTime? SmsOptedInAt { get; set; }
    [MaxLength(50)] public string? SmsOptInSource { get; set; }
    public DateTime? SmsOptedOutAt { get; set; }
    /// <summary>How the opt-out arrived: "staff", or "sms:STOP" when the customer replied with a stop word.</summary>
    [MaxLength(50)] public string? SmsOptOutSource { get; set; }

    /// <summary>Opted out and not opted in again since: no SMS of any kind may go to this customer.</summary>
    public bool SmsOptedOut => SmsOptedOutAt is not null && !SmsOptedIn;

    [MaxLength(NotesMax)] public string? Notes { get; set; }
    /// <summary>Comma-separated, trimmed, distinct; see <c>CustomerTags</c>.</summary>
    [MaxLength(TagsMax)] public string? Tags { get; set; }

    public DateTime CreatedAt { get; set; }
    /// <summary>
    /// Since when this is a customer of ours: "customer since" and the dashboard's new customers count this day, not the
    /// day the record was typed in. An importer sets it before the first save from its source (the legacy file's earliest
    /// <c>created_at</c>, the customer import's "Customer since" column); left unset, the first save makes it
    /// <see cref="CreatedAt"/> (<c>CustomerHistoryKeeper.StampNew</c>).
    /// </summary>
    public DateTime FirstSeenAt { get; set; }
    [MaxLength(100)] public string? CreatedBy { get; set; }
    public DateTime UpdatedAt { get; set; }
    [MaxLength(100)] public string? UpdatedBy { get; set; }

    // Denormalised stats: moved in the same transaction as the ticket or sale that changes them.
    public decimal TotalSpent { get; set; }
    public int VisitCount { get; set; }
    public DateTime? LastVisitAt { get; set; }
    /// <summary>Tickets of any status: the dashboard's "top 10 by tickets"; kept by the dashboard summary keeper.</summary>
    public int TicketCount { get; set; }

    /// <summary>Set when a legacy import created this customer: undoing that import removes it.</summary>
    public int? ImportRunId { get; set; }

    /// <summary>Optimistic concurrency token, bumped by <see cref="AppDbContext"/> on every save.</summary>
    public int Version { get; set; }

    /// <summary>Normalised "last first" (or the organisation's name): the list's default sort key.</summary>
    [MaxLength(OrgNameMax)] public string SortName { get; set; } = "";

    /// <summary>
    /// The city as the list sorts it: trimmed, lower case, no accents, and a key after every city when there is none,
    /// compared byte by byte in both databases. Kept with <see cref="SortName"/>; empty until computed (a row from
    /// before the column, filled at start-up).
    /// </summary>
    [MaxLength(NameMax)] public string CityKey { get; set; } = "";

    public List<CustomerSearchToken> SearchTokens { get; set; } = [];
    public List<CustomerChange> Changes { get; set; } = [];

    public bool IsIndividual => Type == CustomerType.Individual;

    /// <summary>A detached copy of the scalar values (no related rows), for forms and conflict checks.</summary>
    public Customer Copy()
    {
        var copy = (Customer)MemberwiseClone();
        copy.Organization = null;
        copy.SearchTokens = [];
        copy.Changes = [];
        return copy;
    }

    public string FullName => !string.IsNullOrWhiteSpace(DisplayName)
        ? DisplayName!
        : IsIndividual ? $"{FirstName} {LastName}".Trim() : Name ?? "";
}
