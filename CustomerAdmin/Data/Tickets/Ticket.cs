using System.ComponentModel.DataAnnotations;

namespace CustomerAdmin.Data;

/// <summary>A repair or service job. The customer is a real foreign key (no contact data copied here), so a merge can move it.</summary>
public class Ticket
{
    public const int NumberMax = 20;
    public const int ItemMax = 200;
    public const int ProblemMax = 4000;
    public const int AssigneeMax = 100;

    public int Id { get; set; }

    /// <summary>Allocated as max + 1 under a unique index; a clash with a concurrent insert is retried.</summary>
    public int Sequence { get; set; }
    /// <summary>What people say and type: "T-000123". Unique; a later legacy import may bring its own numbers.</summary>
    [MaxLength(NumberMax)] public string Number { get; set; } = "";

    public int CustomerId { get; set; }
    public Customer? Customer { get; set; }

    public int? EquipmentId { get; set; }
    public Equipment? Equipment { get; set; }

    /// <summary>What was brought in when it is not (yet) a registered piece of equipment.</summary>
    [MaxLength(ItemMax)] public string? Item { get; set; }
    [MaxLength(ProblemMax)] public string Problem { get; set; } = "";

    public TicketStatus Status { get; set; } = TicketStatus.Open;
    public TicketPriority Priority { get; set; } = TicketPriority.Normal;

    public decimal? QuotedAmount { get; set; }
    /// <summary>Set when the ticket is closed; counted in the customer's stats only while the ticket stays closed.</summary>
    public decimal? FinalAmount { get; set; }

    public DateTime OpenedAt { get; set; }
    public DateTime? ClosedAt { get; set; }
    [MaxLength(AssigneeMax)] public string? Assignee { get; set; }

    [MaxLength(100)] public string? CreatedBy { get; set; }
    public DateTime UpdatedAt { get; set; }
    [MaxLength(100)] public string? UpdatedBy { get; set; }

    /// <summary>Two people closing the same ticket at once must not both add it to the customer's stats.</summary>
    public int Version { get; set; }

    /// <summary>Set on tickets brought over by a legacy import: the run that created it (undo deletes exactly these).</summary>
    public int? ImportRunId { get; set; }
    /// <summary>Identifies the legacy ticket (unique), so importing the same file twice imports nothing twice.</summary>
    [MaxLength(LegacyKeyMax)] public string? LegacyKey { get; set; }

    public const int LegacyKeyMax = 64;

    public static string FormatNumber(int sequence) => $"T-{sequence:D6}";
}
