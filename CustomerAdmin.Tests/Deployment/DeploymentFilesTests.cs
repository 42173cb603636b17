using System.Diagnostics;
using CustomerAdmin.Features.Import.Legacy;

namespace CustomerAdmin.Tests.Deployment;

/// <summary>
/// The shipped deploy/ files on their own: systemd accepts the unit (where <c>systemd-analyze</c> exists) and it runs
/// the app the way the deployment test relies on; the nginx site as rendered for the test is valid nginx.
/// </summary>
public sealed class DeploymentFilesTests
{
    [Fact]
    public async Task SystemdUnitVerifiesAndStartsThePublishedAppInProductionOnItsInstancePort()
    {
        var unit = SystemdUnit.Load();
        var environment = unit.Environment(5001, "/srv/app");
        Assert.Equal("Production", environment["ASPNETCORE_ENVIRONMENT"]);
        Assert.Equal("http://127.0.0.1:5001", environment["ASPNETCORE_URLS"]);
        var (program, arguments) = unit.ExecStart(5001, "/srv/app");
        Assert.Equal("/usr/bin/dotnet", program);
        Assert.Equal(["/srv/app/CustomerAdmin.dll"], arguments);
        Assert.Equal("/srv/app", unit.WorkingDirectory(5001, "/srv/app"));

        const string analyze = "/usr/bin/systemd-analyze";
        if (!File.Exists(analyze)) Assert.Skip("systemd-analyze is not installed; the unit's lines were checked above");
        // systemd verifies an instance of a template unit, not the template itself.
        var folder = Directory.CreateTempSubdirectory("customeradmin-unit-").FullName;
        try
        {
            var instance = Path.Combine(folder, "customeradmin@5001.service");
            File.Copy(SampleFiles.Find(SystemdUnit.RelativePath), instance);
            var start = new ProcessStartInfo(analyze) { ArgumentList = { "verify", instance }, RedirectStandardError = true, RedirectStandardOutput = true };
            using var process = Process.Start(start)!;
            var output = await process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken)
                + await process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
            await process.WaitForExitAsync(TestContext.Current.CancellationToken);
            var ours = output.Split('\n').Where(l => l.Contains("customeradmin@", StringComparison.Ordinal)).ToList();
            Assert.True(process.ExitCode == 0 && ours.Count == 0, $"systemd-analyze verify ({process.ExitCode}):\n{output}");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task NginxSiteAsRenderedForTheTestPassesNginxConfigurationCheck()
    {
        var site = File.ReadAllText(SampleFiles.Find(NginxProxy.RelativePath));
        Assert.Contains("proxy_set_header Upgrade $http_upgrade;", site);
        Assert.Contains("hash $customeradmin_node consistent;", site);
        Assert.Contains("proxy_set_header X-Forwarded-Proto $scheme;", site);
        // Nothing the app accepts may be cut off by the proxy first.
        Assert.Contains($"client_max_body_size {new LegacyImportOptions().MaxUploadBytes / (1024 * 1024)}m;", site);

        var nginx = NginxProxy.Executable();
        if (nginx is null) Assert.Skip("nginx is not installed; the site's lines were checked above");
        await using var proxy = await NginxProxy.StartAsync(nginx!, [NginxProxy.FreePort(), NginxProxy.FreePort()]);
        using var http = new HttpClient(new HttpClientHandler
        {
            ServerCertificateCustomValidationCallback = HttpClientHandler.DangerousAcceptAnyServerCertificateValidator,
        });
        // No instance listens: nginx answers for them, with 502, over TLS.
        using var response = await http.GetAsync(proxy.BaseUrl, TestContext.Current.CancellationToken);
        Assert.Equal(System.Net.HttpStatusCode.BadGateway, response.StatusCode);
    }
}
