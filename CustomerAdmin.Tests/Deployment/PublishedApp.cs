using System.Diagnostics;
using System.Runtime.InteropServices;

namespace CustomerAdmin.Tests.Deployment;

/// <summary>
/// <c>dotnet publish</c> of the app, once per build of it: into a temporary folder named after the app assembly's
/// build id, so every deployment test of a run (and later runs of the same build) share it. Published from the
/// configuration the tests were built in with <c>--no-build</c>: the app is already compiled, and a second compile on
/// a 2-core machine would cost minutes; what publish adds (static assets, their compressed copies and endpoint
/// manifest, the runtime config) is what Production serves from.
/// </summary>
public static class PublishedApp
{
    private static readonly SemaphoreSlim Lock = new(1, 1);
    private static string? _folder;

    public static async Task<string> FolderAsync()
    {
        await Lock.WaitAsync();
        try
        {
            return _folder ??= await PublishAsync();
        }
        finally
        {
            Lock.Release();
        }
    }

    private static async Task<string> PublishAsync()
    {
        var build = typeof(Program).Assembly.ManifestModule.ModuleVersionId.ToString("N");
        var folder = Path.Combine(Path.GetTempPath(), "customeradmin-publish", build);
        var done = Path.Combine(folder, ".published");
        if (File.Exists(done)) return folder;
        if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
        var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}") ? "Release" : "Debug";
        var project = SampleFiles.Find(Path.Combine("CustomerAdmin", "CustomerAdmin.csproj"));
        var start = new ProcessStartInfo(DotnetHost())
        {
            ArgumentList = { "publish", project, "-c", configuration, "--no-build", "-o", folder, "-nologo", "-v", "quiet" },
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"dotnet publish failed ({process.ExitCode}): {await output}\n{await error}");
        Assert.True(File.Exists(Path.Combine(folder, "CustomerAdmin.dll")), "dotnet publish wrote no CustomerAdmin.dll");
        await File.WriteAllTextAsync(done, DateTime.UtcNow.ToString("O"));
        return folder;
    }

    /// <summary>The dotnet host running this test (the SDK's), so the app runs on the runtime it was built for.</summary>
    public static string DotnetHost()
    {
        if (Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host)) return host;
        var root = Path.GetFullPath(Path.Combine(RuntimeEnvironment.GetRuntimeDirectory(), "..", "..", ".."));
        var candidate = Path.Combine(root, OperatingSystem.IsWindows() ? "dotnet.exe" : "dotnet");
        return File.Exists(candidate) ? candidate : "dotnet";
    }
}
