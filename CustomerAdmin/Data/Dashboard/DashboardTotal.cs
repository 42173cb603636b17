using System.ComponentModel.DataAnnotations;

namespace CustomerAdmin.Data;

/// <summary>
/// One cell of the dashboard's summary: a sum kept up to date in the same transaction as the customers, tickets and
/// sales it counts, so the dashboard reads a few hundred small rows instead of a year of tickets. Days are venue
/// calendar days as <see cref="DateOnly.DayNumber"/>.
/// </summary>
public sealed class DashboardTotal
{
    public DashboardSeries Series { get; set; }
    public int Day { get; set; }
    public int Other { get; set; }
    [MaxLength(Customer.NameMax)] public string Text { get; set; } = "";
    public long Value { get; set; }
}
