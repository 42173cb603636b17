using System.Net;
using CustomerAdmin.Features.Customers.Documents;
using CustomerAdmin.Data;
using CustomerAdmin.Security;
using Microsoft.Extensions.DependencyInjection;

namespace CustomerAdmin.Tests.Features.Customers.Documents;

/// <summary>The download endpoint over HTTP: signed-in users with customers.read only, always as an attachment.</summary>
public sealed class DocumentDownloadTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), $"customeradmin-dl-{Guid.NewGuid():N}");

    public void Dispose()
    {
        if (Directory.Exists(_folder)) Directory.Delete(_folder, recursive: true);
    }

    [Theory, InlineData(DatabaseProvider.Sqlite), InlineData(DatabaseProvider.Postgres)]
    public async Task DownloadIsAnAuthorisedAttachmentWithTheSanitisedNameAndNoSniffing(DatabaseProvider provider)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var database = await TestDatabase.CreateAsync(provider, ct: ct);
        await using var app = new SecurityTestApp(database, new Dictionary<string, string?> { ["Documents:Folder"] = _folder });
        int customerId;
        await using (var db = database.CreateDbContext())
        {
            var customer = TestCustomers.Individual("Ann", "Lee", "+12127365099");
            db.Customers.Add(customer);
            await db.SaveChangesAsync(ct);
            customerId = customer.Id;
        }
        var store = app.Services.GetRequiredService<DocumentOperations>();
        var stored = await store.SaveAsync(customerId, new MemoryStream(DocumentContentTests.PdfBytes), "../Vertrag Müller.pdf",
            DocumentType.Contract, "ann", ct);
        Assert.Equal(_folder, store.Folder);

        using var anonymous = await app.CreateBrowserlikeClient().GetAsync($"documents/{stored.Document.Id}", ct);
        Assert.NotEqual(HttpStatusCode.OK, anonymous.StatusCode);
        Assert.NotEqual("application/pdf", anonymous.Content.Headers.ContentType?.MediaType);

        var staff = await app.SignedInClientAsync(AppRoles.Staff);
        using var response = await staff.GetAsync($"documents/{stored.Document.Id}", ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/pdf", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("attachment", response.Content.Headers.ContentDisposition?.DispositionType);
        Assert.Equal("Vertrag Müller.pdf", response.Content.Headers.ContentDisposition?.FileNameStar);
        Assert.Contains("nosniff", response.Headers.GetValues("X-Content-Type-Options"));
        Assert.True(response.Headers.CacheControl?.NoStore, $"Cache-Control: {response.Headers.CacheControl}");
        Assert.Equal(DocumentContentTests.PdfBytes, await response.Content.ReadAsByteArrayAsync(ct));

        await store.DeleteAsync(stored.Document.Id, ct);
        using var gone = await staff.GetAsync($"documents/{stored.Document.Id}", ct);
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
    }

    [Theory]
    [InlineData("wwwroot/uploads")]
    [InlineData("WWWROOT")]
    public async Task FolderInsideWwwrootFailsAtStartUp(string folder)
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite, ct: TestContext.Current.CancellationToken);
        var failure = await SecurityTestApp.StartupErrorAsync(database, new Dictionary<string, string?> { ["Documents:Folder"] = folder });

        Assert.Contains("Documents:Folder must be outside wwwroot", failure.ToString());
    }
}
