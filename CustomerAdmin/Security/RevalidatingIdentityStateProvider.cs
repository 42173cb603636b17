using System.Security.Claims;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Server;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace CustomerAdmin.Security;

/// <summary>
/// A circuit lives for hours; every minute it checks that its sign-in session has not ended (signed out elsewhere
/// with a copy of the cookie, or ended by a password, role or lock change), that the user still exists, is not
/// locked out and has the same security stamp, and signs the circuit out otherwise.
/// </summary>
public sealed class RevalidatingIdentityStateProvider(
    ILoggerFactory loggerFactory, IServiceScopeFactory scopes, IOptions<IdentityOptions> options, UserSessions sessions)
    : RevalidatingServerAuthenticationStateProvider(loggerFactory)
{
    protected override TimeSpan RevalidationInterval => TimeSpan.FromMinutes(1);

    protected override Task<bool> ValidateAuthenticationStateAsync(AuthenticationState state, CancellationToken ct) =>
        IsStillValidAsync(state, ct);

    internal async Task<bool> IsStillValidAsync(AuthenticationState state, CancellationToken ct)
    {
        if (!await sessions.IsActiveAsync(state.User, ct)) return false;
        // A fresh scope: the circuit's own scope lives too long to hold a DbContext.
        await using var scope = scopes.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<AppUser>>();
        var user = await users.GetUserAsync(state.User);
        if (user is null || await users.IsLockedOutAsync(user)) return false;
        if (!users.SupportsUserSecurityStamp) return true;
        var stamp = state.User.FindFirstValue(options.Value.ClaimsIdentity.SecurityStampClaimType);
        return stamp == await users.GetSecurityStampAsync(user);
    }
}
