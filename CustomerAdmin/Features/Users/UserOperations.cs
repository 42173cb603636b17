using CustomerAdmin.Data;
using CustomerAdmin.Security;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace CustomerAdmin.Features.Users;

public sealed record UserRow(string Id, string Email, IReadOnlyList<string> Roles, DateTimeOffset? LockedUntil,
    DateTime? LastSignInAt, DateTime CreatedAt, int FailedSignIns)
{
    public bool IsLocked(DateTimeOffset now) => LockedUntil is { } until && until > now;
}

public sealed record UserResult(bool Succeeded, string? Error = null, string? Password = null)
{
    public static UserResult Ok(string? password = null) => new(true, Password: password);
    public static UserResult Fail(string error) => new(false, error);
}

/// <summary>
/// What the Users page does, and the rules it keeps: there is always at least one admin who can sign in, and a
/// changed role, lock or password ends the user's other sessions (the security stamp changes). Each operation takes
/// its own scope, so no DbContext outlives it (the page lives in a circuit for hours).
/// </summary>
public sealed class UserOperations(IServiceScopeFactory scopes, IDbContextFactory<AppDbContext> dbFactory,
    UserSessions sessions, TimeProvider time, ILogger<UserOperations> logger)
{
    public const string LastAdminMessage = "This is the last administrator who can sign in: make someone else an admin first.";

    public async Task<IReadOnlyList<UserRow>> ListAsync(CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var users = await db.Users.AsNoTracking()
            .Select(u => new { u.Id, u.Email, u.LockoutEnd, u.LastSignInAt, u.CreatedAt, u.AccessFailedCount })
            .ToListAsync(ct);
        var roles = await (from ur in db.UserRoles join r in db.Roles on ur.RoleId equals r.Id select new { ur.UserId, r.Name })
            .ToListAsync(ct);
        var byUser = roles.ToLookup(r => r.UserId, r => r.Name!);
        return users
            .Select(u => new UserRow(u.Id, u.Email ?? "", byUser[u.Id].Order().ToList(), u.LockoutEnd, u.LastSignInAt, u.CreatedAt, u.AccessFailedCount))
            .OrderBy(u => u.Email, StringComparer.OrdinalIgnoreCase)
            .ToList();
    }

    /// <param name="password">Null or blank: a random one is generated and returned, to be handed over once.</param>
    public async Task<UserResult> CreateAsync(string email, string role, string? password)
    {
        email = email.Trim();
        if (!AppRoles.All.Contains(role)) return UserResult.Fail($"There is no role {role}.");
        await using var scope = scopes.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<AppUser>>();
        if (await users.FindByEmailAsync(email) is not null)
            return UserResult.Fail($"There is already a user {email}.");
        var generated = string.IsNullOrWhiteSpace(password);
        password = generated ? PasswordRules.Generate() : password!;
        var user = new AppUser { UserName = email, Email = email, EmailConfirmed = true, CreatedAt = time.GetUtcNow().UtcDateTime };
        var created = await users.CreateAsync(user, password);
        if (!created.Succeeded) return Fail(created);
        var added = await users.AddToRoleAsync(user, role);
        if (!added.Succeeded) return Fail(added);
        logger.LogInformation("Created user {UserId} with role {Role}", user.Id, role);
        return UserResult.Ok(generated ? password : null);
    }

    public async Task<UserResult> SetRolesAsync(string userId, IReadOnlyCollection<string> roles)
    {
        if (roles.Any(r => !AppRoles.All.Contains(r))) return UserResult.Fail("Unknown role.");
        await using var scope = scopes.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<AppUser>>();
        var user = await users.FindByIdAsync(userId);
        if (user is null) return UserResult.Fail("That user no longer exists.");
        var current = await users.GetRolesAsync(user);
        if (current.Contains(AppRoles.Admin) && !roles.Contains(AppRoles.Admin) && !await AnotherActiveAdminAsync(users, user))
            return UserResult.Fail(LastAdminMessage);
        var removed = await users.RemoveFromRolesAsync(user, current.Except(roles).ToList());
        if (!removed.Succeeded) return Fail(removed);
        var added = await users.AddToRolesAsync(user, roles.Except(current).ToList());
        if (!added.Succeeded) return Fail(added);
        await users.UpdateSecurityStampAsync(user);
        // The new stamp ends circuits within a minute; ending the sessions stops the next request at once.
        await sessions.EndAllAsync(user.Id);
        logger.LogInformation("Roles of user {UserId} set to {Roles}", user.Id, string.Join(", ", roles));
        return UserResult.Ok();
    }

    public async Task<UserResult> LockAsync(string userId)
    {
        await using var scope = scopes.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<AppUser>>();
        var user = await users.FindByIdAsync(userId);
        if (user is null) return UserResult.Fail("That user no longer exists.");
        if (await users.IsInRoleAsync(user, AppRoles.Admin) && !await AnotherActiveAdminAsync(users, user))
            return UserResult.Fail(LastAdminMessage);
        await users.SetLockoutEnabledAsync(user, true);
        var locked = await users.SetLockoutEndDateAsync(user, DateTimeOffset.MaxValue);
        if (!locked.Succeeded) return Fail(locked);
        await users.UpdateSecurityStampAsync(user);
        await sessions.EndAllAsync(user.Id);
        logger.LogInformation("Locked user {UserId}", user.Id);
        return UserResult.Ok();
    }

    public async Task<UserResult> UnlockAsync(string userId)
    {
        await using var scope = scopes.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<AppUser>>();
        var user = await users.FindByIdAsync(userId);
        if (user is null) return UserResult.Fail("That user no longer exists.");
        var unlocked = await users.SetLockoutEndDateAsync(user, null);
        if (!unlocked.Succeeded) return Fail(unlocked);
        await users.ResetAccessFailedCountAsync(user);
        logger.LogInformation("Unlocked user {UserId}", user.Id);
        return UserResult.Ok();
    }

    /// <summary>Sets a new random password, returned once so the admin can hand it over.</summary>
    public async Task<UserResult> ResetPasswordAsync(string userId)
    {
        await using var scope = scopes.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<AppUser>>();
        var user = await users.FindByIdAsync(userId);
        if (user is null) return UserResult.Fail("That user no longer exists.");
        var password = PasswordRules.Generate();
        var token = await users.GeneratePasswordResetTokenAsync(user);
        var reset = await users.ResetPasswordAsync(user, token, password);
        if (!reset.Succeeded) return Fail(reset);
        await users.ResetAccessFailedCountAsync(user);
        await sessions.EndAllAsync(user.Id);
        logger.LogInformation("Reset the password of user {UserId}", user.Id);
        return UserResult.Ok(password);
    }

    /// <summary>Is there an admin other than <paramref name="except"/> who is not locked out?</summary>
    private async Task<bool> AnotherActiveAdminAsync(UserManager<AppUser> users, AppUser except)
    {
        var now = time.GetUtcNow();
        var admins = await users.GetUsersInRoleAsync(AppRoles.Admin);
        return admins.Any(a => a.Id != except.Id && (a.LockoutEnd is null || a.LockoutEnd <= now));
    }

    private static UserResult Fail(IdentityResult result) =>
        UserResult.Fail(string.Join(" ", result.Errors.Select(e => e.Description)));
}
