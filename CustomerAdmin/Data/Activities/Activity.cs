using System.ComponentModel.DataAnnotations;

namespace CustomerAdmin.Data;

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
