using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.RegularExpressions;

namespace CustomerAdmin.Tests.Deployment;

/// <summary>
/// deploy/nginx/customeradmin.conf rendered for a test and run as a child process: the upstream's servers become the
/// test's instances, the TLS server listens on a free loopback port with a certificate made for the test, the port 80
/// redirect is dropped; the main configuration (written here) keeps pid, logs and temp files in a temporary folder and
/// logs each request with the upstream that served it, so a test can tell which instance a browser reached.
/// </summary>
public sealed partial class NginxProxy : IAsyncDisposable
{
    public const string RelativePath = "deploy/nginx/customeradmin.conf";

    private readonly Process _process;
    private readonly string _folder;

    private NginxProxy(Process process, string folder, int port)
    {
        _process = process;
        _folder = folder;
        Port = port;
        BaseUrl = new Uri($"https://127.0.0.1:{port}/");
    }

    public int Port { get; }

    public Uri BaseUrl { get; }

    public string AccessLog => Path.Combine(_folder, "access.log");

    public static string? Executable() =>
        new[] { "/usr/sbin/nginx", "/usr/bin/nginx", "/usr/local/sbin/nginx", "/usr/local/nginx/sbin/nginx" }.FirstOrDefault(File.Exists);

    /// <summary>The site file with the test's ports and certificate; everything else as shipped.</summary>
    public static string RenderSite(string site, int port, IReadOnlyList<int> instancePorts, string certificate, string key)
    {
        var servers = UpstreamServer().Matches(site);
        Assert.True(servers.Count >= 1, "the nginx site has no 127.0.0.1 upstream server line");
        var rendered = site[..servers[0].Index]
            + string.Join("\n", instancePorts.Select(p => $"    server 127.0.0.1:{p} {servers[0].Groups["options"].Value};"))
            + site[(servers[^1].Index + servers[^1].Length)..];
        rendered = RedirectServer().Replace(rendered, "", 1);
        Assert.Contains("listen 443 ssl;", rendered);
        rendered = rendered.Replace("listen 443 ssl;", $"listen 127.0.0.1:{port} ssl;", StringComparison.Ordinal);
        rendered = Ipv6Listen().Replace(rendered, "");
        rendered = CertificateLine().Replace(rendered, $"ssl_certificate     {certificate};");
        rendered = KeyLine().Replace(rendered, $"ssl_certificate_key {key};");
        return rendered;
    }

    public static async Task<NginxProxy> StartAsync(string executable, IReadOnlyList<int> instancePorts)
    {
        var folder = Directory.CreateTempSubdirectory("customeradmin-nginx-").FullName;
        var (certificate, key) = WriteCertificate(folder);
        var port = FreePort();
        var site = RenderSite(await File.ReadAllTextAsync(SampleFiles.Find(RelativePath)), port, instancePorts, certificate, key);
        await File.WriteAllTextAsync(Path.Combine(folder, "customeradmin.conf"), site);
        // As root the workers would switch to "nobody", who may not read the test's files.
        var user = Environment.UserName == "root" ? "user root;" : "";
        await File.WriteAllTextAsync(Path.Combine(folder, "nginx.conf"), $$"""
            {{user}}
            worker_processes 1;
            pid {{folder}}/nginx.pid;
            error_log {{folder}}/error.log warn;
            events { worker_connections 512; }
            http {
                log_format upstream '$cookie_customeradmin_node $upstream_addr $status "$request"';
                access_log {{folder}}/access.log upstream;
                client_body_temp_path {{folder}}/client_body;
                proxy_temp_path {{folder}}/proxy;
                fastcgi_temp_path {{folder}}/fastcgi;
                uwsgi_temp_path {{folder}}/uwsgi;
                scgi_temp_path {{folder}}/scgi;
                include {{folder}}/customeradmin.conf;
            }
            """);
        var start = new ProcessStartInfo(executable)
        {
            ArgumentList = { "-p", folder, "-c", Path.Combine(folder, "nginx.conf"), "-e", Path.Combine(folder, "error.log"), "-g", "daemon off;" },
            RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false,
        };
        var process = Process.Start(start)!;
        var proxy = new NginxProxy(process, folder, port);
        for (var i = 0; i < 100; i++)
        {
            if (process.HasExited)
                throw new InvalidOperationException($"nginx exited ({process.ExitCode}): {await process.StandardError.ReadToEndAsync()}"
                    + await File.ReadAllTextAsync(Path.Combine(folder, "error.log")));
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, port);
                return proxy;
            }
            catch (SocketException)
            {
                await Task.Delay(100);
            }
        }
        await proxy.DisposeAsync();
        throw new TimeoutException("nginx did not listen within 10 s.");
    }

    /// <summary>The instance port (from the access log) that served the last request carrying this sticky cookie value.</summary>
    public int? LastUpstreamFor(string node)
    {
        if (!File.Exists(AccessLog)) return null;
        using var stream = new FileStream(AccessLog, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        using var reader = new StreamReader(stream);
        int? last = null;
        while (reader.ReadLine() is { } line)
        {
            var parts = line.Split(' ');
            // With a failed first choice nginx lists every upstream tried ("a:1, b:2"): the last one answered.
            if (parts.Length > 2 && parts[0] == node && UpstreamPort().Matches(line) is { Count: > 0 } ports)
                last = int.Parse(ports[^1].Groups[1].Value);
        }
        return last;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync();
            }
        }
        finally
        {
            _process.Dispose();
            try
            {
                Directory.Delete(_folder, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static (string Certificate, string Key) WriteCertificate(string folder)
    {
        using var rsa = RSA.Create(2048);
        var request = new CertificateRequest("CN=127.0.0.1", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        names.AddDnsName("localhost");
        request.CertificateExtensions.Add(names.Build());
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(7));
        var (certificatePath, keyPath) = (Path.Combine(folder, "tls.crt"), Path.Combine(folder, "tls.key"));
        File.WriteAllText(certificatePath, certificate.ExportCertificatePem());
        File.WriteAllText(keyPath, rsa.ExportPkcs8PrivateKeyPem());
        return (certificatePath, keyPath);
    }

    [GeneratedRegex(@"^[ \t]*server 127\.0\.0\.1:\d+ (?<options>[^;]*);[ \t]*$", RegexOptions.Multiline)]
    private static partial Regex UpstreamServer();

    [GeneratedRegex(@"server \{\s*listen 80;.*?\n\}\n", RegexOptions.Singleline)]
    private static partial Regex RedirectServer();

    [GeneratedRegex(@"^[ \t]*listen \[::\]:\d+[^;]*;[ \t]*\n", RegexOptions.Multiline)]
    private static partial Regex Ipv6Listen();

    [GeneratedRegex(@"ssl_certificate\s+[^;]+;")]
    private static partial Regex CertificateLine();

    [GeneratedRegex(@"ssl_certificate_key\s+[^;]+;")]
    private static partial Regex KeyLine();

    [GeneratedRegex(@"127\.0\.0\.1:(\d+)")]
    private static partial Regex UpstreamPort();
}
