using System.Text;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace CustomerAdmin.Security;

/// <summary>
/// The first start of an empty database: creates the roles, the first admin, and with the demo data one demo user
/// per role, so the app can be signed into without any password in the code or the repository.
/// </summary>
public sealed class UserSeeder(IServiceScopeFactory scopes, IOptions<AdminOptions> admin, TimeProvider time,
    ILogger<UserSeeder> logger)
{
    public const string DemoDomain = "demo.customeradmin.local";

    public static string DemoEmail(string role) => $"{role.ToLowerInvariant()}@{DemoDomain}";

    /// <returns>The sign-ins created (email, password, role); empty when users existed already.</returns>
    public async Task<IReadOnlyList<(string Email, string Password, string Role)>> SeedAsync(bool withDemoUsers, CancellationToken ct = default)
    {
        await using var scope = scopes.CreateAsyncScope();
        var roles = scope.ServiceProvider.GetRequiredService<RoleManager<IdentityRole>>();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<AppUser>>();
        foreach (var role in AppRoles.All)
        {
            if (!await roles.RoleExistsAsync(role))
                Check(await roles.CreateAsync(new IdentityRole(role)), role);
        }
        if (users.Users.Any())
            return [];

        var created = new List<(string, string, string)>();
        var configured = !string.IsNullOrWhiteSpace(admin.Value.Password);
        var adminEmail = string.IsNullOrWhiteSpace(admin.Value.Email) ? AdminOptions.DefaultEmail : admin.Value.Email.Trim();
        var adminPassword = configured ? admin.Value.Password! : PasswordRules.Generate();
        await CreateAsync(users, adminEmail, adminPassword, AppRoles.Admin);
        if (configured)
            logger.LogInformation("Created the first admin {Email} with the password from Admin:Password", adminEmail);
        else
            logger.LogWarning("Created the first admin. Sign in as {Email} with the password {Password} and change it; " +
                "it is shown only this once", adminEmail, adminPassword);
        created.Add((adminEmail, adminPassword, AppRoles.Admin));

        if (withDemoUsers)
        {
            var lines = new StringBuilder();
            foreach (var role in AppRoles.All)
            {
                var email = DemoEmail(role);
                var password = PasswordRules.Generate();
                await CreateAsync(users, email, password, role);
                created.Add((email, password, role));
                lines.Append($"{Environment.NewLine}  {role,-8} {email,-40} {password}");
            }
            logger.LogWarning("Created demo users, one per role (shown only this once):{DemoUsers}", lines.ToString());
        }
        return created;
    }

    private async Task CreateAsync(UserManager<AppUser> users, string email, string password, string role)
    {
        var user = new AppUser { UserName = email, Email = email, EmailConfirmed = true, CreatedAt = time.GetUtcNow().UtcDateTime };
        Check(await users.CreateAsync(user, password), email);
        Check(await users.AddToRoleAsync(user, role), email);
    }

    private static void Check(IdentityResult result, string what)
    {
        if (!result.Succeeded)
            throw new InvalidOperationException(
                $"Could not create {what}: {string.Join(" ", result.Errors.Select(e => e.Description))}");
    }
}
