using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;

namespace CustomerAdmin.Security;

/// <summary>
/// The per-account half of the sign-in limits (the per-address half is the rate-limiting policy
/// <see cref="SecuritySetup.PasswordRateLimitPolicy"/>): password attempts against one account name, from any
/// number of addresses, are limited per minute. A refused attempt checks no password, so it can neither find the
/// password nor add to the account's failed count: strangers can slow an account's sign-in for a minute at a time,
/// and lock it only for the lockout period, never for good.
/// </summary>
public sealed class SignInThrottle : IDisposable
{
    public const string Message = "Too many attempts for this account. Wait a minute, then try again.";

    private readonly PartitionedRateLimiter<string> _limiter;

    public SignInThrottle(IOptions<SecurityOptions> options)
    {
        var permits = options.Value.SignInAttemptsPerAccountPerMinute;
        _limiter = PartitionedRateLimiter.Create<string, string>(account => RateLimitPartition.GetFixedWindowLimiter(account,
            _ => new FixedWindowRateLimiterOptions { PermitLimit = permits, Window = TimeSpan.FromMinutes(1), QueueLimit = 0 }));
    }

    /// <summary>Takes one attempt for <paramref name="accountName"/> (as typed: case and surrounding spaces do not matter).</summary>
    public bool TryAcquire(string accountName)
    {
        // Identity finds users by their upper-cased name, so every spelling that reaches one account shares its budget.
        var key = accountName.Trim().ToUpperInvariant();
        if (key.Length > 256) key = key[..256];
        using var lease = _limiter.AttemptAcquire(key);
        return lease.IsAcquired;
    }

    public void Dispose() => _limiter.Dispose();
}
