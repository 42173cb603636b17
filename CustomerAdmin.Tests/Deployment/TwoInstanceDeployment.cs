using System.Net;
using CustomerAdmin.Data;
using CustomerAdmin.Tests.EndToEnd;
using Microsoft.Playwright;

namespace CustomerAdmin.Tests.Deployment;

/// <summary>
/// The deployment of README "Deploy", for real: the app published once (<see cref="PublishedApp"/>), two processes of it
/// started as the systemd unit starts them (<see cref="AppInstance"/>) on one PostgreSQL database, the nginx site in
/// front (<see cref="NginxProxy"/>), and a fake Twilio on loopback. Started by the first test that asks
/// (<see cref="StartAsync"/>), so a run without nginx or PostgreSQL skips with the reason (and fails under CI=true).
/// </summary>
public sealed class TwoInstanceDeployment : IAsyncDisposable
{
    public const string AdminEmail = "admin@deploy.test";
    public const string AdminPassword = "Deploy-Test-Passw0rd";
    public const string StickyCookie = "customeradmin_node";

    private readonly SemaphoreSlim _lock = new(1, 1);
    private bool _started;

    public TestDatabase Database { get; private set; } = null!;
    public FakeTwilio Twilio { get; private set; } = null!;
    public NginxProxy Proxy { get; private set; } = null!;
    public string PublishFolder { get; private set; } = "";
    public int[] Ports { get; } = [NginxProxy.FreePort(), NginxProxy.FreePort()];
    public AppInstance?[] Instances { get; } = new AppInstance?[2];

    /// <summary>A sticky-cookie value that nginx's consistent hash sends to each instance, by instance index.</summary>
    public string[] Pins { get; } = new string[2];

    public async Task<TwoInstanceDeployment> StartAsync()
    {
        var nginx = NginxProxy.Executable();
        if (nginx is null)
        {
            const string reason = "The deployment test needs nginx (apt-get install nginx; .ci/run installs it)";
            if (TestDatabase.RunningInCi) throw new InvalidOperationException($"{reason}; CI=true, so this fails instead of skipping.");
            Assert.Skip(reason);
        }
        await _lock.WaitAsync();
        try
        {
            if (_started)
            {
                // A test that stopped and restarted an instance leaves nginx counting it failed for up to fail_timeout
                // (10 s): the next test must not start before each pin reaches its own instance again.
                await RoutedAgainAsync();
                return this;
            }
            Database = await TestDatabase.CreateAsync(DatabaseProvider.Postgres);
            Twilio = await FakeTwilio.StartAsync();
            Twilio.RecordRequests = false;
            PublishFolder = await PublishedApp.FolderAsync();
            Proxy = await NginxProxy.StartAsync(nginx!, Ports);
            // One after the other: the first applies nothing (the test database is migrated) but creates the first admin.
            for (var i = 0; i < 2; i++) await StartInstanceAsync(i);
            await FindPinsAsync();
            _started = true;
            return this;
        }
        finally
        {
            _lock.Release();
        }
    }

    public async Task StartInstanceAsync(int index)
    {
        if (Instances[index] is { } old) await old.DisposeAsync();
        var settings = Settings();
        // Each instance a folder of its own, as on two machines: a document must reach the other through the database.
        settings["Documents__Folder"] = Path.Combine(PublishFolder, "data", $"documents-{Ports[index]}");
        Instances[index] = await AppInstance.StartAsync(PublishFolder, Ports[index], settings);
    }

    private Dictionary<string, string> Settings() => new()
    {
        ["ConnectionStrings__Postgres"] = Database.ConnectionString,
        ["Admin__Email"] = AdminEmail,
        ["Admin__Password"] = AdminPassword,
        ["Logging__LogLevel__Default"] = "Warning",
        ["Sms__Provider"] = "Twilio",
        ["Sms__Twilio__AccountSid"] = FakeTwilio.AccountSid,
        ["Sms__Twilio__AuthToken"] = FakeTwilio.AuthToken,
        ["Sms__Twilio__From"] = FakeTwilio.From,
        ["Sms__Twilio__BaseUrl"] = Twilio.BaseUrl,
        ["Sms__PublicBaseUrl"] = Proxy.BaseUrl.ToString().TrimEnd('/'),
        // Quiet hours off (equal ends) and a fast pace, so the SMS scenario does not depend on the hour it runs at.
        ["Sms__QuietHoursStart"] = "00:00",
        ["Sms__QuietHoursEnd"] = "00:00",
        ["Sms__DispatchInterval"] = "00:00:01",
        ["Sms__ReminderScanInterval"] = "00:00:01",
        ["Sms__BatchSize"] = "100",
        // Batches and heartbeats often enough that another instance sees a legacy import move (a heartbeat every 10 s),
        // with room for a slow batch on a busy machine before the run counts as interrupted.
        ["LegacyImport__BatchSize"] = "4000",
        ["LegacyImport__InterruptedAfter"] = "00:01:20",
    };

    /// <summary>Asks nginx with made-up sticky cookies until one lands on each instance (its access log says which).</summary>
    private async Task FindPinsAsync()
    {
        using var http = Client();
        for (var i = 0; i < 200 && Pins.Any(p => p is null); i++)
        {
            var pin = $"pin{i}";
            using var request = new HttpRequestMessage(HttpMethod.Get, "health");
            request.Headers.Add("Cookie", $"{StickyCookie}={pin}");
            using var response = await http.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            await Task.Delay(20);
            var port = Proxy.LastUpstreamFor(pin);
            var index = Array.IndexOf(Ports, port ?? -1);
            if (index >= 0) Pins[index] ??= pin;
        }
        Assert.True(Pins.All(p => p is not null), "nginx sent every sticky cookie to one instance");
    }

    private async Task RoutedAgainAsync()
    {
        using var http = Client();
        for (var index = 0; index < Pins.Length; index++)
        {
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (true)
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, "health");
                request.Headers.Add("Cookie", $"{StickyCookie}={Pins[index]}");
                using (await http.SendAsync(request)) { }
                await Task.Delay(20);
                if (Proxy.LastUpstreamFor(Pins[index]) == Ports[index]) break;
                Assert.True(DateTime.UtcNow < deadline, $"nginx did not send {Pins[index]} back to instance {index} within 60 s");
                await Task.Delay(500);
            }
        }
    }

    /// <summary>An HTTP client for the proxy (the test's certificate accepted), keeping no cookies of its own.</summary>
    public HttpClient Client() => new(new HttpClientHandler
    {
        ServerCertificateCustomValidationCallback = HttpClientHandler.DangerousAcceptAnyServerCertificateValidator,
        AllowAutoRedirect = false, UseCookies = false,
    }) { BaseAddress = Proxy.BaseUrl };

    /// <summary>A browser page whose sticky cookie takes it to instance <paramref name="index"/>, signed in as the first admin.</summary>
    public async Task<IPage> SignedInPageAsync(Browser browser, int index)
    {
        var page = await browser.NewPageAsync(Proxy.BaseUrl, ignoreHttpsErrors: true);
        await page.Context.AddCookiesAsync([new Microsoft.Playwright.Cookie
        {
            Name = StickyCookie, Value = Pins[index], Domain = "127.0.0.1", Path = "/", Secure = true, HttpOnly = true,
        }]);
        await page.SubmitSignInAsync(AdminEmail, AdminPassword);
        await page.WaitForURLAsync(url => !url.Contains("/account/sign-in"), new() { WaitUntil = WaitUntilState.Commit });
        await page.WaitForBlazorAsync();
        return page;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var instance in Instances)
            if (instance is not null) await instance.DisposeAsync();
        if (Proxy is not null) await Proxy.DisposeAsync();
        if (Twilio is not null) await Twilio.DisposeAsync();
        if (Database is not null) await Database.DisposeAsync();
    }
}
