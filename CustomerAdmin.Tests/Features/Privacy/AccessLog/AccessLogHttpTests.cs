using System.Net;
using CustomerAdmin.Data;
using CustomerAdmin.Features.Customers.Documents;
using CustomerAdmin.Features.Privacy.AccessLog;
using CustomerAdmin.Security;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CustomerAdmin.Tests.Features.Privacy.AccessLog;

/// <summary>
/// The access log over HTTP on both databases: a document download and a customer-list export each leave one row
/// (who, what, which customer or filter, how many rows), the log's own CSV export is for admins only, holds exactly the
/// filtered rows and is itself logged; the purge keeps the configured months.
/// </summary>
public sealed class AccessLogHttpTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), $"customeradmin-access-{Guid.NewGuid():N}");

    public void Dispose()
    {
        if (Directory.Exists(_folder)) Directory.Delete(_folder, recursive: true);
    }

    [Theory, InlineData(DatabaseProvider.Sqlite), InlineData(DatabaseProvider.Postgres)]
    public async Task DocumentDownloadAndListExportEachLeaveOneRowWithUserCustomerFilterAndCount(DatabaseProvider provider)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var database = await TestDatabase.CreateAsync(provider, ct: ct);
        var customers = await database.Data.ManyCustomersAsync(300, (i, c) => c.City = i % 3 == 0 ? "Salem" : "Boston");
        await using var app = new SecurityTestApp(database, new Dictionary<string, string?> { ["Documents:Folder"] = _folder });
        var store = app.Services.GetRequiredService<DocumentOperations>();
        var stored = await store.SaveAsync(customers[7].Id, new MemoryStream(DocumentContentTests.PdfBytes), "contract.pdf",
            DocumentType.Contract, "ann", ct);

        var (staffName, staffPassword) = await app.CreateUserAsync(AppRoles.Staff);
        var staff = app.CreateBrowserlikeClient();
        (await SecurityTestApp.PostSignInAsync(staff, staffName, staffPassword)).Dispose();
        using (var download = await staff.GetAsync($"documents/{stored.Document.Id}", ct))
            Assert.Equal(HttpStatusCode.OK, download.StatusCode);

        var (managerName, managerPassword) = await app.CreateUserAsync(AppRoles.Manager);
        var manager = app.CreateBrowserlikeClient();
        (await SecurityTestApp.PostSignInAsync(manager, managerName, managerPassword)).Dispose();
        var csv = await manager.GetStringAsync("customers/export.csv?city=Salem&export_token=abc", ct);
        Assert.Equal(101, csv.Split("\r\n", StringSplitOptions.RemoveEmptyEntries).Length);

        var rows = await WaitForRowsAsync(database, 2, ct);
        var downloaded = Assert.Single(rows, r => r.Kind == AccessKind.DocumentDownloaded);
        Assert.Equal(staffName, downloaded.UserName);
        Assert.Equal(customers[7].Id, downloaded.CustomerId);
        Assert.Contains("contract.pdf", downloaded.Detail);
        var exported = Assert.Single(rows, r => r.Kind == AccessKind.CustomerListExported);
        Assert.Equal(managerName, exported.UserName);
        Assert.Equal("city=Salem", exported.Detail);
        Assert.Equal(100, exported.RowCount);
        Assert.Null(exported.CustomerId);
    }

    [Theory, InlineData(DatabaseProvider.Sqlite), InlineData(DatabaseProvider.Postgres)]
    public async Task LogExportIsAdminsOnlyHoldsTheFilteredRowsAndIsItselfLogged(DatabaseProvider provider)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var database = await TestDatabase.CreateAsync(provider, ct: ct);
        var now = DateTime.UtcNow;
        await using (var db = database.CreateDbContext())
        {
            for (var i = 0; i < 400; i++)
                db.AccessLog.Add(new AccessLogEntry
                {
                    At = now.AddMinutes(-i), UserName = i % 4 == 0 ? "ann@test.local" : "bob@test.local",
                    Kind = i % 2 == 0 ? AccessKind.CustomerViewed : AccessKind.DocumentDownloaded, CustomerId = i,
                });
            await db.SaveChangesAsync(ct);
        }
        await using var app = new SecurityTestApp(database);

        var manager = await app.SignedInClientAsync(AppRoles.Manager);
        using (var refused = await manager.GetAsync("settings/access-log.csv", ct))
            Assert.NotEqual(HttpStatusCode.OK, refused.StatusCode);

        var (adminName, adminPassword) = await app.CreateUserAsync(AppRoles.Admin);
        var admin = app.CreateBrowserlikeClient();
        (await SecurityTestApp.PostSignInAsync(admin, adminName, adminPassword)).Dispose();
        using var response = await admin.GetAsync("settings/access-log.csv?user=ann&kind=customerviewed", ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("attachment", response.Content.Headers.ContentDisposition?.DispositionType);
        var lines = (await response.Content.ReadAsStringAsync(ct)).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("When,User,What,Customer,Detail,Rows", lines[0].TrimStart('\uFEFF'));
        Assert.Equal(100, lines.Length - 1);
        Assert.All(lines.Skip(1), l => Assert.Contains(",ann@test.local,Customer viewed,", l));

        var rows = await WaitForRowsAsync(database, 401, ct);
        var logged = Assert.Single(rows, r => r.Kind == AccessKind.AccessLogExported);
        Assert.Equal(adminName, logged.UserName);
        Assert.Equal(100, logged.RowCount);
        Assert.Contains("user=ann", logged.Detail);
    }

    [Theory, InlineData(DatabaseProvider.Sqlite), InlineData(DatabaseProvider.Postgres)]
    public async Task PurgeDeletesRowsOlderThanTheConfiguredMonthsOnly(DatabaseProvider provider)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var database = await TestDatabase.CreateAsync(provider, ct: ct);
        var now = new DateTime(2026, 12, 7, 6, 0, 0, DateTimeKind.Utc);
        await using (var db = database.CreateDbContext())
        {
            for (var day = 0; day < 500; day++)
                db.AccessLog.Add(new AccessLogEntry { At = now.AddDays(-day), UserName = "ann", Kind = AccessKind.CustomerViewed, CustomerId = day });
            await db.SaveChangesAsync(ct);
        }

        await using (var db = database.CreateDbContext())
        {
            var deleted = await AccessLogPurge.PurgeAsync(db, now, 12, ct);
            var cutoff = now.AddMonths(-12);
            Assert.Equal(Enumerable.Range(0, 500).Count(d => now.AddDays(-d) < cutoff), deleted);
            Assert.True(await db.AccessLog.AllAsync(e => e.At >= cutoff, ct));
            Assert.Equal(500 - deleted, await db.AccessLog.CountAsync(ct));
        }
    }

    private static async Task<List<AccessLogEntry>> WaitForRowsAsync(TestDatabase database, int count, CancellationToken ct)
    {
        for (var attempt = 0; ; attempt++)
        {
            await using var db = database.CreateDbContext();
            var rows = await db.AccessLog.AsNoTracking().ToListAsync(ct);
            if (rows.Count >= count || attempt == 100) return rows;
            await Task.Delay(100, ct);
        }
    }
}
