using System.Data.Common;
using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;

namespace CustomerAdmin.Data;

/// <summary>
/// Commands the app sends on a context's own connection (and current transaction) without EF's query pipeline, for
/// the few statements that run on every keystroke, where EF's own cost per statement is larger than the indexed
/// statement (see <c>CustomerSearch</c>). The SQL is built from the EF model's table and column names.
/// Each command is announced on a <see cref="DiagnosticListener"/> named <see cref="ListenerName"/> before it runs,
/// as EF announces its own (<c>RelationalEventId.CommandExecuting</c>), so tracing and the benchmark see it too;
/// when nobody listens that costs one check.
/// </summary>
public static class DirectSql
{
    public const string ListenerName = "CustomerAdmin.DirectSql";
    public const string CommandExecuting = "CommandExecuting";

    private static readonly DiagnosticListener Listener = new(ListenerName);

    /// <summary>A command on the context's connection, in its current transaction if there is one. The caller opens the connection.</summary>
    public static DbCommand CreateCommand(this AppDbContext db, string sql)
    {
        var command = db.Database.GetDbConnection().CreateCommand();
        command.CommandText = sql;
        command.Transaction = db.Database.CurrentTransaction?.GetDbTransaction();
        return command;
    }

    /// <summary>Adds a parameter by name (with its value, or none yet for a command reused row after row).</summary>
    public static DbParameter AddParameter(this DbCommand command, string name, object? value = null)
    {
        var parameter = command.CreateParameter();
        (parameter.ParameterName, parameter.Value) = (name, value);
        command.Parameters.Add(parameter);
        return parameter;
    }

    public static Task<DbDataReader> ExecuteAnnouncedReaderAsync(this DbCommand command, CancellationToken ct)
    {
        if (Listener.IsEnabled(CommandExecuting)) Listener.Write(CommandExecuting, command);
        return command.ExecuteReaderAsync(ct);
    }
}
