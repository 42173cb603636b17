using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Components.Authorization;

namespace CustomerAdmin.Security;

public static class AuthorizationExtensions
{
    /// <summary>
    /// The server-side check a handler makes before it acts: hiding a button is for the user's convenience, this is
    /// what protects the data.
    /// </summary>
    public static async Task<bool> AllowsAsync(this IAuthorizationService authorization,
        Task<AuthenticationState>? authenticationState, string permission)
    {
        if (authenticationState is null) return false;
        var user = (await authenticationState).User;
        return (await authorization.AuthorizeAsync(user, permission)).Succeeded;
    }
}
