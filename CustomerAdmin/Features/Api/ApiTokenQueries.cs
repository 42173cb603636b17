using CustomerAdmin.Data;
using Microsoft.EntityFrameworkCore;

namespace CustomerAdmin.Features.Api;

/// <summary>What the token page reads: the tokens (never a secret nor its hash) and the users who may own one.</summary>
public static class ApiTokenQueries
{
    public static async Task<List<ApiTokenSummary>> ApiTokensAsync(this AppDbContext db, CancellationToken ct = default)
    {
        var rows = await db.ApiTokens.AsNoTracking()
            .OrderBy(t => t.RevokedAt != null).ThenByDescending(t => t.CreatedAt).ThenByDescending(t => t.Id)
            .Select(t => new { Token = t, Owner = db.Users.Where(u => u.Id == t.UserId).Select(u => u.UserName).FirstOrDefault() })
            .Take(500).ToListAsync(ct);
        return rows.Select(r => new ApiTokenSummary(r.Token.Id, r.Token.Name, r.Owner ?? "",
            r.Token.Scopes.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries), r.Token.Prefix,
            r.Token.CreatedAt, r.Token.CreatedBy, r.Token.ExpiresAt, r.Token.LastUsedAt, r.Token.RevokedAt)).ToList();
    }

    /// <summary>The users a token can be made for (not locked out at <paramref name="now"/>), by email, with their roles.</summary>
    public static async Task<List<ApiTokenOwner>> ApiTokenOwnersAsync(this AppDbContext db, DateTimeOffset now, CancellationToken ct = default)
    {
        var users = await db.Users.AsNoTracking().Where(u => u.Email != null).OrderBy(u => u.Email).Take(1000)
            .Select(u => new { u.Id, u.Email, u.LockoutEnd }).ToListAsync(ct);
        var roles = await db.UserRoles.Join(db.Roles, ur => ur.RoleId, r => r.Id, (ur, r) => new { ur.UserId, r.Name }).ToListAsync(ct);
        var byUser = roles.ToLookup(r => r.UserId, r => r.Name!);
        return users.Where(u => !(u.LockoutEnd > now))
            .Select(u => new ApiTokenOwner(u.Email!, byUser[u.Id].Order(StringComparer.Ordinal).ToList())).ToList();
    }
}
