using System.ComponentModel.DataAnnotations;

namespace CustomerAdmin.Features.Account;

public sealed class SignInInput
{
    [Required(ErrorMessage = "Enter your email address.")]
    public string Email { get; set; } = "";

    [Required(ErrorMessage = "Enter your password.")]
    [DataType(DataType.Password)]
    public string Password { get; set; } = "";
}

public sealed class ChangePasswordInput
{
    [Required(ErrorMessage = "Enter your current password.")]
    [DataType(DataType.Password)]
    public string CurrentPassword { get; set; } = "";

    [Required(ErrorMessage = "Enter a new password.")]
    [DataType(DataType.Password)]
    public string NewPassword { get; set; } = "";

    [Required(ErrorMessage = "Type the new password again.")]
    [Compare(nameof(NewPassword), ErrorMessage = "The two new passwords differ.")]
    [DataType(DataType.Password)]
    public string ConfirmPassword { get; set; } = "";
}

internal static class ReturnUrls
{
    /// <summary>Only a path inside this app, so the sign-in page cannot be used to send people elsewhere.</summary>
    public static string Safe(string? returnUrl) =>
        returnUrl is { Length: > 0 and < 2000 } url && url[0] == '/' && !url.StartsWith("//") && !url.StartsWith("/\\")
            && Uri.IsWellFormedUriString(url, UriKind.Relative)
            ? url
            : "/";
}
