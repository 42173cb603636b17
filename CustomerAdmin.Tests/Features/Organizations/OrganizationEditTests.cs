using Bunit;
using CustomerAdmin.Data;
using CustomerAdmin.Features.Organizations;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using TestContext = Xunit.TestContext;

namespace CustomerAdmin.Tests.Features.Organizations;

/// <summary>The organisation form, through the page: it writes through <see cref="OrganizationOperations"/> and never over a colleague's save.</summary>
public abstract class OrganizationEditTests : AppComponentTest
{
    private Task<Organization> AddOrganizationAsync(string name, string city) =>
        Data.AddAsync(new Organization { Name = name, City = city, Notes = "Pays late", CreatedAt = new DateTime(2026, 1, 5, 0, 0, 0, DateTimeKind.Utc), Version = 1 });

    private Organization Stored()
    {
        using var db = Db.Inner.CreateDbContext();
        return db.Organizations.AsNoTracking().Single();
    }

    [Fact]
    public async Task AnEditWritesTheFormsFieldsAndKeepsWhenItWasCreated()
    {
        var harbor = await AddOrganizationAsync("Harbor Health", "Austin");
        var cut = RenderPage<OrganizationEdit>(harbor.Id);

        cut.WaitForElement("#organization-name").Change("  Harbor Health Group ");
        cut.Find("form").Submit();

        cut.WaitForAssertion(() => Assert.Equal("Harbor Health Group", Stored().Name));
        var saved = Stored();
        Assert.Equal(("Austin", "Pays late", 2), (saved.City, saved.Notes, saved.Version));
        Assert.Equal(harbor.CreatedAt, saved.CreatedAt);
    }

    [Fact]
    public async Task ASaveBySomeoneElseMeanwhileIsShownAndNotOverwritten()
    {
        var ct = TestContext.Current.CancellationToken;
        var harbor = await AddOrganizationAsync("Harbor Health", "Austin");
        var cut = RenderPage<OrganizationEdit>(harbor.Id);
        cut.WaitForElement("#organization-name").Change("Harbor Clinics");

        // A colleague renames it while the form is open.
        var theirs = new Organization { Name = "Harbor Health Partners", City = "Austin", Notes = "Pays late" };
        await Services.GetRequiredService<OrganizationOperations>().UpdateAsync(harbor.Id, harbor.Version, theirs, ct);
        cut.Find("form").Submit();

        cut.WaitForAssertion(() =>
        {
            var conflict = cut.Find("[data-testid=organization-conflict]").TextContent;
            Assert.Contains("Someone else saved this organisation", conflict);
            Assert.Contains("Name is now \"Harbor Health Partners\" (you have \"Harbor Clinics\")", conflict);
        });
        Assert.Equal("Harbor Health Partners", Stored().Name);
        Assert.Equal("Harbor Clinics", cut.Find("#organization-name").GetAttribute("value"));

        // Having seen theirs, the user keeps their own.
        cut.Find("[data-testid=organization-keep-mine]").Click();
        cut.Find("form").Submit();
        cut.WaitForAssertion(() => Assert.Equal(("Harbor Clinics", 3), (Stored().Name, Stored().Version)));
    }
}

public sealed class SqliteOrganizationEditTests : OrganizationEditTests;

public sealed class PostgresOrganizationEditTests : OrganizationEditTests
{
    protected override DatabaseProvider Provider => DatabaseProvider.Postgres;
}
