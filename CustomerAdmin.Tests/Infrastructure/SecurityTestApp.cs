using System.Collections.Concurrent;
using System.Net;
using System.Text.RegularExpressions;
using CustomerAdmin.Data;
using CustomerAdmin.Security;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace CustomerAdmin.Tests.Infrastructure;

/// <summary>
/// The real app in memory (TestServer) over a <see cref="TestDatabase"/>, with its log captured, for tests of
/// sign-in, authorization and first-run behaviour over HTTP. Clients use https://localhost so cookies behave as in
/// production, keep cookies, and do not follow redirects (tests look at where they point).
/// </summary>
/// <param name="environment">The host environment; Production switches on what only a deployment has (Secure cookies, HTTPS).</param>
/// <param name="services">Test-only service changes, applied after the app's own registrations.</param>
public sealed class SecurityTestApp(TestDatabase database, IReadOnlyDictionary<string, string?>? settings = null,
    string environment = "Development", Action<IServiceCollection>? services = null)
    : WebApplicationFactory<Program>
{
    public ConcurrentQueue<string> Log { get; } = new();

    /// <summary>The same log lines with their level and category, for tests about what is logged how loudly.</summary>
    public ConcurrentQueue<(LogLevel Level, string Category, string Message)> Entries { get; } = new();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment(environment);
        builder.UseSetting("Database:Provider", database.Provider.ToString());
        builder.UseSetting(database.Provider == DatabaseProvider.Sqlite ? "ConnectionStrings:Sqlite" : "ConnectionStrings:Postgres",
            database.ConnectionString);
        builder.UseSetting("Database:SeedDemoData", "false");
        builder.UseSetting("Logging:LogLevel:Default", "Warning");
        builder.UseSetting("Logging:LogLevel:CustomerAdmin", "Information");
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
            builder.UseSetting(key, value);
        builder.ConfigureLogging(logging => logging.AddProvider(new CaptureProvider(Log, Entries)));
        if (services is not null)
            builder.ConfigureTestServices(services);
    }

    /// <summary>
    /// The error with which an app of these settings refuses to start. Under load WebApplicationFactory sometimes
    /// reports a failed start as an <see cref="ObjectDisposedException"/> of the service provider instead: the failed
    /// host is disposed before the factory asks it for its server (dotnet/aspnetcore#33494; seen in CI). Then a new app
    /// is started, up to five times, so the test sees the start's own error. Fails the test if the app starts.
    /// </summary>
    public static async Task<Exception> StartupErrorAsync(TestDatabase database, IReadOnlyDictionary<string, string?> settings)
    {
        for (var attempt = 1; ; attempt++)
        {
            await using var app = new SecurityTestApp(database, settings);
            var error = Record.Exception(() => app.CreateClient()) ?? throw new Xunit.Sdk.XunitException("The app started.");
            if (error.GetBaseException() is not ObjectDisposedException || attempt == 5) return error;
        }
    }

    public HttpClient CreateBrowserlikeClient() => CreateClient(new WebApplicationFactoryClientOptions
    {
        AllowAutoRedirect = false, HandleCookies = true, BaseAddress = new Uri("https://localhost/"),
    });

    /// <summary>Creates a user with a random password and the given role through the app's own UserManager.</summary>
    public async Task<(string Email, string Password)> CreateUserAsync(string role, string? email = null)
    {
        email ??= $"{role.ToLowerInvariant()}-{Guid.NewGuid():N}@test.local";
        var password = PasswordRules.Generate();
        await using var scope = Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<AppUser>>();
        var user = new AppUser { UserName = email, Email = email, EmailConfirmed = true };
        Check(await users.CreateAsync(user, password));
        Check(await users.AddToRoleAsync(user, role));
        return (email, password);
    }

    /// <summary>Posts the sign-in form as a browser would (token from the page, cookies kept) and returns the answer.</summary>
    /// <param name="path">Where the form is posted; another spelling of the sign-in path reaches the same page.</param>
    public static async Task<HttpResponseMessage> PostSignInAsync(HttpClient client, string email, string password,
        bool withToken = true, string path = "account/sign-in")
    {
        var ct = Xunit.TestContext.Current.CancellationToken;
        var form = new Dictionary<string, string> { ["_handler"] = "sign-in", ["Input.Email"] = email, ["Input.Password"] = password };
        if (withToken)
        {
            var page = await client.GetStringAsync("account/sign-in", ct);
            form["__RequestVerificationToken"] = WebUtility.HtmlDecode(
                Regex.Match(page, "name=\"__RequestVerificationToken\" value=\"([^\"]+)\"").Groups[1].Value);
        }
        return await client.PostAsync(path, new FormUrlEncodedContent(form), ct);
    }

    /// <summary>A client signed in as a new user with <paramref name="role"/>.</summary>
    public async Task<HttpClient> SignedInClientAsync(string role)
    {
        var (email, password) = await CreateUserAsync(role);
        var client = CreateBrowserlikeClient();
        using var response = await PostSignInAsync(client, email, password);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        return client;
    }

    private static void Check(IdentityResult result) =>
        Assert.True(result.Succeeded, string.Join(" ", result.Errors.Select(e => e.Description)));

    private sealed class CaptureProvider(ConcurrentQueue<string> log, ConcurrentQueue<(LogLevel, string, string)> entries) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new Logger(log, entries, categoryName);
        public void Dispose() { }

        private sealed class Logger(ConcurrentQueue<string> log, ConcurrentQueue<(LogLevel, string, string)> entries, string category) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
            public bool IsEnabled(LogLevel logLevel) => true;
            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception,
                Func<TState, Exception?, string> formatter)
            {
                var message = formatter(state, exception);
                log.Enqueue(message);
                entries.Enqueue((logLevel, category, message));
            }
        }
    }
}
