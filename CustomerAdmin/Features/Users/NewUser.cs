using System.ComponentModel.DataAnnotations;
using CustomerAdmin.Security;

namespace CustomerAdmin.Features.Users;

public sealed class NewUser
{
    [Required(ErrorMessage = "Enter the email address the user signs in with.")]
    [EmailAddress(ErrorMessage = "Enter an email address like name@example.com.")]
    [MaxLength(256)]
    public string Email { get; set; } = "";

    [Required]
    public string Role { get; set; } = AppRoles.Staff;

    /// <summary>Optional: blank makes a random one, shown once.</summary>
    [MaxLength(128)]
    public string? Password { get; set; }
}
