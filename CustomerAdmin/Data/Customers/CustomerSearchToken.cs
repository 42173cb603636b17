using System.ComponentModel.DataAnnotations;

namespace CustomerAdmin.Data;

/// <summary>
/// One normalised search key of a non-deleted customer. Prefix searches become B-tree range scans on
/// (Kind, Token) in both databases; phones are stored with their digits reversed so "last digits" is a prefix.
/// </summary>
public class CustomerSearchToken
{
    public const int TokenMax = 100;
    public int CustomerId { get; set; }
    public SearchTokenKind Kind { get; set; }
    [MaxLength(TokenMax)] public string Token { get; set; } = "";
}
