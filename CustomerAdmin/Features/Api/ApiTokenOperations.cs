using System.Security.Cryptography;
using System.Text;
using CustomerAdmin.Common;
using CustomerAdmin.Data;
using CustomerAdmin.Security;
using Microsoft.EntityFrameworkCore;

namespace CustomerAdmin.Features.Api;

/// <summary>A token as made: the secret exists only here, once.</summary>
public sealed record NewApiToken(ApiToken Token, string Secret);

/// <summary>A token as the settings page lists it (never the secret nor its hash).</summary>
public sealed record ApiTokenSummary(int Id, string Name, string Owner, IReadOnlyList<string> Scopes, string Prefix,
    DateTime CreatedAt, string? CreatedBy, DateTime? ExpiresAt, DateTime? LastUsedAt, DateTime? RevokedAt);

/// <summary>A user who may own a token, with the roles that bound its scopes.</summary>
public sealed record ApiTokenOwner(string Email, IReadOnlyList<string> Roles);

/// <summary>The owner and rights of a presented secret, when it is a live token.</summary>
public sealed record ApiCaller(int TokenId, string TokenName, string UserId, string UserName, IReadOnlyList<string> Scopes);

/// <summary>
/// Making, listing, revoking and checking API tokens. A token's scopes are permission names from
/// <see cref="Permissions.Roles"/>, at most those its owner's roles hold; at each request the token counts for the
/// scopes the owner still holds, so a role taken away narrows the token at once.
/// </summary>
public sealed class ApiTokenOperations(IDbContextFactory<AppDbContext> dbFactory, TimeProvider time)
{
    /// <summary>What every secret starts with, so a leaked one is recognisable (secret scanners, logs).</summary>
    public const string SecretPrefix = "cat_";

    public async Task<NewApiToken> CreateAsync(string ownerEmail, string name, IEnumerable<string> scopes, DateTime? expiresAt,
        string? actor = null, CancellationToken ct = default)
    {
        name = (name ?? "").Trim();
        if (name.Length == 0) throw new RuleViolationException("Give the token a name that says what uses it.", nameof(ApiToken.Name));
        if (name.Length > ApiToken.NameMax) throw new RuleViolationException($"Use at most {ApiToken.NameMax} characters.", nameof(ApiToken.Name));
        var wanted = scopes.Select(s => s.Trim()).Where(s => s.Length > 0).Distinct(StringComparer.Ordinal).ToList();
        if (wanted.Count == 0) throw new RuleViolationException("Choose at least one scope.", nameof(ApiToken.Scopes));
        if (wanted.FirstOrDefault(s => !Permissions.Roles.ContainsKey(s)) is { } unknown)
            throw new RuleViolationException($"'{unknown}' is not a permission. Scopes are: {string.Join(", ", Permissions.Roles.Keys)}.", nameof(ApiToken.Scopes));
        var now = time.GetUtcNow().UtcDateTime;
        if (expiresAt is { } expiry && expiry <= now)
            throw new RuleViolationException("The expiry must be in the future.", nameof(ApiToken.ExpiresAt));

        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var email = (ownerEmail ?? "").Trim().ToUpperInvariant();
        var owner = await db.Users.Where(u => u.NormalizedEmail == email).Select(u => new { u.Id, u.UserName }).FirstOrDefaultAsync(ct)
            ?? throw new RuleViolationException($"There is no user with the email {ownerEmail}.", "Owner");
        var held = HeldBy(await RolesOfAsync(db, owner.Id, ct));
        if (wanted.FirstOrDefault(s => !held.Contains(s)) is { } beyond)
            throw new RuleViolationException($"{owner.UserName}'s role does not hold '{beyond}', so their token cannot have it.", nameof(ApiToken.Scopes));

        var secret = SecretPrefix + Base64Url(RandomNumberGenerator.GetBytes(32));
        var token = new ApiToken
        {
            Name = name, UserId = owner.Id, Scopes = string.Join(",", wanted), SecretHash = Hash(secret),
            Prefix = secret[..(SecretPrefix.Length + 6)], CreatedAt = now, CreatedBy = actor ?? db.Actor, ExpiresAt = expiresAt,
        };
        db.ApiTokens.Add(token);
        await db.SaveChangesAsync(ct);
        return new NewApiToken(token, secret);
    }

    /// <returns>False when there is no such token or it was already revoked.</returns>
    public async Task<bool> RevokeAsync(int tokenId, string? actor = null, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var token = await db.ApiTokens.FirstOrDefaultAsync(t => t.Id == tokenId && t.RevokedAt == null, ct);
        if (token is null) return false;
        token.RevokedAt = time.GetUtcNow().UtcDateTime;
        token.RevokedBy = actor ?? db.Actor;
        await db.SaveChangesAsync(ct);
        return true;
    }

    /// <summary>
    /// The caller a presented secret stands for, or null when it is unknown, revoked, expired, or its owner is locked
    /// out. Read from the database at every request, so a revocation counts from the next one.
    /// </summary>
    public async Task<ApiCaller?> AuthenticateAsync(string secret, CancellationToken ct = default)
    {
        if (!secret.StartsWith(SecretPrefix, StringComparison.Ordinal) || secret.Length > 100) return null;
        var hash = Hash(secret);
        var now = time.GetUtcNow().UtcDateTime;
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        // One statement: the token, its owner and the owner's roles (a row per role), so every request pays one round
        // trip for the check that makes a revocation, a lock-out or a role taken away count from the next request.
        var rows = new List<TokenRow>(2);
        await foreach (var row in TokenRows.GetValue(db.Model, _ => CompileTokenRows())(db, hash).WithCancellation(ct))
            rows.Add(row);
        if (rows.Count == 0) return null;
        var found = rows[0];
        if (found.ExpiresAt <= now || found.LockoutEnd > time.GetUtcNow()) return null;
        var held = HeldBy(rows.Where(r => r.Role is not null).Select(r => r.Role!));
        if (found.LastUsedAt is null || found.LastUsedAt < now.AddMinutes(-1))
            await db.ApiTokens.Where(t => t.Id == found.Id).ExecuteUpdateAsync(s => s.SetProperty(t => t.LastUsedAt, now), ct);
        return new ApiCaller(found.Id, found.Name, found.UserId, found.UserName ?? "",
            SplitScopes(found.Scopes).Where(held.Contains).ToList());
    }

    private sealed record TokenRow(int Id, string Name, string UserId, string Scopes, DateTime? ExpiresAt, DateTime? LastUsedAt,
        string? UserName, DateTimeOffset? LockoutEnd, string? Role);

    // Compiled (per model: a process holds one per provider): at every API request EF would otherwise look its SQL up
    // by hashing and comparing the expression tree.
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<Microsoft.EntityFrameworkCore.Metadata.IModel,
        Func<AppDbContext, string, IAsyncEnumerable<TokenRow>>> TokenRows = new();

    private static Func<AppDbContext, string, IAsyncEnumerable<TokenRow>> CompileTokenRows() => EF.CompileAsyncQuery((AppDbContext db, string hash) =>
        from t in db.ApiTokens.AsNoTracking()
        where t.SecretHash == hash && t.RevokedAt == null
        join u in db.Users on t.UserId equals u.Id
        from ur in db.UserRoles.Where(r => r.UserId == u.Id).DefaultIfEmpty()
        from r in db.Roles.Where(r => ur != null && r.Id == ur.RoleId).DefaultIfEmpty()
        select new TokenRow(t.Id, t.Name, t.UserId, t.Scopes, t.ExpiresAt, t.LastUsedAt, u.UserName, u.LockoutEnd, r == null ? null : r.Name));

    /// <summary>The permissions a user with these roles holds.</summary>
    public static HashSet<string> HeldBy(IEnumerable<string> roles)
    {
        var set = roles.ToHashSet(StringComparer.Ordinal);
        return Permissions.Roles.Where(p => p.Value.Any(set.Contains)).Select(p => p.Key).ToHashSet(StringComparer.Ordinal);
    }

    public static string Hash(string secret) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));

    private static Task<List<string>> RolesOfAsync(AppDbContext db, string userId, CancellationToken ct) =>
        db.UserRoles.Where(r => r.UserId == userId).Join(db.Roles, ur => ur.RoleId, r => r.Id, (_, r) => r.Name!).ToListAsync(ct);

    private static List<string> SplitScopes(string scopes) =>
        scopes.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
