using CustomerAdmin.Common;
using CustomerAdmin.Security;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Components.Authorization;

namespace CustomerAdmin.Features.Customers.Status;

/// <summary>The pages' side of a block override: the reason a user typed becomes an override only if their role allows one.</summary>
public static class BlockOverrides
{
    /// <returns>Null when no reason was typed (the operation then refuses a blocked customer), otherwise the override.</returns>
    /// <exception cref="RuleViolationException">A reason was typed by a user without <see cref="Permissions.CustomersOverrideBlock"/>.</exception>
    public static async Task<BlockOverride?> RequestAsync(IAuthorizationService authorization, Task<AuthenticationState>? authenticationState,
        string? reason)
    {
        if (string.IsNullOrWhiteSpace(reason)) return null;
        if (!await authorization.AllowsAsync(authenticationState, Permissions.CustomersOverrideBlock))
            throw new RuleViolationException("Your role does not allow overriding a block.", CustomerBlocks.OverrideField);
        return new BlockOverride(reason);
    }
}
