using System.Net;
using CustomerAdmin.Data;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CustomerAdmin.Tests.EndToEnd;

/// <summary>
/// The real app on Kestrel at <c>http://127.0.0.1:{free port}</c> over a SQLite file in a temporary folder that
/// is deleted on dispose. Use it as a class fixture (<c>IClassFixture&lt;AppServer&gt;</c>): one server per test
/// class, shared by its tests. For demo data derive a fixture, e.g.
/// <c>public sealed class DemoAppServer() : AppServer(demoCustomers: 50);</c>.
/// </summary>
/// <remarks>
/// In-process (<see cref="WebApplicationFactory{TEntryPoint}"/> with Kestrel) rather than a child process: no
/// second build output to locate, the app's services are reachable for arranging data
/// (<see cref="CreateDbContext"/>), and a debugger stops in app code. Static web assets resolve because the
/// factory runs the app in Development with the app project as content root, and the build copies
/// <c>CustomerAdmin.staticwebassets.*.json</c> next to the test assembly.
/// </remarks>
public class AppServer : IAsyncLifetime
{
    private readonly int _demoCustomers;
    private readonly string _environment = "Development";
    private readonly bool _seedFromAppSettings;
    private readonly string _databaseFolder =
        Path.Combine(Path.GetTempPath(), "customeradmin-e2e", Guid.NewGuid().ToString("N"));
    private readonly DatabaseProvider _provider = DatabaseProvider.Sqlite;
    private readonly string _connectionString;
    private readonly IReadOnlyDictionary<string, string?> _settings = new Dictionary<string, string?>();
    private Factory? _factory;

    public AppServer() : this(demoCustomers: 0) { }

    /// <param name="demoCustomers">How many demo customers to seed at start; 0 leaves the database empty.</param>
    protected AppServer(int demoCustomers)
    {
        _demoCustomers = demoCustomers;
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = Path.Combine(_databaseFolder, "customeradmin.db"),
        }.ToString();
    }

    /// <param name="settings">This server's own configuration (as <c>--Section:Key=value</c> would give it), applied last.</param>
    protected AppServer(IReadOnlyDictionary<string, string?> settings) : this(demoCustomers: 0) => _settings = settings;

    private AppServer(TestDatabase database, IReadOnlyDictionary<string, string?>? settings)
    {
        _provider = database.Provider;
        _connectionString = database.ConnectionString;
        _settings = settings ?? _settings;
    }

    /// <summary>
    /// The app on Kestrel over a <see cref="TestDatabase"/> the test owns (either provider, already migrated), for HTTP
    /// tests that run on both databases. Dispose the server before the database.
    /// </summary>
    /// <param name="settings">Configuration for this test (<c>Section:Key</c>), applied after the server's own.</param>
    public static async Task<AppServer> StartAsync(TestDatabase database, IReadOnlyDictionary<string, string?>? settings = null)
    {
        var server = new AppServer(database, settings);
        try
        {
            await server.InitializeAsync();
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    /// <param name="environment">The environment to start in; whether demo data is seeded is left to the app's own
    /// appsettings files for it, as in a real start.</param>
    /// <param name="demoCustomers">How many demo customers to seed if those files ask for demo data.</param>
    protected AppServer(string environment, int demoCustomers) : this(demoCustomers)
    {
        _environment = environment;
        _seedFromAppSettings = true;
    }

    /// <summary>The temporary folder holding the SQLite database (and, unless the settings move them, the documents).</summary>
    public string DataFolder => _databaseFolder;

    /// <summary>Base address with a trailing slash, e.g. <c>http://127.0.0.1:41234/</c>.</summary>
    public Uri BaseUrl { get; private set; } = null!;

    /// <summary>The running app's services (options, <see cref="TimeProvider"/>, ...).</summary>
    public IServiceProvider Services => _factory?.Services
        ?? throw new InvalidOperationException("The server has not started.");

    /// <summary>A context on the app's own database, to arrange data before a page loads or check what it saved.</summary>
    public AppDbContext CreateDbContext() =>
        Services.GetRequiredService<IDbContextFactory<AppDbContext>>().CreateDbContext();

    /// <summary>A plain HTTP client for the server, for requests that need no browser.</summary>
    public HttpClient CreateHttpClient() => new() { BaseAddress = BaseUrl };

    public async ValueTask InitializeAsync()
    {
        Directory.CreateDirectory(_databaseFolder);
        _factory = new Factory(_provider, _connectionString, Path.Combine(_databaseFolder, "documents"), _demoCustomers, _environment,
            _seedFromAppSettings, _settings, ConfigureServices);
        _factory.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        // StartServer blocks while the host starts, which includes migrating and seeding the database.
        await Task.Run(_factory.StartServer, TestContext.Current.CancellationToken);

        var addresses = _factory.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>();
        var address = addresses?.Addresses.SingleOrDefault()
            ?? throw new InvalidOperationException("Kestrel reported no listening address.");
        BaseUrl = new Uri(address.TrimEnd('/') + "/");
    }

    /// <summary>Services a derived server changes after the app registered its own (options the app does not bind from configuration).</summary>
    protected virtual void ConfigureServices(IServiceCollection services)
    {
    }

    public async ValueTask DisposeAsync()
    {
        if (_factory is not null)
            await _factory.DisposeAsync();
        // Pooled connections keep the file open, which blocks deleting it on Windows.
        if (_provider == DatabaseProvider.Sqlite)
            using (var connection = new SqliteConnection(_connectionString))
                SqliteConnection.ClearPool(connection);
        try
        {
            Directory.Delete(_databaseFolder, recursive: true);
        }
        catch (IOException)
        {
            // A leftover file in the temp folder is not worth failing a test run for.
        }
        GC.SuppressFinalize(this);
    }

    private sealed class Factory(DatabaseProvider provider, string connectionString, string documentsFolder, int demoCustomers,
        string environment, bool seedFromAppSettings, IReadOnlyDictionary<string, string?> settings,
        Action<IServiceCollection> configureServices) : WebApplicationFactory<Program>
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            // Program reads the database settings before Build; only UseSetting values are visible that early
            // (ConfigureAppConfiguration would apply too late). Setting the provider too keeps a developer's
            // Database__Provider=Postgres environment variable out of the tests.
            builder.UseEnvironment(environment);
            builder.UseSetting("Database:Provider", provider.ToString());
            builder.UseSetting(provider == DatabaseProvider.Sqlite ? "ConnectionStrings:Sqlite" : "ConnectionStrings:Postgres", connectionString);
            builder.UseSetting("Documents:Folder", documentsFolder);
            if (!seedFromAppSettings) builder.UseSetting("Database:SeedDemoData", (demoCustomers > 0).ToString());
            builder.UseSetting("Database:DemoCustomers", demoCustomers.ToString());
            builder.UseSetting("Logging:LogLevel:Default", "Warning");
            foreach (var (key, value) in settings)
                builder.UseSetting(key, value);
            builder.ConfigureServices(configureServices);
        }
    }
}
