using System.Net;
using System.Reflection;
using System.Text.RegularExpressions;
using CustomerAdmin.Data;
using CustomerAdmin.Features.Api;
using CustomerAdmin.Features.Sms.Reminders;
using CustomerAdmin.Features.Sms.Sending;
using CustomerAdmin.Features.Sms.Templates;
using CustomerAdmin.Features.Sms.Webhooks;
using CustomerAdmin.Security;
using CustomerAdmin.Features.Operations.Observability;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Endpoints;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace CustomerAdmin.Tests.Security;

/// <summary>
/// Every routable page and every mapped endpoint, found by reflection and from the app's endpoint data source,
/// requested as anonymous, Staff, Manager and Admin. A page without a permission policy fails here.
/// </summary>
public sealed class AuthorizationMatrixTests
{
    /// <summary>Pages anyone may open: they show nothing about customers or users.</summary>
    private static readonly string[] PublicPages = ["/account/sign-in", "/account/access-denied", "/not-found", "/Error"];

    /// <summary>Pages every signed-in user may open whatever their role.</summary>
    private static readonly string[] SelfServicePages = ["/account/password"];

    private static readonly string?[] Callers = [null, AppRoles.Staff, AppRoles.Manager, AppRoles.Admin];

    public static IEnumerable<(Type Page, string Route)> Pages() =>
        typeof(Program).Assembly.GetTypes()
            .Where(t => typeof(IComponent).IsAssignableFrom(t))
            .SelectMany(t => t.GetCustomAttributes<RouteAttribute>().Select(r => (t, r.Template)));

    [Fact]
    public void EveryPageHasAPermissionPolicyOrIsListedAsPublic()
    {
        var unprotected = new List<string>();
        foreach (var (page, route) in Pages())
        {
            var authorize = page.GetCustomAttributes<AuthorizeAttribute>().ToList();
            var anonymous = page.GetCustomAttribute<AllowAnonymousAttribute>() is not null;
            if (anonymous && PublicPages.Contains(route)) continue;
            if (SelfServicePages.Contains(route) && authorize.Count > 0) continue;
            if (!anonymous && authorize.Count > 0 && authorize.All(a => a.Policy is { } p && Permissions.Roles.ContainsKey(p))) continue;
            unprotected.Add($"{page.Name} ({route})");
        }
        Assert.True(unprotected.Count == 0,
            "Give these pages [Authorize(Policy = Permissions.X)] (or list them as public on purpose): " + string.Join(", ", unprotected));
    }

    [Fact]
    public void EveryHandlerThatWritesChecksItsPermissionOnTheServerFirst()
    {
        var findings = HandlerPermissionChecks.UncheckedWrites(typeof(Program).Assembly).ToList();

        Assert.True(findings.Count == 0,
            "These component methods write without a server-side permission check first (call Authorization.AllowsAsync(AuthenticationState, " +
            "Permissions.X) at the start of the handler):" + Environment.NewLine +
            string.Join(Environment.NewLine, findings.Select(f => $"  {f.Component.Name}.{f.Method} -> {f.Write}")));
    }

    [Fact]
    public void TheHandlerCheckFindsAWriteWithoutACheckHoweverItIsReached()
    {
        string[] expected = ["DirectAsync -> DbContext.SaveChangesAsync", "CloseAsync -> TicketOperations.ChangeStatusAsync",
            "get_Lambda (lambda) -> DbContext.SaveChangesAsync", "ViaPlainRunnerAsync (lambda) -> DbContext.SaveChangesAsync"];
        Assert.Equal(expected.Order(),
            HandlerPermissionChecks.Analyse(typeof(HandlerFixtures.Unchecked)).Select(f => $"{f.Method} -> {f.Write}").Order());
        Assert.Empty(HandlerPermissionChecks.Analyse(typeof(HandlerFixtures.Checked)));
        Assert.Single(HandlerPermissionChecks.Analyse(typeof(HandlerFixtures.CheckedTooLate)));
    }

    [Fact]
    public void PermissionsFollowTheRolesInTheDesign()
    {
        string[] all = [AppRoles.Admin, AppRoles.Manager, AppRoles.Staff], managers = [AppRoles.Admin, AppRoles.Manager], admins = [AppRoles.Admin];
        var expected = new Dictionary<string, string[]>
        {
            ["customers.read"] = all, ["customers.write"] = all, ["customers.delete"] = managers,
            ["customers.restore"] = admins, ["customers.merge"] = managers, ["customers.override-block"] = managers, ["customers.import"] = managers, ["reports.view"] = managers, ["sms.send"] = all, ["sms.bulk"] = managers,
            ["events.cancel"] = managers, ["users.manage"] = admins, ["settings.manage"] = admins,
            ["privacy.manage"] = managers, ["privacy.audit"] = admins,
            ["webhooks.manage"] = admins,
            ["privacy.retention"] = admins,
        };
        Assert.Equal(expected.Keys.Order(), Permissions.Roles.Keys.Order());
        foreach (var (permission, roles) in expected)
            Assert.Equal(roles.Order(), Permissions.Roles[permission].Order());
    }

    [Fact]
    public async Task EveryPageAnswersEachRoleAsItsPolicySays()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite, ct: Xunit.TestContext.Current.CancellationToken);
        await using var app = new SecurityTestApp(database);
        var clients = new Dictionary<string, HttpClient> { ["anonymous"] = app.CreateBrowserlikeClient() };
        foreach (var role in AppRoles.All)
            clients[role] = await app.SignedInClientAsync(role);

        var failures = new List<string>();
        foreach (var (page, template) in Pages())
        {
            var url = Regex.Replace(template, @"\{[^}]+\}", "1");
            var policy = page.GetCustomAttributes<AuthorizeAttribute>().Select(a => a.Policy).FirstOrDefault(p => p is not null);
            foreach (var caller in Callers)
            {
                using var response = await clients[caller ?? "anonymous"].GetAsync(url.TrimStart('/'), Xunit.TestContext.Current.CancellationToken);
                var expected = Expect(template, policy, caller);
                var actual = Outcome(response);
                if (expected != actual)
                    failures.Add($"{url} as {caller ?? "anonymous"}: expected {expected}, got {actual} ({(int)response.StatusCode} {response.Headers.Location})");
            }
        }
        Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures));
    }

    [Fact]
    public async Task EveryOtherEndpointNeedsASignedInUserUnlessItIsMeantToBePublic()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite, ct: Xunit.TestContext.Current.CancellationToken);
        await using var app = new SecurityTestApp(database);
        var anonymous = app.CreateBrowserlikeClient();
        var endpoints = app.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.Metadata.GetMetadata<ComponentTypeMetadata>() is null)
            .ToList();
        Assert.NotEmpty(endpoints);

        var failures = new List<string>();
        foreach (var endpoint in endpoints)
        {
            var pattern = endpoint.RoutePattern.RawText ?? "";
            var isPublic = endpoint.Metadata.GetMetadata<IAllowAnonymous>() is not null;
            var staticFile = Regex.IsMatch(pattern, @"\.[a-z0-9]+$", RegexOptions.IgnoreCase) && !pattern.Contains('{');
            if (isPublic && SmsWebhooks.Paths.Contains(pattern))
            {
                // Twilio signs in no user; an unsigned post must still be refused, by the signature check.
                using var unsigned = await anonymous.PostAsync(pattern.TrimStart('/'), new FormUrlEncodedContent([]),
                    Xunit.TestContext.Current.CancellationToken);
                if (unsigned.StatusCode != HttpStatusCode.Forbidden)
                    failures.Add($"POST {pattern} answered {(int)unsigned.StatusCode} to an unsigned anonymous caller");
                continue;
            }
            if (isPublic && pattern == ObservabilitySetup.MetricsPath)
            {
                // Prometheus signs in no user: without the token (or from another machine) the scrape is refused.
                using var scrape = await anonymous.GetAsync(pattern.TrimStart('/'), Xunit.TestContext.Current.CancellationToken);
                if (scrape.StatusCode is not (HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden))
                    failures.Add($"GET {pattern} answered {(int)scrape.StatusCode} to an anonymous caller from elsewhere");
                continue;
            }
            if (isPublic)
            {
                if (pattern is not ("/health" or ObservabilitySetup.LivePath or ObservabilitySetup.ReadyPath) && !staticFile && !pattern.StartsWith("_content/") && !pattern.StartsWith("/_content/")
                    && !Regex.IsMatch(pattern, @"\.[a-z0-9]+(\.gz|\.br)?$"))
                    failures.Add($"{pattern} (or {endpoint.DisplayName}) is open to anonymous users");
                continue;
            }
            if (pattern.Contains('{')) continue;
            var methods = endpoint.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? ["GET"];
            var method = methods.Contains("GET") ? HttpMethod.Get : new HttpMethod(methods.First());
            using var request = new HttpRequestMessage(method, pattern.TrimStart('/'));
            using var response = await anonymous.SendAsync(request, Xunit.TestContext.Current.CancellationToken);
            if (response.StatusCode is not (HttpStatusCode.Unauthorized or HttpStatusCode.Redirect or HttpStatusCode.BadRequest)
                || (response.StatusCode == HttpStatusCode.Redirect && !IsSignInRedirect(response)))
                failures.Add($"{method} {pattern} answered {(int)response.StatusCode} {response.Headers.Location} to an anonymous caller");
        }
        Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures));
    }

    /// <summary>
    /// Every endpoint under /api/v1, from the endpoint data source (so a new one is covered without being listed), must
    /// name its scope; then each is called without a token (401), and with a token carrying each single permission in
    /// turn: refused (403) for every permission but its own, let through for its own.
    /// </summary>
    [Fact]
    public async Task EveryApiEndpointAnswersEachScopeAsItsScopeSays()
    {
        var ct = Xunit.TestContext.Current.CancellationToken;
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite, ct: ct);
        await using var app = new SecurityTestApp(database);
        var endpoints = app.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText?.StartsWith(ApiSetup.BasePath, StringComparison.Ordinal) == true)
            .ToList();
        Assert.True(endpoints.Count >= 9, $"only {endpoints.Count} API endpoints found");
        var unscoped = endpoints.Where(e => e.Metadata.GetMetadata<ApiScope>() is not { } s || !Permissions.Roles.ContainsKey(s.Permission))
            .Select(e => e.DisplayName).ToList();
        Assert.True(unscoped.Count == 0, "Give these API endpoints .RequireScope(Permissions.X): " + string.Join(", ", unscoped));

        var (admin, _) = await app.CreateUserAsync(AppRoles.Admin);
        var tokens = app.Services.GetRequiredService<ApiTokenOperations>();
        var clients = new Dictionary<string, HttpClient>();
        foreach (var permission in Permissions.Roles.Keys)
        {
            var client = app.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { BaseAddress = new Uri("https://localhost/") });
            client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer",
                (await tokens.CreateAsync(admin, permission, [permission], null, "test", ct)).Secret);
            clients[permission] = client;
        }
        var anonymous = app.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { BaseAddress = new Uri("https://localhost/") });

        var failures = new List<string>();
        foreach (var endpoint in endpoints)
        {
            var required = endpoint.Metadata.GetMetadata<ApiScope>()!.Permission;
            var method = new HttpMethod(endpoint.Metadata.GetMetadata<HttpMethodMetadata>()!.HttpMethods.Single());
            var url = Regex.Replace(endpoint.RoutePattern.RawText!, @"\{[^}]+\}", "1").TrimStart('/');
            HttpRequestMessage Request()
            {
                var request = new HttpRequestMessage(method, url);
                if (method != HttpMethod.Get && method != HttpMethod.Delete)
                    request.Content = new StringContent("{}", System.Text.Encoding.UTF8, "application/json");
                return request;
            }
            using (var response = await anonymous.SendAsync(Request(), ct))
                if (response.StatusCode != HttpStatusCode.Unauthorized)
                    failures.Add($"{method} {url} without a token: {(int)response.StatusCode}");
            foreach (var (permission, client) in clients)
            {
                using var response = await client.SendAsync(Request(), ct);
                var refused = response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden;
                if (permission == required ? refused : response.StatusCode != HttpStatusCode.Forbidden)
                    failures.Add($"{method} {url} with only {permission} (needs {required}): {(int)response.StatusCode}");
            }
        }
        Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures));
    }

    private static string Expect(string template, string? policy, string? role)
    {
        if (PublicPages.Contains(template))
            return template == "/account/access-denied" ? "forbidden" : "allowed";
        if (role is null) return "sign-in";
        if (SelfServicePages.Contains(template)) return "allowed";
        return Permissions.Roles[policy!].Contains(role) ? "allowed" : "forbidden";
    }

    private static string Outcome(HttpResponseMessage response) => response.StatusCode switch
    {
        HttpStatusCode.Redirect when IsSignInRedirect(response) => "sign-in",
        HttpStatusCode.Redirect when response.Headers.Location!.OriginalString.Contains(SecuritySetup.AccessDeniedPath) => "forbidden",
        HttpStatusCode.Forbidden => "forbidden",
        HttpStatusCode.OK or HttpStatusCode.Redirect => "allowed",
        _ => $"status {(int)response.StatusCode}",
    };

    private static bool IsSignInRedirect(HttpResponseMessage response) =>
        response.Headers.Location?.OriginalString.Contains(SecuritySetup.SignInPath) == true;
}
