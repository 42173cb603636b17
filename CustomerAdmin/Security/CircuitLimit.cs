using System.Collections.Concurrent;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Server.Circuits;
using Microsoft.Extensions.Options;

namespace CustomerAdmin.Security;

/// <summary>How many interactive circuits each user has open, across the whole app (one instance).</summary>
public sealed class UserCircuits
{
    private readonly ConcurrentDictionary<string, int> _open = new();

    public bool TryEnter(string userId, int max)
    {
        while (true)
        {
            var current = _open.GetOrAdd(userId, 0);
            if (current >= max) return false;
            if (_open.TryUpdate(userId, current + 1, current)) return true;
        }
    }

    public void Leave(string userId)
    {
        while (_open.TryGetValue(userId, out var current))
        {
            if (current <= 1 ? _open.TryRemove(new KeyValuePair<string, int>(userId, current)) : _open.TryUpdate(userId, current - 1, current))
                return;
        }
    }

    public int OpenFor(string userId) => _open.TryGetValue(userId, out var count) ? count : 0;
}

/// <summary>
/// Admits a new circuit only while its user has fewer than <see cref="SecurityOptions.MaxCircuitsPerUser"/> open, so
/// one account (or a stolen cookie) cannot hold the server's memory with thousands of tabs. A refused circuit renders
/// <see cref="Message"/> instead of the app (see <c>Routes.razor</c>) and holds no page state.
/// </summary>
public sealed class CircuitAdmission(AuthenticationStateProvider authentication, UserCircuits circuits,
    IOptions<SecurityOptions> options, LogThrottle logThrottle, ILogger<CircuitAdmission> logger) : CircuitHandler
{
    public const string Message =
        "You have too many CustomerAdmin tabs or windows open. Close some of them, then reload this page.";

    private string? _countedUser;

    /// <summary>True in a circuit that was over its user's limit when it opened.</summary>
    public bool Refused { get; private set; }

    public override async Task OnCircuitOpenedAsync(Circuit circuit, CancellationToken cancellationToken)
    {
        var state = await authentication.GetAuthenticationStateAsync();
        if (UserSessions.UserId(state.User) is not { } userId) return;
        var max = options.Value.MaxCircuitsPerUser;
        if (circuits.TryEnter(userId, max))
        {
            _countedUser = userId;
            return;
        }
        Refused = true;
        if (logThrottle.ShouldLog(nameof(CircuitAdmission), out var suppressed))
            logger.LogWarning("Refused a circuit for user {UserId}: {Max} already open ({Suppressed} similar refusals not logged)",
                userId, max, suppressed);
    }

    public override Task OnCircuitClosedAsync(Circuit circuit, CancellationToken cancellationToken)
    {
        if (_countedUser is { } userId)
        {
            circuits.Leave(userId);
            _countedUser = null;
        }
        return Task.CompletedTask;
    }
}
