using Bunit;
using CustomerAdmin.Data;
using CustomerAdmin.Features.Customers;
using CustomerAdmin.Features.Privacy.AccessLog;
using CustomerAdmin.Security;
using Microsoft.AspNetCore.Components;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace CustomerAdmin.Tests.Features.Privacy.AccessLog;

/// <summary>
/// The customer page records a view (once per record shown, through the queue and its writer), and the access log page
/// lists the log newest first with its filters, at a realistic size.
/// </summary>
public abstract class AccessLogComponentTests : AppComponentTest
{
    private AccessLogWriter StartWriter()
    {
        var writer = new AccessLogWriter(Services.GetRequiredService<AccessLogRecorder>(), Db.Inner, TimeProvider.System,
            NullLogger<AccessLogWriter>.Instance);
        writer.StartAsync(Xunit.TestContext.Current.CancellationToken).GetAwaiter().GetResult();
        return writer;
    }

    private List<AccessLogEntry> Rows()
    {
        using var db = Db.Inner.CreateDbContext();
        return db.AccessLog.AsNoTracking().OrderBy(e => e.Id).ToList();
    }

    [Fact]
    public async Task OpeningACustomerPageRecordsOneViewWithTheUserAndTheCustomer()
    {
        var customers = await Data.ManyCustomersAsync(300);
        var ann = customers[123];
        using var writer = StartWriter();

        var cut = RenderPage<CustomerDetail>(ann.Id);
        cut.WaitForAssertion(() => Assert.Equal(ann.FullName, cut.Find("[data-testid=customer-name]").TextContent.Trim()));
        // Re-renders of the same record (a status change, a refresh of a section) are not new views.
        cut.Render();

        // The writer saves in the background, which renders nothing: poll the table, not the page.
        for (var deadline = DateTime.UtcNow.AddSeconds(30); Rows().Count == 0 && DateTime.UtcNow < deadline;)
            await Task.Delay(100, Xunit.TestContext.Current.CancellationToken);
        var view = Assert.Single(Rows());
        Assert.Equal(AccessKind.CustomerViewed, view.Kind);
        Assert.Equal(ann.Id, view.CustomerId);
        Assert.Equal("staff@test.local", view.UserName);
        await writer.StopAsync(Xunit.TestContext.Current.CancellationToken);
        Assert.Single(Rows());
    }

    [Fact]
    public async Task AdminsSeeTheLogNewestFirstAndFilterItByUserKindCustomerAndDay()
    {
        SignInAs(AppRoles.Admin);
        var today = DateTime.UtcNow.Date.AddHours(12);
        await using (var db = Db.Inner.CreateDbContext())
        {
            for (var i = 0; i < 360; i++)
                db.AccessLog.Add(new AccessLogEntry
                {
                    At = today.AddDays(-(i / 60)).AddMinutes(-i % 60), UserName = i % 3 == 0 ? "ann@test.local" : "bob@test.local",
                    Kind = i % 2 == 0 ? AccessKind.CustomerViewed : AccessKind.CustomerListExported,
                    CustomerId = i % 2 == 0 ? 1000 + i % 10 : null, Detail = i % 2 == 0 ? null : "city=Salem", RowCount = i % 2 == 0 ? null : 42,
                });
            await db.SaveChangesAsync(Xunit.TestContext.Current.CancellationToken);
        }
        var nav = Services.GetRequiredService<NavigationManager>();

        nav.NavigateTo("/settings/access-log");
        var all = RenderWithPopovers<AccessLogPage>();
        all.WaitForAssertion(() =>
        {
            Assert.Equal("360 entries", all.Find("[data-testid=access-log-count]").TextContent.Trim());
            Assert.Equal(AccessLogPage.PageSize, all.FindAll("[data-testid=access-log-rows] tbody tr").Count);
            Assert.Contains("(42 rows)", all.Find("[data-testid=access-log-rows] tbody tr:nth-child(1)").TextContent);
        });

        await DisposeComponentsAsync();
        var day = DateOnly.FromDateTime(today.AddDays(-2)).ToString("yyyy-MM-dd");
        nav.NavigateTo($"/settings/access-log?user=ann&kind=customerviewed&customer=1000&from={day}&to={day}");
        var filtered = RenderWithPopovers<AccessLogPage>();
        // Rows 120..179 are two days back; of those ann's views of customer 1000 are i % 30 == 0.
        var expected = Enumerable.Range(120, 60).Count(i => i % 3 == 0 && i % 2 == 0 && i % 10 == 0);
        filtered.WaitForAssertion(() =>
        {
            Assert.Equal($"{expected} entr{(expected == 1 ? "y" : "ies")}", filtered.Find("[data-testid=access-log-count]").TextContent.Trim());
            Assert.All(filtered.FindAll("[data-testid=access-log-rows] tbody tr"), r => Assert.Contains("ann@test.local", r.TextContent));
            Assert.Contains("/settings/access-log.csv?user=ann", filtered.Find("[data-testid=access-log-export]").GetAttribute("href"));
        });
    }
}

public sealed class SqliteAccessLogComponentTests : AccessLogComponentTests;

public sealed class PostgresAccessLogComponentTests : AccessLogComponentTests
{
    protected override DatabaseProvider Provider => DatabaseProvider.Postgres;
}
