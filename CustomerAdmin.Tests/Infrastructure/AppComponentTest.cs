using Bunit;
using Bunit.TestDoubles;
using CustomerAdmin;
using CustomerAdmin.Common;
using CustomerAdmin.Features.Customers.Documents;
using Microsoft.Extensions.Hosting;
using CustomerAdmin.Data;
using CustomerAdmin.Security;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using MudBlazor;
using MudBlazor.Services;

namespace CustomerAdmin.Tests.Infrastructure;

/// <summary>
/// bUnit context with the app's real services over a real SQLite database (migrated, in memory), and a
/// factory that counts the contexts components create, so tests can see how often a page hits the database.
/// </summary>
public abstract class AppComponentTest : BunitContext, IAsyncLifetime
{
    private TestDatabase? _database;

    // bUnit waits one second by default; the pages load from a real database, and on a loaded two-core CI machine
    // running test classes in parallel a first render can take longer than that without anything being wrong.
    static AppComponentTest() => DefaultWaitTimeout = TimeSpan.FromSeconds(15);

    protected CountingFactory Db { get; private set; } = null!;

    /// <summary>The test's database itself, for rigs that arrange data on a <see cref="TestDatabase"/>.</summary>
    protected TestDatabase Database => _database ?? throw new InvalidOperationException("The database is created in InitializeAsync.");
    protected PhoneNormalizer Phones { get; } = new("US");
    protected BunitAuthorizationContext Authorization { get; }

    /// <summary>The database the pages run on; a test class overrides it to run the same tests on PostgreSQL.</summary>
    protected virtual DatabaseProvider Provider => DatabaseProvider.Sqlite;

    /// <summary>The venue of the pages and of the database contexts (whose days the dashboard summary counts).</summary>
    protected virtual VenueOptions Venue { get; } = new() { TimeZone = "America/New_York" };

    protected AppComponentTest()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            // Pages with a documents section need the store; its folder is only touched by an upload.
            [$"{DocumentsOptions.Section}:{nameof(DocumentsOptions.Folder)}"] = Path.Combine(Path.GetTempPath(), "customeradmin-bunit-documents"),
        }).Build();
        var environment = new TestHostEnvironment();
        Services.AddSingleton<IConfiguration>(configuration);
        Services.AddSingleton<IHostEnvironment>(environment);
        // The web host gives these to the app; bUnit renders without one.
        Services.AddSingleton<IHostApplicationLifetime, StillRunning>();
        Services.AddCustomerAdmin(configuration, environment);
        // What a test controls; a test class may override more in its constructor or test (the last registration wins).
        Services.AddMudServices(o => o.PopoverOptions.CheckForPopoverProvider = false);
        Services.AddSingleton(Options.Create(Venue));
        JSInterop.Mode = JSRuntimeMode.Loose;
        Authorization = AddAuthorization();
        SignInAs(AppRoles.Staff);
    }

    public async ValueTask InitializeAsync()
    {
        _database = await TestDatabase.CreateAsync(Provider, venue: Venue);
        Db = new CountingFactory(_database.Factory);
        Services.AddSingleton<IDbContextFactory<AppDbContext>>(Db);
    }

    /// <summary>The rendered components see a signed-in user with this role and the permissions it holds.</summary>
    protected void SignInAs(string role)
    {
        Authorization.SetAuthorized($"{role.ToLowerInvariant()}@test.local");
        Authorization.SetRoles(role);
        Authorization.SetPolicies(Permissions.Roles.Where(p => p.Value.Contains(role)).Select(p => p.Key).ToArray());
    }

    public new async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        if (_database is not null) await _database.DisposeAsync();
    }

    /// <summary>Renders the component under test next to a popover provider, as MainLayout does.</summary>
    /// <remarks>Popover content (suggestions, menus) renders inside the provider, so tests search the whole fragment.</remarks>
    protected IRenderedComponent<Bunit.Rendering.ContainerFragment> RenderWithPopovers<T>() where T : Microsoft.AspNetCore.Components.IComponent =>
        Render(b =>
        {
            b.OpenComponent<MudPopoverProvider>(0);
            b.CloseComponent();
            b.OpenComponent<T>(1);
            b.CloseComponent();
        });

    /// <summary>A page (or a section of one) inside the providers MainLayout gives it, so its popovers and dialogs open.</summary>
    /// <param name="id">The page's <c>Id</c> route parameter, for pages that have one.</param>
    /// <param name="parameters">Other parameters of the component, by name.</param>
    protected IRenderedComponent<Bunit.Rendering.ContainerFragment> RenderPage<T>(int? id = null,
        IReadOnlyDictionary<string, object?>? parameters = null) where T : Microsoft.AspNetCore.Components.IComponent =>
        Render(b =>
        {
            b.OpenComponent<MudPopoverProvider>(0);
            b.CloseComponent();
            b.OpenComponent<MudDialogProvider>(1);
            b.CloseComponent();
            b.OpenComponent<T>(2);
            if (id is { } value) b.AddAttribute(3, "Id", value);
            foreach (var (name, parameter) in parameters ?? new Dictionary<string, object?>()) b.AddAttribute(4, name, parameter);
            b.CloseComponent();
        });

    protected TestData Data => new(Db.Inner);

    /// <summary>A customer with the phone as staff type it, and no address but the city.</summary>
    protected Task<Customer> AddCustomerAsync(string first, string last, string phone, string? email = null, string? city = null) =>
        Data.CustomerAsync(first, last, Phones.Check(phone).E164!, c =>
        {
            c.Email = email;
            c.City = city;
            c.Country = null;
        });

    private sealed class TestHostEnvironment : IHostEnvironment
    {
        public string EnvironmentName { get; set; } = "Test";
        public string ApplicationName { get; set; } = "CustomerAdmin";
        public string ContentRootPath { get; set; } = Path.GetTempPath();
        public Microsoft.Extensions.FileProviders.IFileProvider ContentRootFileProvider { get; set; } = null!;
    }

    public sealed class CountingFactory(IDbContextFactory<AppDbContext> inner) : IDbContextFactory<AppDbContext>
    {
        private int _created;
        public IDbContextFactory<AppDbContext> Inner => inner;
        public int Created => Volatile.Read(ref _created);

        public AppDbContext CreateDbContext()
        {
            Interlocked.Increment(ref _created);
            return inner.CreateDbContext();
        }
    }
}
