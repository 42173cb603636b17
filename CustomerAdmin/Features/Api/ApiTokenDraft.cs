using System.ComponentModel.DataAnnotations;
using CustomerAdmin.Data;

namespace CustomerAdmin.Features.Api;

/// <summary>How long a new token lives, as the token page offers it.</summary>
public enum ApiTokenLifetime { Days30, Days90, Year, Never }

/// <summary>The token page's form.</summary>
public sealed class ApiTokenDraft
{
    [Required(ErrorMessage = "Give the token a name that says what uses it."), MaxLength(ApiToken.NameMax)]
    public string Name { get; set; } = "";

    /// <summary>The owner's email: the token acts as this user.</summary>
    [Required(ErrorMessage = "Choose whose rights the token uses.")]
    public string? Owner { get; set; }

    public IReadOnlyCollection<string> Scopes { get; set; } = [];

    public ApiTokenLifetime Lifetime { get; set; } = ApiTokenLifetime.Days90;

    public DateTime? ExpiresAt(DateTime nowUtc) => Lifetime switch
    {
        ApiTokenLifetime.Days30 => nowUtc.AddDays(30),
        ApiTokenLifetime.Days90 => nowUtc.AddDays(90),
        ApiTokenLifetime.Year => nowUtc.AddYears(1),
        _ => null,
    };
}
