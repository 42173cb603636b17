using System.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;

namespace CustomerAdmin.Data;

/// <summary>
/// Keeps a context's connection open across the several statements of one operation. EF otherwise opens and closes
/// it around every query: on SQLite each open of a pooled connection also registers EF's SQL functions on it (and
/// each close removes them again), on PostgreSQL it is a pool rent and return; for an indexed statement that takes
/// tens of microseconds that costs as much as the statement.
/// </summary>
public static class OpenConnection
{
    /// <summary>
    /// Opens the connection unless it is already open (a caller's transaction, an outer scope); disposing the
    /// result closes it only if this call opened it.
    /// </summary>
    public static async Task<OpenConnectionScope> KeepConnectionOpenAsync(this DatabaseFacade database, CancellationToken ct = default)
    {
        if (database.GetDbConnection().State == ConnectionState.Open) return default;
        await database.OpenConnectionAsync(ct);
        return new OpenConnectionScope(database);
    }
}

public readonly struct OpenConnectionScope(DatabaseFacade? opened) : IAsyncDisposable
{
    public ValueTask DisposeAsync() => opened is null ? ValueTask.CompletedTask : new(opened.CloseConnectionAsync());
}
