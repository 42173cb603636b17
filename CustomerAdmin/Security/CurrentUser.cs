using System.Security.Claims;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Server.Circuits;

namespace CustomerAdmin.Security;

/// <summary>
/// Who is acting right now, for code that has no <see cref="HttpContext"/>: a Blazor circuit has none after it
/// starts, so <see cref="ActorCircuitHandler"/> sets the circuit's user around each inbound event, and plain HTTP
/// requests fall back to <see cref="IHttpContextAccessor"/>. <c>AppDbContext</c> writes <see cref="Name"/> to
/// CreatedBy, UpdatedBy and the history.
/// </summary>
public sealed class CurrentUser(IHttpContextAccessor http)
{
    private static readonly AsyncLocal<ClaimsPrincipal?> CircuitUser = new();

    public ClaimsPrincipal? Principal => CircuitUser.Value ?? http.HttpContext?.User;

    /// <summary>The signed-in user's name, or null when nobody is signed in (start-up, background work).</summary>
    public string? Name => Principal?.Identity is { IsAuthenticated: true, Name: { Length: > 0 } name } ? name : null;

    internal static void SetCircuitUser(ClaimsPrincipal? user) => CircuitUser.Value = user;
}

/// <summary>Makes the circuit's signed-in user visible to <see cref="CurrentUser"/> while an event is handled.</summary>
public sealed class ActorCircuitHandler(AuthenticationStateProvider authentication) : CircuitHandler
{
    public override Func<CircuitInboundActivityContext, Task> CreateInboundActivityHandler(
        Func<CircuitInboundActivityContext, Task> next) =>
        async context =>
        {
            var state = await authentication.GetAuthenticationStateAsync();
            CurrentUser.SetCircuitUser(state.User);
            try
            {
                await next(context);
            }
            finally
            {
                CurrentUser.SetCircuitUser(null);
            }
        };
}
