using System.Net;
using System.Text.Json;
using CustomerAdmin.Data;
using CustomerAdmin.Features.Api;
using CustomerAdmin.Security;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace CustomerAdmin.Tests.Features.Api;

/// <summary>
/// /openapi/v1.json walked against the app's mapped endpoints: every API endpoint is documented with its scope, schemas
/// and the bearer scheme. (Every answer the API tests get is checked against it too: <see cref="DocumentedAnswers"/>.)
/// </summary>
public sealed class OpenApiDocumentTests
{
    [Fact]
    public async Task EveryMappedApiEndpointIsDocumentedWithItsScope()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var api = await ApiServer.StartAsync(DatabaseProvider.Sqlite);
        var client = await api.ClientAsync(AppRoles.Staff, Permissions.CustomersRead);
        using var response = await client.GetAsync("openapi/v1.json", ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync(ct)).RootElement;
        var check = new OpenApiSchemaCheck(document);

        Assert.Equal("bearer", document.GetProperty("components").GetProperty("securitySchemes").GetProperty(ApiDocs.BearerScheme)
            .GetProperty("scheme").GetString());
        var endpoints = api.Server.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText?.StartsWith(ApiSetup.BasePath, StringComparison.Ordinal) == true).ToList();
        Assert.NotEmpty(endpoints);
        var failures = new List<string>();
        foreach (var endpoint in endpoints)
        {
            var method = endpoint.Metadata.GetMetadata<HttpMethodMetadata>()!.HttpMethods.Single().ToLowerInvariant();
            var sample = System.Text.RegularExpressions.Regex.Replace(endpoint.RoutePattern.RawText!, @"\{[^}]+\}", "7").TrimEnd('/');
            if (check.PathOf(sample) is not { } path || !document.GetProperty("paths").GetProperty(path).TryGetProperty(method, out var operation))
            {
                failures.Add($"{method} {endpoint.RoutePattern.RawText} is not in the document");
                continue;
            }
            var scope = endpoint.Metadata.GetMetadata<ApiScope>()!.Permission;
            var security = operation.GetProperty("security").EnumerateArray().Single().GetProperty(ApiDocs.BearerScheme);
            if (security.EnumerateArray().Single().GetString() != scope) failures.Add($"{method} {path}: security does not name {scope}");
            if (!operation.GetProperty("description").GetString()!.Contains(scope)) failures.Add($"{method} {path}: description does not name {scope}");
            if (!operation.TryGetProperty("operationId", out _)) failures.Add($"{method} {path}: no operationId");
            var responses = operation.GetProperty("responses");
            if (!responses.EnumerateObject().Any(r => r.Name.StartsWith('2'))) failures.Add($"{method} {path}: no success response");
            foreach (var status in new[] { "401", "403", "429" })
                if (!responses.TryGetProperty(status, out _)) failures.Add($"{method} {path}: {status} not documented");
            if (method is "post" or "patch" && !operation.TryGetProperty("requestBody", out _) && !path.EndsWith("/restore"))
                failures.Add($"{method} {path}: no request body schema");
        }
        Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures));

        var create = document.GetProperty("paths").GetProperty("/api/v1/customers").GetProperty("post");
        Assert.Contains(create.GetProperty("parameters").EnumerateArray(), p => p.GetProperty("name").GetString() == Idempotency.Header);
        Assert.Contains("Maria", document.GetProperty("components").GetProperty("schemas").GetProperty("CustomerRequest").GetProperty("examples").ToString());
        var list = document.GetProperty("paths").GetProperty("/api/v1/customers").GetProperty("get");
        Assert.Contains(list.GetProperty("parameters").EnumerateArray(), p => p.GetProperty("name").GetString() == "city");

        // The API tests' answers are checked against this document as they arrive.
        using (var listed = await client.GetAsync("api/v1/customers?limit=5", ct))
            Assert.Equal(HttpStatusCode.OK, listed.StatusCode);
        Assert.True(api.CheckedAnswers > 0);

        // Without a token or a sign-in there is no document; the reference page is for signed-in staff.
        using var anonymous = await api.Client(null).GetAsync("openapi/v1.json", ct);
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
    }

    [Fact]
    public async Task TheReferenceOpensForSignedInStaff()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var api = await ApiServer.StartAsync(DatabaseProvider.Sqlite);
        var staff = await api.Server.SignedInHttpClientAsync(AppRoles.Staff);
        var seen = new List<string>();
        foreach (var url in new[] { "api/docs", "api/docs/", "api/docs/v1", "api/docs/scalar.js" })
        {
            using var r = await staff.GetAsync(url, ct);
            seen.Add($"{url}: {(int)r.StatusCode} {r.Headers.Location} {(await r.Content.ReadAsStringAsync(ct)).Length}");
        }
        // /api/docs leads to the reference.
        using var docs = await staff.GetAsync("api/docs", ct);
        Assert.Equal("/api/docs/v1", docs.Headers.Location?.OriginalString);
        using var reference = await staff.GetAsync("api/docs/v1", ct);
        Assert.True(reference.StatusCode == HttpStatusCode.OK, string.Join(" | ", seen));
        Assert.Contains("openapi/v1.json", await reference.Content.ReadAsStringAsync(ct));
        // Someone not signed in is sent to the sign-in page (the client follows the redirect).
        using var anonymous = await api.Client(null).GetAsync("api/docs/v1", ct);
        Assert.Contains(SecuritySetup.SignInPath, anonymous.RequestMessage!.RequestUri!.AbsolutePath);
    }

    [Fact]
    public void TheSchemaCheckCatchesAnAnswerThatDoesNotMatch()
    {
        var document = JsonDocument.Parse("""
            {"paths":{"/api/v1/things/{id}":{"get":{"responses":{"200":{"content":{"application/json":{"schema":{"$ref":"#/components/schemas/Thing"}}}}}}}},
             "components":{"schemas":{"Thing":{"type":"object","required":["id","name"],"properties":{"id":{"type":"integer"},"name":{"type":["string","null"]}}}}}}
            """).RootElement;
        var check = new OpenApiSchemaCheck(document);
        Assert.Empty(check.Check("GET", "/api/v1/things/3", 200, "application/json", """{"id":3,"name":null}"""));
        Assert.NotEmpty(check.Check("GET", "/api/v1/things/3", 200, "application/json", """{"id":"3","name":"x"}"""));
        Assert.NotEmpty(check.Check("GET", "/api/v1/things/3", 200, "application/json", """{"name":"x"}"""));
        Assert.NotEmpty(check.Check("GET", "/api/v1/things/3", 404, "application/json", "{}"));
        Assert.NotEmpty(check.Check("GET", "/api/v1/other", 200, "application/json", "{}"));
    }
}
