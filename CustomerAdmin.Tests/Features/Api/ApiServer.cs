using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using CustomerAdmin.Data;
using CustomerAdmin.Features.Api;
using Microsoft.Extensions.DependencyInjection;

namespace CustomerAdmin.Tests.Features.Api;

/// <summary>
/// The app on Kestrel over a fresh <see cref="TestDatabase"/> (either provider), with API clients: each a new user with
/// a role and a token with some scopes, calling over real HTTP.
/// </summary>
public sealed class ApiServer : IAsyncDisposable
{
    public static readonly JsonSerializerOptions Json = ApiRequests.Json;

    private ApiServer(TestDatabase database, AppServer server) => (Database, Server) = (database, server);

    public TestDatabase Database { get; }
    public AppServer Server { get; }
    public TestData Data => Database.Data;

    /// <param name="before">Work on the database before the app starts on it (rows as an older version left them).</param>
    public static async Task<ApiServer> StartAsync(DatabaseProvider provider, Func<TestDatabase, Task>? before = null)
    {
        var database = await TestDatabase.CreateAsync(provider, ct: TestContext.Current.CancellationToken);
        try
        {
            if (before is not null) await before(database);
            return new ApiServer(database, await AppServer.StartAsync(database));
        }
        catch
        {
            await database.DisposeAsync();
            throw;
        }
    }

    /// <summary>A token for a new user with <paramref name="role"/>, carrying <paramref name="scopes"/>.</summary>
    public async Task<NewApiToken> TokenAsync(string role, params string[] scopes)
    {
        var (email, _) = await Server.CreateUserAsync(role);
        return await Server.Services.GetRequiredService<ApiTokenOperations>()
            .CreateAsync(email, "test", scopes, null, "test", TestContext.Current.CancellationToken);
    }

    /// <summary>An HTTP client that sends <paramref name="secret"/> as its bearer token (none when null).</summary>
    public HttpClient Client(string? secret)
    {
        var client = new HttpClient(new DocumentedAnswers(Server.BaseUrl, SchemaFailures, () => Interlocked.Increment(ref _checkedAnswers))) { BaseAddress = Server.BaseUrl };
        if (secret is not null) client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", secret);
        return client;
    }

    public async Task<HttpClient> ClientAsync(string role, params string[] scopes) => Client((await TokenAsync(role, scopes)).Secret);

    private int _checkedAnswers;

    /// <summary>How many answers were checked against the document.</summary>
    public int CheckedAnswers => _checkedAnswers;

    /// <summary>Answers that did not match /openapi/v1.json (the operation, the status or the body's schema).</summary>
    public List<string> SchemaFailures { get; } = [];

    public async ValueTask DisposeAsync()
    {
        await Server.DisposeAsync();
        await Database.DisposeAsync();
        // Every answer a test got must be one the document describes.
        Assert.True(SchemaFailures.Count == 0, string.Join(Environment.NewLine, SchemaFailures.Distinct()));
    }
}

public static class ApiResponses
{
    public static async Task<JsonElement> JsonAsync(this HttpResponseMessage response) =>
        await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);

    public static string? ProblemType(this HttpResponseMessage response) => response.Content.Headers.ContentType?.MediaType;
}
