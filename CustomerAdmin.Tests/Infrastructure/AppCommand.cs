using System.Diagnostics;

namespace CustomerAdmin.Tests.Infrastructure;

/// <summary>
/// Runs one of the app's commands (<c>dotnet CustomerAdmin.dll duplicates scan …</c>) as an operator does: a process of
/// its own in Production, on the SQLite database given, killed after three minutes.
/// </summary>
public static class AppCommand
{
    public static async Task<(int Exit, string Output)> RunAsync(string sqliteConnectionString, IReadOnlyDictionary<string, string>? environment,
        CancellationToken ct, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = AppContext.BaseDirectory, RedirectStandardOutput = true, RedirectStandardError = true,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "CustomerAdmin.dll"));
        foreach (var a in args) start.ArgumentList.Add(a);
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["Database__Provider"] = "Sqlite";
        start.Environment["ConnectionStrings__Sqlite"] = sqliteConnectionString;
        foreach (var (name, value) in environment ?? new Dictionary<string, string>()) start.Environment[name] = value;
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync(ct);
        var stderr = process.StandardError.ReadToEndAsync(ct);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(TimeSpan.FromMinutes(3));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }
        return (process.ExitCode, await stdout + await stderr);
    }
}
