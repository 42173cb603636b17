using Microsoft.AspNetCore.Identity;

namespace CustomerAdmin.Security;

/// <summary>A member of staff who signs in. The user name is the email address.</summary>
public sealed class AppUser : IdentityUser
{
    public DateTime CreatedAt { get; set; }
    public DateTime? LastSignInAt { get; set; }
}
