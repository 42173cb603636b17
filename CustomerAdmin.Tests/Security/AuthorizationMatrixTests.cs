using System.Net;
using System.Reflection;
using System.Text.RegularExpressions;
using CustomerAdmin.Data;
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
