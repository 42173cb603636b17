using System.ComponentModel.DataAnnotations;

namespace CustomerAdmin.Data;

/// <summary>
/// One change of a customer's consent to one purpose ("sms-service", "sms-marketing", "email-marketing", or another
/// configured one): given or withdrawn, when, how it reached us (the form, an import, a STOP reply, staff on the
/// phone), who recorded it, and the version of the wording the customer was shown. Rows are only ever added: the
/// newest row of a purpose is the customer's current state, the rows before it are the log.
/// </summary>
public class ConsentRecord
{
    public const int PurposeMax = 50;
    public const int SourceMax = 50;
    public const int WordingMax = 50;

    public long Id { get; set; }
    public int CustomerId { get; set; }
    public Customer? Customer { get; set; }
    [MaxLength(PurposeMax)] public string Purpose { get; set; } = "";
    public bool Granted { get; set; }
    public DateTime At { get; set; }
    [MaxLength(SourceMax)] public string Source { get; set; } = "";
    [MaxLength(100)] public string RecordedBy { get; set; } = "";
    [MaxLength(WordingMax)] public string? WordingVersion { get; set; }
}
