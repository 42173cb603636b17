using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using CustomerAdmin.Data;
using CustomerAdmin.Security;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CustomerAdmin.Tests.Security;

/// <summary>
/// What a deployment relies on outside Development: Secure cookies, HTTPS (directly or through a trusted TLS proxy),
/// and data-protection keys encrypted at rest with a configured certificate.
/// </summary>
public sealed class TransportSecurityTests
{
    private const string Production = "Production";
    private const string Proxy = "10.9.8.7";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task OutsideDevelopmentEveryCookieIsSecure()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite, ct: Ct);
        await using var app = new SecurityTestApp(database, environment: Production);
        var (email, password) = await app.CreateUserAsync(AppRoles.Staff);
        var client = app.CreateBrowserlikeClient();

        using var page = await client.GetAsync("account/sign-in", Ct);
        using var signIn = await SecurityTestApp.PostSignInAsync(client, email, password);

        Assert.Equal(HttpStatusCode.Redirect, signIn.StatusCode);
        var cookies = page.Headers.GetValues("Set-Cookie").Concat(signIn.Headers.GetValues("Set-Cookie")).ToList();
        Assert.Contains(cookies, c => c.StartsWith("CustomerAdmin.Antiforgery="));
        Assert.Contains(cookies, c => c.StartsWith("CustomerAdmin.Auth="));
        Assert.All(cookies, c => Assert.Contains("; secure", c, StringComparison.OrdinalIgnoreCase));
        // Not just because this request was HTTPS: the policy itself is Always.
        var cookieOptions = app.Services.GetRequiredService<IOptionsMonitor<CookieAuthenticationOptions>>();
        Assert.Equal(CookieSecurePolicy.Always, cookieOptions.Get(IdentityConstants.ApplicationScheme).Cookie.SecurePolicy);
        Assert.Equal(CookieSecurePolicy.Always, app.Services.GetRequiredService<IOptions<AntiforgeryOptions>>().Value.Cookie.SecurePolicy);
    }

    [Fact]
    public async Task OutsideDevelopmentPlainHttpIsRefusedWithAMessageExceptTheHealthCheck()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite, ct: Ct);
        await using var app = new SecurityTestApp(database, environment: Production);
        var client = app.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions
        {
            AllowAutoRedirect = false, BaseAddress = new Uri("http://localhost/"),
        });

        using var page = await client.GetAsync("account/sign-in", Ct);
        using var health = await client.GetAsync("health", Ct);

        Assert.Equal(HttpStatusCode.BadRequest, page.StatusCode);
        Assert.Equal(SecuritySetup.HttpsRequiredMessage, await page.Content.ReadAsStringAsync(Ct));
        Assert.False(page.Headers.Contains("Set-Cookie"));
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
    }

    [Fact]
    public async Task InDevelopmentPlainHttpStillWorks()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite, ct: Ct);
        await using var app = new SecurityTestApp(database);
        var client = app.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions
        {
            AllowAutoRedirect = false, BaseAddress = new Uri("http://localhost/"),
        });

        using var page = await client.GetAsync("account/sign-in", Ct);

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.DoesNotContain("secure", Assert.Single(page.Headers.GetValues("Set-Cookie")), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task AConfiguredProxyIsBelievedAndAnyOtherIsNot()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite, ct: Ct);
        await using var app = new SecurityTestApp(database, new Dictionary<string, string?>
        {
            ["ForwardedHeaders:KnownProxies:0"] = Proxy, ["Security:SignInAttemptsPerMinute"] = "2",
        }, environment: Production);
        app.CreateClient().Dispose();

        var viaProxy = (await SendAsync(app, "GET", "/account/sign-in", Proxy, client: "203.0.113.1")).Response;
        var viaStranger = (await SendAsync(app, "GET", "/account/sign-in", "10.9.8.6", client: "203.0.113.1")).Response;
        var viaLoopback = (await SendAsync(app, "GET", "/account/sign-in", "127.0.0.1", client: "203.0.113.1")).Response;

        Assert.Equal(StatusCodes.Status200OK, viaProxy.StatusCode);
        Assert.Contains("secure", viaProxy.Headers.SetCookie.ToString(), StringComparison.OrdinalIgnoreCase);
        // Configured proxies replace the loopback default.
        Assert.Equal(StatusCodes.Status400BadRequest, viaStranger.StatusCode);
        Assert.Equal(StatusCodes.Status400BadRequest, viaLoopback.StatusCode);

        // The password limit counts the client the proxy names, not the proxy: two clients, two budgets.
        var first = new List<int>();
        for (var i = 0; i < 3; i++)
            first.Add((await SendAsync(app, "POST", "/account/sign-in", Proxy, client: "203.0.113.1")).Response.StatusCode);
        var second = (await SendAsync(app, "POST", "/account/sign-in", Proxy, client: "203.0.113.2")).Response.StatusCode;
        Assert.Equal(StatusCodes.Status429TooManyRequests, first[2]);
        Assert.DoesNotContain(StatusCodes.Status429TooManyRequests, first.Take(2));
        Assert.NotEqual(StatusCodes.Status429TooManyRequests, second);
    }

    [Fact]
    public async Task AProxyNetworkCanBeTrusted()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite, ct: Ct);
        await using var app = new SecurityTestApp(database, new Dictionary<string, string?>
        {
            ["ForwardedHeaders:KnownNetworks:0"] = "10.9.8.0/24",
        }, environment: Production);
        app.CreateClient().Dispose();

        var inside = (await SendAsync(app, "GET", "/account/sign-in", "10.9.8.200", client: "203.0.113.1")).Response;
        var outside = (await SendAsync(app, "GET", "/account/sign-in", "10.9.9.1", client: "203.0.113.1")).Response;

        Assert.Equal(StatusCodes.Status200OK, inside.StatusCode);
        Assert.Equal(StatusCodes.Status400BadRequest, outside.StatusCode);
    }

    [Theory, InlineData("KnownProxies", "proxy.example.com"), InlineData("KnownNetworks", "10.0.0.0/99")]
    public async Task AMistypedProxySettingStopsTheStart(string key, string value)
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite, ct: Ct);
        var error = await SecurityTestApp.StartupErrorAsync(database, new Dictionary<string, string?> { [$"ForwardedHeaders:{key}:0"] = value });
        Assert.Contains($"ForwardedHeaders:{key}: '{value}'", error.ToString());
    }

    [Theory, InlineData(DatabaseProvider.Sqlite), InlineData(DatabaseProvider.Postgres)]
    public async Task WithACertificateTheStoredKeysHoldNoPlaintextKeyMaterial(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider, ct: Ct);
        using var folder = new TempFolder();
        var pfx = WriteCertificate(folder.Path, "Pfx-Passw0rd");
        await using var app = new SecurityTestApp(database, new Dictionary<string, string?>
        {
            ["DataProtection:CertificatePath"] = pfx, ["DataProtection:CertificatePassword"] = "Pfx-Passw0rd",
        }, environment: Production);
        var (email, password) = await app.CreateUserAsync(AppRoles.Staff);

        // Signing in makes and uses a key: the antiforgery token and the cookie are protected with it.
        using var signIn = await SecurityTestApp.PostSignInAsync(app.CreateBrowserlikeClient(), email, password);

        Assert.Equal(HttpStatusCode.Redirect, signIn.StatusCode);
        await using var db = database.CreateDbContext();
        var keys = await db.DataProtectionKeys.Select(k => k.Xml).ToListAsync(Ct);
        Assert.NotEmpty(keys);
        Assert.All(keys, xml =>
        {
            Assert.Contains("<encryptedSecret", xml);
            Assert.DoesNotContain("<masterKey", xml);
        });
        Assert.DoesNotContain(app.Entries, e => e.Message.Contains("stored unencrypted"));
    }

    [Fact]
    public async Task ARenewedCertificateReadsTheKeysOfThePreviousOneWhenListed()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite, ct: Ct);
        using var folder = new TempFolder();
        var old = WriteCertificate(folder.Path, "Pfx-Passw0rd", "old.pfx");
        var renewed = WriteCertificate(folder.Path, "Pfx-Passw0rd", "renewed.pfx");
        string cookie;
        await using (var before = new SecurityTestApp(database, new Dictionary<string, string?>
        {
            ["DataProtection:CertificatePath"] = old, ["DataProtection:CertificatePassword"] = "Pfx-Passw0rd",
        }))
        {
            var (email, password) = await before.CreateUserAsync(AppRoles.Staff);
            using var signIn = await SecurityTestApp.PostSignInAsync(before.CreateBrowserlikeClient(), email, password);
            var setCookie = signIn.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("CustomerAdmin.Auth="));
            cookie = setCookie[..setCookie.IndexOf(';')];
        }

        async Task<HttpStatusCode> CustomersWithCookieAsync(params (string Key, string? Value)[] settings)
        {
            await using var after = new SecurityTestApp(database, settings.ToDictionary(s => s.Key, s => s.Value));
            var client = after.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions
            {
                AllowAutoRedirect = false, HandleCookies = false, BaseAddress = new Uri("https://localhost/"),
            });
            client.DefaultRequestHeaders.Add("Cookie", cookie);
            using var page = await client.GetAsync("customers", Ct);
            return page.StatusCode;
        }

        Assert.Equal(HttpStatusCode.OK, await CustomersWithCookieAsync(("DataProtection:CertificatePath", renewed),
            ("DataProtection:CertificatePassword", "Pfx-Passw0rd"), ("DataProtection:PreviousCertificatePaths:0", old)));
        Assert.Equal(HttpStatusCode.Redirect, await CustomersWithCookieAsync(("DataProtection:CertificatePath", renewed),
            ("DataProtection:CertificatePassword", "Pfx-Passw0rd")));
    }

    [Fact]
    public async Task WithoutACertificateAProductionStartWarns()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite, ct: Ct);
        await using (var production = new SecurityTestApp(database, environment: Production))
        {
            production.CreateClient().Dispose();
            Assert.Single(production.Entries, e => e.Level == LogLevel.Warning && e.Message.Contains("DataProtection:CertificatePath"));
        }
        await using var development = new SecurityTestApp(database);
        development.CreateClient().Dispose();
        Assert.DoesNotContain(development.Entries, e => e.Message.Contains("DataProtection:CertificatePath"));
    }

    [Fact]
    public async Task AnUnreadableCertificateStopsTheStartNamingTheSetting()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite, ct: Ct);
        using var folder = new TempFolder();
        var pfx = WriteCertificate(folder.Path, "Pfx-Passw0rd");
        var error = await SecurityTestApp.StartupErrorAsync(database, new Dictionary<string, string?>
        {
            ["DataProtection:CertificatePath"] = pfx, ["DataProtection:CertificatePassword"] = "wrong",
        });
        Assert.Contains("DataProtection:CertificatePath", error.ToString());
    }

    /// <summary>A self-signed certificate with its private key, as a PFX file protected by <paramref name="password"/>.</summary>
    private static string WriteCertificate(string folder, string password, string name = "keys.pfx")
    {
        using var rsa = RSA.Create(2048);
        var request = new CertificateRequest("CN=CustomerAdmin test keys", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
        var path = Path.Combine(folder, name);
        File.WriteAllBytes(path, certificate.Export(X509ContentType.Pfx, password));
        return path;
    }

    /// <summary>One request as it arrives from <paramref name="proxy"/>, on behalf of <paramref name="client"/>, over plain HTTP.</summary>
    private static Task<HttpContext> SendAsync(SecurityTestApp app, string method, string path, string proxy, string client) =>
        app.Server.SendAsync(context =>
        {
            context.Request.Method = method;
            context.Request.Scheme = "http";
            context.Request.Host = new HostString("admin.example.com");
            context.Request.Path = path;
            context.Request.Headers["X-Forwarded-For"] = client;
            context.Request.Headers["X-Forwarded-Proto"] = "https";
            context.Connection.RemoteIpAddress = IPAddress.Parse(proxy);
            if (method == "POST")
            {
                context.Request.ContentType = "application/x-www-form-urlencoded";
                var body = "_handler=sign-in&Input.Email=a%40b.c&Input.Password=Wrong-1"u8.ToArray();
                context.Request.Body = new MemoryStream(body);
                context.Request.ContentLength = body.Length;
            }
        }, Ct);

    private sealed class TempFolder : IDisposable
    {
        public string Path { get; } = Directory.CreateTempSubdirectory("customeradmin-keys-").FullName;

        public void Dispose() => Directory.Delete(Path, recursive: true);
    }
}
