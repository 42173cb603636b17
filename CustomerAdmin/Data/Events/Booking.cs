using System.ComponentModel.DataAnnotations;

namespace CustomerAdmin.Data;

/// <summary>
/// A customer on an event: seats &gt; 0 attends, seats = 0 only wants the reminders. One per customer and event
/// (unique index). Deleting one removes the row; its SMS stay in the log with the booking link cleared.
/// </summary>
public class Booking
{
    public const int NotesMax = 1000;

    public int Id { get; set; }
    public int CustomerId { get; set; }
    public Customer? Customer { get; set; }
    public int EventId { get; set; }
    public Event? Event { get; set; }
    public int Seats { get; set; }
    [MaxLength(NotesMax)] public string? Notes { get; set; }

    public DateTime CreatedAt { get; set; }
    [MaxLength(100)] public string? CreatedBy { get; set; }
    public DateTime UpdatedAt { get; set; }
    [MaxLength(100)] public string? UpdatedBy { get; set; }
    public int Version { get; set; }

    public bool IsReminderOnly => Seats == 0;
}
