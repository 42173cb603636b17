using System.IO.Compression;
using System.Net;
using System.Text.Json;
using CustomerAdmin.Data;
using CustomerAdmin.Features.Customers.Documents;
using CustomerAdmin.Features.Privacy.Export;
using CustomerAdmin.Security;
using Microsoft.Extensions.DependencyInjection;

namespace CustomerAdmin.Tests.Features.Privacy.Export;

/// <summary>The subject access export downloaded from the app on Kestrel, on both databases.</summary>
public sealed class SubjectAccessExportTests
{
    [Theory, InlineData(DatabaseProvider.Sqlite), InlineData(DatabaseProvider.Postgres)]
    public async Task AManagerDownloadsOneZipWithEverythingAndStaffIsRefused(DatabaseProvider provider)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var database = await TestDatabase.CreateAsync(provider, ct: ct);
        await using var server = await AppServer.StartAsync(database);
        var scenario = await PrivacyScenario.CreateAsync(database.Factory, server.Services.GetRequiredService<DocumentOperations>(), DateTime.UtcNow, ct);
        // Asked for the merged record: the file is about the person's record, with the merged one in it.
        var path = SubjectAccessEndpoints.PathOf(scenario.MergedId).TrimStart('/');

        using var staff = await server.SignedInHttpClientAsync(AppRoles.Staff);
        using (var refused = await staff.GetAsync(path, ct))
            Assert.NotEqual(HttpStatusCode.OK, refused.StatusCode);

        using var manager = await server.SignedInHttpClientAsync(AppRoles.Manager);
        using var response = await manager.GetAsync(path, HttpCompletionOption.ResponseHeadersRead, ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/zip", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("attachment", response.Content.Headers.ContentDisposition?.DispositionType);
        Assert.StartsWith($"customer-{scenario.CustomerId}-personal-data-", response.Content.Headers.ContentDisposition?.FileName?.Trim('"'));
        Assert.Null(response.Content.Headers.ContentLength);
        using var zip = new ZipArchive(new MemoryStream(await response.Content.ReadAsByteArrayAsync(ct)));

        using var json = await JsonDocument.ParseAsync(zip.GetEntry(SubjectAccessExport.JsonEntry)!.Open(), cancellationToken: ct);
        Assert.Equal(scenario.CustomerId, json.RootElement.GetProperty("customerId").GetInt32());
        var tables = json.RootElement.GetProperty("tables");
        int Count(string table) => tables.GetProperty(table).GetArrayLength();
        Assert.Equal(2, Count(nameof(Customer)));
        Assert.Equal(PrivacyScenario.First, tables.GetProperty(nameof(Customer))[0].GetProperty("FirstName").GetString());
        Assert.Equal(PrivacyScenario.Phone, tables.GetProperty(nameof(Customer))[0].GetProperty("PrimaryPhone").GetString());
        Assert.Equal(PrivacyScenario.Sms, Count(nameof(SmsMessage)));
        Assert.Contains($"Hi {PrivacyScenario.First}", tables.GetProperty(nameof(SmsMessage))[0].GetProperty("Body").GetString());
        Assert.True(Count(nameof(Activity)) > PrivacyScenario.Notes);
        Assert.Equal((3, 2, 1, 1, 1, 1), (Count(nameof(Ticket)), Count(nameof(Sale)), Count(nameof(Booking)), Count(nameof(Event)),
            Count(nameof(CustomerDocument)), Count(nameof(CustomerMerge))));
        Assert.True(Count(nameof(CustomerChange)) >= 2);
        Assert.Contains(tables.GetProperty(nameof(CustomerChange)).EnumerateArray(), c => c.GetProperty("OldValue").GetString() == PrivacyScenario.OldPhone);

        using (var html = new StreamReader(zip.GetEntry(SubjectAccessExport.HtmlEntry)!.Open()))
        {
            var text = await html.ReadToEndAsync(ct);
            Assert.Contains($"Personal data held about {PrivacyScenario.First} {PrivacyScenario.Last}", text);
            Assert.Contains($"Sms message ({PrivacyScenario.Sms})", text);
        }
        var document = Assert.Single(zip.Entries, e => e.FullName.StartsWith(SubjectAccessExport.DocumentsFolder, StringComparison.Ordinal));
        Assert.Equal($"{SubjectAccessExport.DocumentsFolder}{scenario.DocumentId}-{PrivacyScenario.First} {PrivacyScenario.Last} contract.pdf", document.FullName);
        using var content = new MemoryStream();
        await (await document.OpenAsync(ct)).CopyToAsync(content, ct);
        Assert.Equal(scenario.DocumentContent, content.ToArray());
    }

    [Fact]
    public async Task AnUnknownCustomerIsNotFound()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite, ct: ct);
        await using var server = await AppServer.StartAsync(database);
        using var manager = await server.SignedInHttpClientAsync(AppRoles.Manager);
        using var response = await manager.GetAsync(SubjectAccessEndpoints.PathOf(999).TrimStart('/'), ct);
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }
}
