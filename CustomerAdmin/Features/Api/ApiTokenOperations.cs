using System.Security.Cryptography;
using System.Text;
using CustomerAdmin.Common;
using CustomerAdmin.Data;
using CustomerAdmin.Data.Sql;
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
    public async Task<ApiCaller?> AuthenticateAsync(string secret, CancellationToken ct = default) =>
        (await AuthenticateAsync<object?>(secret, null, ct)).Caller;

    /// <summary>
    /// <see cref="AuthenticateAsync(string, CancellationToken)"/>, with <paramref name="beside"/> (an endpoint's one
    /// read, on the same context) run in the same round trip as the check: the check's statement goes out in front of
    /// the read's query (<see cref="StatementAhead"/>). The read's result is returned only with a caller; without one
    /// the caller must discard it (it is read, never shown). If the read ran no query, the check runs alone.
    /// </summary>
    public async Task<(ApiCaller? Caller, T? Read)> AuthenticateAsync<T>(string secret,
        Func<AppDbContext, CancellationToken, Task<T>>? beside, CancellationToken ct = default)
    {
        if (!secret.StartsWith(SecretPrefix, StringComparison.Ordinal) || secret.Length > 100) return (null, default);
        var hash = Hash(secret);
        var now = time.GetUtcNow().UtcDateTime;
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await using var open = await db.Database.KeepConnectionOpenAsync(ct);
        // One statement: the token, its owner and the owner's roles (a row per role), so every request pays one round
        // trip at most for the check that makes a revocation, a lock-out or a role taken away count from the next request.
        var check = ApiTokenSql.For(db);
        List<ApiTokenCheckRow>? rows = null;
        T? read = default;
        if (beside is not null)
        {
            db.Ahead = new StatementAhead(check.Text, [(ApiTokenSql.HashParameter, hash)],
                async (reader, token) => rows = await ApiTokenSql.ReadAsync(reader, token));
            try
            {
                read = await beside(db, ct);
            }
            finally
            {
                db.Ahead = null;
            }
        }
        rows ??= await check.RunAsync(db, hash, ct);
        if (rows.Count == 0) return (null, default);
        var found = rows[0];
        if (found.ExpiresAt <= now || found.LockoutEnd > time.GetUtcNow()) return (null, default);
        var held = HeldBy(rows.Where(r => r.Role is not null).Select(r => r.Role!));
        if (found.LastUsedAt is null || found.LastUsedAt < now.AddMinutes(-1))
            await db.ApiTokens.Where(t => t.Id == found.Id).ExecuteUpdateAsync(s => s.SetProperty(t => t.LastUsedAt, now), ct);
        return (new ApiCaller(found.Id, found.Name, found.UserId, found.UserName ?? "",
            SplitScopes(found.Scopes).Where(held.Contains).ToList()), read);
    }

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
