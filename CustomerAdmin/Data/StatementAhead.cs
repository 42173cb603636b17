using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace CustomerAdmin.Data;

/// <summary>
/// A statement sent in front of the next query a context runs (set <see cref="AppDbContext.Ahead"/>), in the same
/// command and so the same round trip: its rows are read by <see cref="ReadAsync"/> first, then EF reads its query's
/// rows from the next result set as usual. For a check that every request makes before its one read (the API's token
/// check before a get): on PostgreSQL each statement sent alone is a wait for a backend process, a wake-up on each
/// side. Both providers run several statements of one command in order and return a result set for each.
/// <para>
/// Only a query EF runs asynchronously as a reader carries it; if none runs, <see cref="Sent"/> stays false and the
/// caller runs the statement alone. The caller clears <see cref="AppDbContext.Ahead"/> when its operation ends.
/// </para>
/// </summary>
public sealed class StatementAhead(string sql, IReadOnlyList<(string Name, object Value)> parameters,
    Func<DbDataReader, CancellationToken, Task> readAsync)
{
    /// <summary>True once the statement went out in front of a query and its rows were read.</summary>
    public bool Sent { get; private set; }

    internal static readonly DbCommandInterceptor Interceptor = new AheadInterceptor();

    private sealed class AheadInterceptor : DbCommandInterceptor
    {
        public override ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(DbCommand command, CommandEventData eventData,
            InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
        {
            if (eventData.Context is AppDbContext { Ahead: { Sent: false } ahead })
            {
                command.CommandText = ahead._sql + ";\n" + command.CommandText;
                foreach (var (name, value) in ahead._parameters) command.AddParameter(name, value);
            }
            return ValueTask.FromResult(result);
        }

        public override async ValueTask<DbDataReader> ReaderExecutedAsync(DbCommand command, CommandExecutedEventData eventData,
            DbDataReader result, CancellationToken cancellationToken = default)
        {
            if (eventData.Context is AppDbContext { Ahead: { Sent: false } ahead }
                && command.CommandText.StartsWith(ahead._sql, StringComparison.Ordinal))
            {
                ahead.Sent = true;
                await ahead._readAsync(result, cancellationToken);
                await result.NextResultAsync(cancellationToken);
            }
            return result;
        }
    }

    private readonly string _sql = sql;
    private readonly IReadOnlyList<(string Name, object Value)> _parameters = parameters;
    private readonly Func<DbDataReader, CancellationToken, Task> _readAsync = readAsync;
}
