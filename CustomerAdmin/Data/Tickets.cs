using System.ComponentModel.DataAnnotations;

namespace CustomerAdmin.Data;

public enum TicketStatus { Open, InProgress, WaitingForParts, Ready, Closed, Cancelled }

public enum TicketPriority { Low, Normal, High, Urgent }

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

/// <summary>A customer's device or asset. Owner by foreign key only: no contact data is copied onto it.</summary>
public class Equipment
{
    public const int TextMax = 100;

    public int Id { get; set; }
    public int CustomerId { get; set; }
    public Customer? Customer { get; set; }

    [Required(ErrorMessage = "Enter the type, for example laptop or ultrasound scanner."), MaxLength(TextMax)] public string Type { get; set; } = "";
    [MaxLength(TextMax)] public string? Make { get; set; }
    [MaxLength(TextMax)] public string? Model { get; set; }
    /// <summary>As printed on the device; <see cref="SerialKey"/> is the searchable form.</summary>
    [MaxLength(TextMax)] public string? SerialNumber { get; set; }
    /// <summary>Upper case, letters and digits only, so "sn 12-ab" and "SN12AB" find the same device.</summary>
    [MaxLength(TextMax)] public string? SerialKey { get; set; }
    [MaxLength(Customer.NotesMax)] public string? Notes { get; set; }
    public DateTime CreatedAt { get; set; }

    public List<Ticket> Tickets { get; set; } = [];

    public string Label => string.Join(" ", new[] { Make, Model }.Where(s => !string.IsNullOrWhiteSpace(s))) is { Length: > 0 } mm
        ? $"{Type}: {mm}" : Type;

    public static string? KeyOf(string? serial)
    {
        var key = new string((serial ?? "").Where(char.IsLetterOrDigit).Select(char.ToUpperInvariant).ToArray());
        return key.Length == 0 ? null : key.Length > TextMax ? key[..TextMax] : key;
    }
}

/// <summary>A POS-style order.</summary>
public class Sale
{
    public int Id { get; set; }
    public int CustomerId { get; set; }
    public Customer? Customer { get; set; }
    public DateTime SoldAt { get; set; }
    public decimal Total { get; set; }
    [MaxLength(100)] public string? CreatedBy { get; set; }
    public List<SaleLine> Lines { get; set; } = [];
}

public class SaleLine
{
    public const int DescriptionMax = 200;

    public int Id { get; set; }
    public int SaleId { get; set; }
    [MaxLength(DescriptionMax)] public string Description { get; set; } = "";
    public int Quantity { get; set; } = 1;
    public decimal UnitPrice { get; set; }
    public decimal LineTotal { get; set; }
}
