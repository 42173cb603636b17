using Bunit;
using CustomerAdmin.Data;
using CustomerAdmin.Features.Api;
using CustomerAdmin.Security;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace CustomerAdmin.Tests.Features.Api;

/// <summary>/settings/api-tokens: an admin makes a token (its secret shown once, only its hash stored) and revokes one.</summary>
public sealed class ApiTokensPageTests : AppComponentTest
{
    private async Task<string> AddUserAsync(string role)
    {
        var email = $"{role.ToLowerInvariant()}-{Guid.NewGuid():N}@test.local";
        await using var db = Db.Inner.CreateDbContext();
        var roleRow = await db.Roles.FirstOrDefaultAsync(r => r.Name == role, Xunit.TestContext.Current.CancellationToken);
        if (roleRow is null)
        {
            roleRow = new IdentityRole(role) { NormalizedName = role.ToUpperInvariant() };
            db.Roles.Add(roleRow);
        }
        var user = new AppUser { UserName = email, NormalizedUserName = email.ToUpperInvariant(), Email = email, NormalizedEmail = email.ToUpperInvariant() };
        db.Users.Add(user);
        db.UserRoles.Add(new IdentityUserRole<string> { UserId = user.Id, RoleId = roleRow.Id });
        await db.SaveChangesAsync(Xunit.TestContext.Current.CancellationToken);
        return email;
    }

    private static void Choose(IRenderedComponent<Bunit.Rendering.ContainerFragment> cut, string select, string item)
    {
        cut.WaitForAssertion(() => cut.Find($"[data-testid={select}]").Closest(".mud-input-control")!.MouseDown());
        cut.WaitForAssertion(() => cut.FindAll(".mud-list-item").First(i => i.TextContent.Trim().StartsWith(item, StringComparison.Ordinal)).Click());
    }

    [Fact]
    public async Task AScopeBeyondTheOwnersRoleIsRefusedAtTheFieldAndNothingIsMade()
    {
        SignInAs(AppRoles.Admin);
        var staff = await AddUserAsync(AppRoles.Staff);
        var cut = RenderPage<ApiTokensPage>();
        cut.WaitForAssertion(() => Assert.Contains("No tokens yet", cut.Markup));
        cut.Find("#token-name").Change("nightly sync");
        Choose(cut, "token-owner", staff);
        Choose(cut, "token-scopes", Permissions.CustomersDelete);
        cut.Find("form").Submit();

        // Staff do not hold customers.delete, so neither can their token.
        cut.WaitForAssertion(() => Assert.Contains(Permissions.CustomersDelete, cut.Find(".validation-message").TextContent));
        Assert.Contains("does not hold", cut.Find(".validation-message").TextContent);
        Assert.Empty(cut.FindAll("[data-testid=new-token]"));
        await using var db = Db.Inner.CreateDbContext();
        Assert.Equal(0, await db.ApiTokens.CountAsync(Xunit.TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task AnAdminMakesATokenWhoseSecretIsShownOnceAndStoredAsAHash()
    {
        SignInAs(AppRoles.Admin);
        var staff = await AddUserAsync(AppRoles.Staff);
        await AddUserAsync(AppRoles.Manager);
        var cut = RenderPage<ApiTokensPage>();
        cut.WaitForAssertion(() => Assert.Contains("No tokens yet", cut.Markup));
        cut.Find("#token-name").Change("nightly sync");
        Choose(cut, "token-owner", staff);
        Choose(cut, "token-scopes", Permissions.CustomersRead);
        cut.Find("form").Submit();

        var secret = "";
        cut.WaitForAssertion(() => secret = cut.Find("[data-testid=new-token-secret]").TextContent.Trim());
        Assert.StartsWith(ApiTokenOperations.SecretPrefix, secret);
        cut.WaitForAssertion(() => Assert.Single(cut.FindAll("[data-testid=token-row]")));
        var row = cut.Find("[data-testid=token-row]").TextContent;
        Assert.Contains(staff, row);
        Assert.Contains(Permissions.CustomersRead, row);
        // The list shows the token's first characters to tell it apart, never the secret.
        Assert.Contains(secret[..10], row);
        Assert.DoesNotContain(secret, row);
        Assert.Equal("Never", cut.Find("[data-testid=token-last-used]").TextContent.Trim());
        await using var db = Db.Inner.CreateDbContext();
        var stored = await db.ApiTokens.SingleAsync(Xunit.TestContext.Current.CancellationToken);
        Assert.Equal(ApiTokenOperations.Hash(secret), stored.SecretHash);
        Assert.Equal(Permissions.CustomersRead, stored.Scopes);
        Assert.NotNull(stored.ExpiresAt);
    }

    [Fact]
    public async Task RevokingATokenEndsItAtTheNextCheck()
    {
        SignInAs(AppRoles.Admin);
        var staff = await AddUserAsync(AppRoles.Staff);
        var tokens = Services.GetService(typeof(ApiTokenOperations)) as ApiTokenOperations;
        var made = await tokens!.CreateAsync(staff, "kiosk", [Permissions.CustomersRead], null, "admin", Xunit.TestContext.Current.CancellationToken);
        Assert.NotNull(await tokens.AuthenticateAsync(made.Secret, Xunit.TestContext.Current.CancellationToken));
        var cut = RenderPage<ApiTokensPage>();

        cut.WaitForAssertion(() => cut.Find("[aria-label='Revoke kiosk']").Click());
        cut.WaitForAssertion(() => cut.FindAll("button").Single(b => b.TextContent.Trim() == "Revoke" && b.GetAttribute("aria-label") is null).Click());

        cut.WaitForAssertion(() => Assert.Contains("Revoked", cut.Find("[data-testid=token-row]").TextContent));
        Assert.Null(await tokens.AuthenticateAsync(made.Secret, Xunit.TestContext.Current.CancellationToken));
    }
}
