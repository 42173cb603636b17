using System.ComponentModel.DataAnnotations;

namespace CustomerAdmin.Data;

/// <summary>
/// What a timeline entry is. The first four are written by staff; the rest by the operation that caused them, in
/// the same transaction, so the timeline is one table and pages with one query.
/// </summary>
public enum ActivityKind
{
    Call, Email, Meeting, Note, TicketOpened, TicketClosed, TicketReopened, Sale, ContactChanged,
    BookingMade, BookingChanged, BookingCancelled, SmsReply, SmsOptedOut, SmsOptedIn,
}

public enum NoteType { General, Complaint, Feedback, Request }

/// <summary>One entry on a customer's timeline.</summary>
public class Activity
{
    public const int SubjectMax = 200;
    public const int BodyMax = 4000;

    public long Id { get; set; }
    public int CustomerId { get; set; }
    public Customer? Customer { get; set; }

    public ActivityKind Kind { get; set; }
    /// <summary>Only for <see cref="ActivityKind.Note"/>.</summary>
    public NoteType? NoteType { get; set; }
    /// <summary>Internal entries are for staff only and never shown to or sent to the customer.</summary>
    public bool IsInternal { get; set; }

    [MaxLength(SubjectMax)] public string? Subject { get; set; }
    [MaxLength(BodyMax)] public string? Body { get; set; }

    /// <summary>When it happened (a call made yesterday may be logged today).</summary>
    public DateTime OccurredAt { get; set; }
    public DateTime CreatedAt { get; set; }
    [MaxLength(100)] public string? CreatedBy { get; set; }
    public DateTime? UpdatedAt { get; set; }
    [MaxLength(100)] public string? UpdatedBy { get; set; }

    public int? TicketId { get; set; }
    public Ticket? Ticket { get; set; }
    public int? SaleId { get; set; }
    public Sale? Sale { get; set; }
    /// <summary>The legacy import that wrote this entry (about a ticket it imported); undoing the import removes it.</summary>
    public int? ImportRunId { get; set; }

    public bool IsSystem => IsSystemKind(Kind);

    public static bool IsSystemKind(ActivityKind kind) => kind >= ActivityKind.TicketOpened;
}

public enum DocumentType { Contract, Invoice, Agreement, Other }

/// <summary>A file attached to a customer. The bytes live outside wwwroot under <see cref="StoredName"/>.</summary>
public class CustomerDocument
{
    public const int FileNameMax = 200;

    public int Id { get; set; }
    public int CustomerId { get; set; }
    public Customer? Customer { get; set; }
    public DocumentType Type { get; set; }
    /// <summary>The uploader's file name, sanitised; for display and the download's name only, never a path.</summary>
    [MaxLength(FileNameMax)] public string FileName { get; set; } = "";
    /// <summary>Generated (a GUID), the only name used on disk.</summary>
    [MaxLength(64)] public string StoredName { get; set; } = "";
    /// <summary>Detected from the content, not taken from the browser.</summary>
    [MaxLength(100)] public string ContentType { get; set; } = "";
    public long Size { get; set; }
    /// <summary>Lower-case hex SHA-256 of the content.</summary>
    [MaxLength(64)] public string Sha256 { get; set; } = "";
    public DateTime UploadedAt { get; set; }
    [MaxLength(100)] public string? UploadedBy { get; set; }
}
