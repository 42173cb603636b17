using System.Globalization;
using System.Security.Claims;
using CustomerAdmin.Data;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace CustomerAdmin.Security;

/// <summary>
/// Server-side record of every sign-in session, so that a session can end before its cookie does: signing out
/// removes the record, and a copied cookie whose record is gone is refused on its next request. The records live in
/// Identity's user-token table (one row per session, keyed by user and a random session id), which needs no schema
/// of its own; the cookie carries the session id in <see cref="ClaimType"/>.
/// </summary>
public sealed class UserSessions(IDbContextFactory<AppDbContext> dbFactory, TimeProvider time, IOptions<SecurityOptions> options)
{
    public const string ClaimType = "customeradmin:session";
    public const string LoginProvider = "[CustomerAdminSession]";

    /// <summary>Records a new session for <paramref name="userId"/> and returns its id; the user's expired records go.</summary>
    public async Task<string> StartAsync(string userId, CancellationToken ct = default)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var id = Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16));
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        // Sessions that expired without a sign-out would otherwise stay for ever; each new sign-in sweeps its user's.
        var expired = Stamp(now - options.Value.MaxSessionAge);
        await db.UserTokens.Where(t => t.UserId == userId && t.LoginProvider == LoginProvider && string.Compare(t.Value, expired) < 0)
            .ExecuteDeleteAsync(ct);
        db.UserTokens.Add(new IdentityUserToken<string> { UserId = userId, LoginProvider = LoginProvider, Name = id, Value = Stamp(now) });
        await db.SaveChangesAsync(ct);
        return id;
    }

    /// <summary>Is the session in <paramref name="principal"/>'s cookie still recorded and younger than the maximum age?</summary>
    public async Task<bool> IsActiveAsync(ClaimsPrincipal principal, CancellationToken ct = default)
    {
        if (UserId(principal) is not { } userId || principal.FindFirstValue(ClaimType) is not { } id) return false;
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var started = await db.UserTokens.AsNoTracking()
            .Where(t => t.UserId == userId && t.LoginProvider == LoginProvider && t.Name == id)
            .Select(t => t.Value).FirstOrDefaultAsync(ct);
        return started is not null && string.CompareOrdinal(started, Stamp(time.GetUtcNow().UtcDateTime - options.Value.MaxSessionAge)) >= 0;
    }

    /// <summary>Ends the session in <paramref name="principal"/>'s cookie (sign-out).</summary>
    public async Task EndAsync(ClaimsPrincipal principal, CancellationToken ct = default)
    {
        if (UserId(principal) is not { } userId || principal.FindFirstValue(ClaimType) is not { } id) return;
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await db.UserTokens.Where(t => t.UserId == userId && t.LoginProvider == LoginProvider && t.Name == id).ExecuteDeleteAsync(ct);
    }

    /// <summary>Ends every session of the user except <paramref name="keepSessionId"/> (a new password, role or lock).</summary>
    public async Task EndAllAsync(string userId, string? keepSessionId = null, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await db.UserTokens.Where(t => t.UserId == userId && t.LoginProvider == LoginProvider && t.Name != keepSessionId)
            .ExecuteDeleteAsync(ct);
    }

    public static string? UserId(ClaimsPrincipal principal) => principal.FindFirstValue(ClaimTypes.NameIdentifier);

    // Fixed-width UTC text sorts as the instant does, in both databases.
    private static string Stamp(DateTime utc) => utc.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);
}
