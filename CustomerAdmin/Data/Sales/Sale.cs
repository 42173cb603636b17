using System.ComponentModel.DataAnnotations;

namespace CustomerAdmin.Data;

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
