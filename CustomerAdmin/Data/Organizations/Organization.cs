using System.ComponentModel.DataAnnotations;

namespace CustomerAdmin.Data;

public class Organization
{
    public int Id { get; set; }
    [Required, MaxLength(Customer.OrgNameMax)] public string Name { get; set; } = "";
    [MaxLength(Customer.PhoneMax)] public string? Phone { get; set; }
    [MaxLength(Customer.EmailMax), EmailAddress] public string? Email { get; set; }
    [MaxLength(Customer.LineMax), WebAddress] public string? Website { get; set; }
    [MaxLength(Customer.NameMax)] public string? City { get; set; }
    [MaxLength(Customer.NotesMax)] public string? Notes { get; set; }
    public DateTime CreatedAt { get; set; }
    /// <summary>Concurrency token: goes up by one with every save of the organisation form.</summary>
    [ConcurrencyCheck] public int Version { get; set; }
    public List<Customer> Customers { get; set; } = [];
}
