using System.ComponentModel.DataAnnotations;

namespace CustomerAdmin.Data;

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
