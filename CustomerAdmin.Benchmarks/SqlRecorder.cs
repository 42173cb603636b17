using System.Data;
using System.Data.Common;
using System.Diagnostics;
using CustomerAdmin.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace CustomerAdmin.Benchmarks;

public sealed record RecordedCommand(string Sql, IReadOnlyList<(string Name, object? Value, DbType Type)> Parameters);

/// <summary>
/// Captures the commands EF Core sends (text and parameter values) from its diagnostic events, and those the app sends itself through <see cref="DirectSql"/>, so the same SQL
/// can be replayed through plain ADO.NET. Only subscribed while recording: the timed runs pay nothing for it.
/// </summary>
public sealed class SqlRecorder : IObserver<DiagnosticListener>, IObserver<KeyValuePair<string, object?>>, IDisposable
{
    private readonly List<IDisposable> _subscriptions = [];
    private List<RecordedCommand> _commands = [];

    public SqlRecorder() => _subscriptions.Add(DiagnosticListener.AllListeners.Subscribe(this));

    /// <summary>
    /// EF caches for a second whether anyone listens to its command events (<c>LoggingCacheTime</c>), and pooled
    /// contexts keep that answer between leases: wait it out after subscribing (or the first second goes unrecorded)
    /// and after unsubscribing (or the first timed second still builds event data for nobody).
    /// </summary>
    public static Task SettleAsync() => Task.Delay(TimeSpan.FromSeconds(1.2));

    public async Task<List<RecordedCommand>> RecordAsync(Func<Task> run)
    {
        _commands = [];
        await run();
        return _commands;
    }

    public void OnNext(DiagnosticListener listener)
    {
        if (listener.Name == DbLoggerCategory.Name)
            _subscriptions.Add(listener.Subscribe(this, name => name == RelationalEventId.CommandExecuting.Name));
        // The app's own commands on a context's connection (the search-as-you-type statements).
        if (listener.Name == DirectSql.ListenerName)
            _subscriptions.Add(listener.Subscribe(this, name => name == DirectSql.CommandExecuting));
    }

    public void OnNext(KeyValuePair<string, object?> e)
    {
        if (((e.Value as CommandEventData)?.Command ?? e.Value as DbCommand) is { } cmd)
            _commands.Add(new(cmd.CommandText, cmd.Parameters.Cast<DbParameter>().Select(p => (p.ParameterName, p.Value, p.DbType)).ToList()));
    }

    public void OnCompleted() { }
    public void OnError(Exception error) { }

    public void Dispose()
    {
        foreach (var subscription in _subscriptions) subscription.Dispose();
    }

    /// <summary>Runs recorded commands the way hand-written ADO.NET would: one pooled connection, read every row.</summary>
    public static async Task ReplayAsync(DbProviderFactory factory, string connectionString, IReadOnlyList<RecordedCommand> commands)
    {
        await using var conn = factory.CreateConnection()!;
        conn.ConnectionString = connectionString;
        await conn.OpenAsync();
        foreach (var recorded in commands)
        {
            await using var cmd = conn.CreateCommand();
            cmd.CommandText = recorded.Sql;
            foreach (var (name, value, type) in recorded.Parameters)
            {
                var p = cmd.CreateParameter();
                p.ParameterName = name;
                p.Value = value;
                p.DbType = type;
                cmd.Parameters.Add(p);
            }
            await using var reader = await cmd.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                for (var i = 0; i < reader.FieldCount; i++) reader.GetValue(i);
            }
        }
    }
}
