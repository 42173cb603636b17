using System.ComponentModel.DataAnnotations;

namespace CustomerAdmin.Data;

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
