using CustomerAdmin.Security;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CustomerAdmin.Tests.EndToEnd;

/// <summary>
/// Demo customers and demo users come only where the appsettings ask for them: a published app (Production) starts
/// empty with the first admin alone, while <c>dotnet run</c> (Development) opens a filled demo.
/// </summary>
public sealed class ProductionStartTests(ProductionStartTests.ProductionAppServer server)
    : IClassFixture<ProductionStartTests.ProductionAppServer>
{
    public sealed class ProductionAppServer() : AppServer("Production", demoCustomers: 20);

    [Fact]
    public async Task ProductionStartsWithNoDemoCustomersAndOnlyTheFirstAdmin()
    {
        var ct = TestContext.Current.CancellationToken;
        using var http = server.CreateHttpClient();
        Assert.Equal("Healthy", await http.GetStringAsync("health", ct));

        await using var db = server.CreateDbContext();
        Assert.False(await db.Customers.IgnoreQueryFilters().AnyAsync(ct));
        Assert.False(await db.Events.AnyAsync(ct));
        await using var scope = server.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<AppUser>>();
        var all = await users.Users.ToListAsync(ct);
        var admin = Assert.Single(all);
        Assert.Equal(AdminOptions.DefaultEmail, admin.Email);
        Assert.Equal([AppRoles.Admin], await users.GetRolesAsync(admin));
    }
}

public sealed class DevelopmentStartTests(DevelopmentStartTests.DevelopmentAppServer server)
    : IClassFixture<DevelopmentStartTests.DevelopmentAppServer>
{
    public sealed class DevelopmentAppServer() : AppServer("Development", demoCustomers: 20);

    [Fact]
    public async Task DevelopmentSeedsTheDemoCustomersAndOneDemoUserPerRole()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var db = server.CreateDbContext();
        Assert.Equal(20, await db.Customers.IgnoreQueryFilters().CountAsync(ct));
        await using var scope = server.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<AppUser>>();
        var emails = await users.Users.Select(u => u.Email).ToListAsync(ct);
        Assert.Equal(AppRoles.All.Select(UserSeeder.DemoEmail).Append(AdminOptions.DefaultEmail).Order(), emails.Order());
    }
}
