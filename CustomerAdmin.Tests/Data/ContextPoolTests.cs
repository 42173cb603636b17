using CustomerAdmin.Data;
using CustomerAdmin.Startup;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;

namespace CustomerAdmin.Tests.Data;

/// <summary>
/// The app's contexts come from EF's pool (<see cref="DatabaseStartup.AddDatabase"/>): a reused instance must not
/// carry one operation's author into the next, and must still use the app's clock.
/// </summary>
public class ContextPoolTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("customeradmin-pool-").FullName;

    [Fact]
    public async Task PooledContextsForgetTheActorAndUseTheAppClock()
    {
        var ct = TestContext.Current.CancellationToken;
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 3, 4, 10, 0, 0, TimeSpan.Zero));
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true, ContentRootPath = _folder });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:Sqlite"] = $"Data Source={Path.Combine(_folder, "pool.db")}",
        });
        builder.AddDatabase();
        builder.Services.AddSingleton<TimeProvider>(clock);
        using var host = builder.Build();
        var factory = host.Services.GetRequiredService<IDbContextFactory<AppDbContext>>();

        AppDbContext first;
        await using (var db = await factory.CreateDbContextAsync(ct))
        {
            await db.Database.MigrateAsync(ct);
            first = db;
            db.Actor = "import-42";
            db.Customers.Add(new Customer { Type = CustomerType.Individual, FirstName = "Ana", LastName = "Pool", PrimaryPhone = "+12025550147" });
            await db.SaveChangesAsync(ct);
        }

        await using (var db = await factory.CreateDbContextAsync(ct))
        {
            Assert.Same(first, db);
            Assert.Equal("system", db.Actor);
            db.Customers.Add(new Customer { Type = CustomerType.Individual, FirstName = "Ben", LastName = "Pool", PrimaryPhone = "+12025550148" });
            await db.SaveChangesAsync(ct);
        }

        await using var check = await factory.CreateDbContextAsync(ct);
        var saved = await check.Customers.OrderBy(c => c.Id).Select(c => new { c.CreatedBy, c.CreatedAt }).ToListAsync(ct);
        Assert.Equal(["import-42", "system"], saved.Select(s => s.CreatedBy));
        Assert.All(saved, s => Assert.Equal(clock.GetUtcNow().UtcDateTime, s.CreatedAt));
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { Directory.Delete(_folder, recursive: true); } catch (IOException) { }
    }
}
