using CustomerAdmin.Data;
using Microsoft.EntityFrameworkCore;

namespace CustomerAdmin.Features.Api;

/// <summary>
/// Endpoint metadata: the endpoint's one read, which <see cref="ApiTokenAuthentication"/> runs in the same round trip
/// as the token check (<see cref="ApiTokenOperations.AuthenticateAsync{T}"/>), so a get waits for the database once.
/// The read is handed to the endpoint only when the token is live and carries the endpoint's scope; otherwise the
/// request gets its 401 or 403 and the rows read are dropped. The endpoint calls <see cref="ReadAsync{T}"/>, which
/// returns that result, or runs the same read itself when there is none (another scheme, a test calling it directly).
/// </summary>
public sealed class ReadBesideTokenCheck(Func<HttpContext, AppDbContext, CancellationToken, Task<object?>> read)
{
    public Func<HttpContext, AppDbContext, CancellationToken, Task<object?>> Read { get; } = read;

    /// <summary>The result of the read, held for the endpoint.</summary>
    internal sealed record Result(object? Value);

    /// <summary>What <paramref name="read"/> returned in the token check's round trip, or its result now.</summary>
    public static async Task<T> ReadAsync<T>(HttpContext context, IDbContextFactory<AppDbContext> dbFactory,
        Func<HttpContext, AppDbContext, CancellationToken, Task<T>> read, CancellationToken ct)
    {
        if (context.Features.Get<Result>() is { } done)
        {
            context.Features.Set<Result>(null);
            return (T)done.Value!;
        }
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await read(context, db, ct);
    }
}

public static class ReadBesideTokenCheckExtensions
{
    /// <summary>Runs <paramref name="read"/> in the token check's round trip; the endpoint reads it with <see cref="ReadBesideTokenCheck.ReadAsync{T}"/>.</summary>
    public static RouteHandlerBuilder ReadsBesideTokenCheck<T>(this RouteHandlerBuilder builder,
        Func<HttpContext, AppDbContext, CancellationToken, Task<T>> read) =>
        builder.WithMetadata(new ReadBesideTokenCheck(async (context, db, ct) => await read(context, db, ct)));
}
