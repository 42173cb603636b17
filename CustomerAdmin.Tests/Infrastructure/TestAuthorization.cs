using System.Security.Claims;
using CustomerAdmin.Security;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.DependencyInjection;

namespace CustomerAdmin.Tests.Infrastructure;

/// <summary>
/// The app's real authorization service with its permission policies, and signed-in users per role, for operations
/// that check the acting user's rights themselves.
/// </summary>
public static class TestAuthorization
{
    private static readonly Lazy<IAuthorizationService> AppService = new(() => Build(b => b.AddPermissionPolicies()));

    /// <summary>The policies of <see cref="Permissions.Roles"/>, as the app registers them.</summary>
    public static IAuthorizationService App => AppService.Value;

    /// <summary>An authorization service over policies other than the app's (a role table the app might have one day).</summary>
    public static IAuthorizationService Build(Action<AuthorizationBuilder> policies)
    {
        var services = new ServiceCollection().AddLogging();
        policies(services.AddAuthorizationBuilder());
        return services.BuildServiceProvider().GetRequiredService<IAuthorizationService>();
    }

    public static ClaimsPrincipal User(string role) =>
        new(new ClaimsIdentity([new Claim(ClaimTypes.Name, $"{role.ToLowerInvariant()}@test.local"), new Claim(ClaimTypes.Role, role)], "test"));
}
