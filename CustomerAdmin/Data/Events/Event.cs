using System.ComponentModel.DataAnnotations;

namespace CustomerAdmin.Data;

/// <summary>Something customers book seats for. <see cref="StartsAt"/> is UTC; pages show it in the venue's time zone.</summary>
public class Event
{
    public const int NameMax = 200;
    public const int DescriptionMax = 4000;

    public int Id { get; set; }
    [MaxLength(NameMax)] public string Name { get; set; } = "";
    public DateTime StartsAt { get; set; }
    /// <summary>Seats on sale; never below the seats already booked.</summary>
    public int Capacity { get; set; }
    public decimal Price { get; set; }
    [MaxLength(DescriptionMax)] public string? Description { get; set; }
    public EventStatus Status { get; set; } = EventStatus.Scheduled;
    public DateTime? CancelledAt { get; set; }

    public DateTime CreatedAt { get; set; }
    [MaxLength(100)] public string? CreatedBy { get; set; }
    public DateTime UpdatedAt { get; set; }
    [MaxLength(100)] public string? UpdatedBy { get; set; }
    /// <summary>Two people editing one event must not overwrite each other silently.</summary>
    public int Version { get; set; }

    public List<Booking> Bookings { get; set; } = [];
}
