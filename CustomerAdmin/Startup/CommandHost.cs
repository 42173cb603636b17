using CustomerAdmin.Data;
using CustomerAdmin.Security;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace CustomerAdmin.Startup;

/// <summary>
/// The app's host for a command run from a shell (<c>import-legacy-tickets</c>, <c>import-customers</c>,
/// <c>duplicates</c>): the same configuration and registrations as the web app, the framework's information logs off
/// (the command's report is its output), the background workers off, the migrations applied; the web server never
/// starts. Ctrl+C cancels <see cref="Cancelled"/>.
/// </summary>
public sealed class CommandHost : IAsyncDisposable
{
    private readonly CancellationTokenSource _cts = new();
    private readonly ConsoleCancelEventHandler _onCancel;

    private CommandHost(WebApplication app, string cancelling)
    {
        App = app;
        _onCancel = (_, e) =>
        {
            e.Cancel = true;
            Console.Error.WriteLine(cancelling);
            _cts.Cancel();
        };
        Console.CancelKeyPress += _onCancel;
    }

    public WebApplication App { get; }

    public CancellationToken Cancelled => _cts.Token;

    /// <param name="configuration">The command's <c>--Section:Key=value</c> arguments.</param>
    /// <param name="cancelling">What Ctrl+C prints.</param>
    public static async Task<CommandHost> StartAsync(IEnumerable<string> configuration, string cancelling)
    {
        string[] settings =
        [
            "--Logging:LogLevel:Default=Warning", "--Logging:LogLevel:Microsoft.EntityFrameworkCore.Migrations=Error",
            "--Duplicates:RunCheckQueue=false", "--Sms:RunDispatcher=false", "--Sms:RunReminderScan=false", .. configuration,
        ];
        var builder = WebApplication.CreateBuilder(settings);
        builder.AddDatabase();
        builder.AddAppSecurity();
        builder.AddCustomerAdmin();
        var host = new CommandHost(builder.Build(), cancelling);
        if (host.Get<IOptions<DatabaseOptions>>().Value.Migrate)
        {
            await using var db = await host.Get<IDbContextFactory<AppDbContext>>().CreateDbContextAsync(host.Cancelled);
            await db.Database.MigrateAsync(host.Cancelled);
        }
        return host;
    }

    public T Get<T>() where T : notnull => App.Services.GetRequiredService<T>();

    /// <summary>Splits a command's arguments: <c>--Section:Key=value</c> settings go to <paramref name="configuration"/>.</summary>
    public static bool IsSetting(string argument) => argument.StartsWith("--", StringComparison.Ordinal) && argument.Contains('=');

    public async ValueTask DisposeAsync()
    {
        Console.CancelKeyPress -= _onCancel;
        await App.DisposeAsync();
        _cts.Dispose();
    }
}

/// <summary>Reports on the reporting thread, at once (<see cref="Progress{T}"/> would post them to the thread pool out of order).</summary>
public sealed class ConsoleProgress<T>(Action<T> report) : IProgress<T>
{
    private readonly Lock _lock = new();

    public void Report(T value)
    {
        lock (_lock) report(value);
    }
}
