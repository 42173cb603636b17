using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using CustomerAdmin.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace CustomerAdmin.Features.Api;

/// <summary>What a create's <c>Idempotency-Key</c> found.</summary>
public abstract record IdempotencyClaim
{
    /// <summary>The first request with this key: run it, then record its answer.</summary>
    public sealed record Started(long Id) : IdempotencyClaim;
    /// <summary>Answered before: give the same answer again.</summary>
    public sealed record Answered(ApiIdempotencyKey Row) : IdempotencyClaim;
    /// <summary>The key was used with another request.</summary>
    public sealed record OtherRequest : IdempotencyClaim;
    /// <summary>The first request with this key is still running.</summary>
    public sealed record Running : IdempotencyClaim;
}

/// <summary>
/// The stored answers of creates sent with an <c>Idempotency-Key</c> (per token, for <see cref="Lifetime"/>): a retry
/// after a lost answer gets the first answer instead of making a second row. A key is claimed by inserting its row
/// (unique per token), so two copies of one request sent at once cannot both run; the create itself marks the row
/// as answered in its own transaction (<see cref="IdempotencyKeeper"/>), so a crash after the create's commit cannot
/// free the key for a second create.
/// </summary>
public sealed class IdempotencyOperations(IDbContextFactory<AppDbContext> dbFactory, TimeProvider time)
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(24);

    /// <summary>A request that ran this long without an answer died with its process: its key may be used again.</summary>
    private static readonly TimeSpan Abandoned = TimeSpan.FromMinutes(5);

    public async Task<IdempotencyClaim> ClaimAsync(int tokenId, string key, string requestHash, CancellationToken ct)
    {
        var now = time.GetUtcNow().UtcDateTime;
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await db.ApiIdempotencyKeys.Where(k => k.TokenId == tokenId && k.CreatedAt < now - Lifetime).ExecuteDeleteAsync(ct);
        for (var attempt = 0; ; attempt++)
        {
            var existing = await db.ApiIdempotencyKeys.AsNoTracking().FirstOrDefaultAsync(k => k.TokenId == tokenId && k.Key == key, ct);
            if (existing is not null)
            {
                if (existing.RequestHash != requestHash) return new IdempotencyClaim.OtherRequest();
                if (existing.StatusCode != 0) return new IdempotencyClaim.Answered(existing);
                if (existing.CreatedAt > now - Abandoned) return new IdempotencyClaim.Running();
                await db.ApiIdempotencyKeys.Where(k => k.Id == existing.Id && k.StatusCode == 0).ExecuteDeleteAsync(ct);
            }
            var row = new ApiIdempotencyKey { TokenId = tokenId, Key = key, RequestHash = requestHash, CreatedAt = now };
            db.ApiIdempotencyKeys.Add(row);
            try
            {
                await db.SaveChangesAsync(ct);
                return new IdempotencyClaim.Started(row.Id);
            }
            catch (DbUpdateException) when (attempt == 0)
            {
                // Another copy of the request claimed the key first: read what it holds.
                db.ChangeTracker.Clear();
            }
        }
    }

    /// <summary>Keeps the answer; not cancelled with the request (a client that hung up retries and wants this answer).</summary>
    public async Task CompleteAsync(long id, int statusCode, string? body, string? location, string? etag)
    {
        await using var db = await dbFactory.CreateDbContextAsync();
        await db.ApiIdempotencyKeys.Where(k => k.Id == id).ExecuteUpdateAsync(s => s
            .SetProperty(k => k.StatusCode, statusCode).SetProperty(k => k.ResponseBody, body)
            .SetProperty(k => k.Location, location).SetProperty(k => k.ETag, etag));
    }

    /// <summary>The request failed (a validation error, a crash): the key is free for the corrected request.</summary>
    public async Task ReleaseAsync(long id)
    {
        await using var db = await dbFactory.CreateDbContextAsync();
        await db.ApiIdempotencyKeys.Where(k => k.Id == id && k.StatusCode == 0).ExecuteDeleteAsync();
    }
}

/// <summary>Honours <c>Idempotency-Key</c> on an endpoint that creates.</summary>
public static class Idempotency
{
    public const string Header = "Idempotency-Key";
    public const string ReplayedHeader = "Idempotent-Replayed";

    /// <summary>What a key stands for: the method, the path and the body.</summary>
    public static string RequestHash(string method, string path, byte[] body) =>
        Convert.ToHexStringLower(SHA256.HashData([.. Encoding.UTF8.GetBytes($"{method} {path}\n"), .. body]));

    /// <summary>
    /// Honours the header on a create of <typeparamref name="TEntity"/>: the row the create adds marks the key answered
    /// in the create's transaction; <paramref name="readBack"/> answers a retry whose first answer was never kept.
    /// </summary>
    public static RouteHandlerBuilder WithIdempotency<TEntity>(this RouteHandlerBuilder builder, string collection, ReadCreated readBack)
        where TEntity : class
    {
        var create = new IdempotentCreate(typeof(TEntity), $"{ApiSetup.BasePath}/{collection}/", readBack);
        return builder.AddEndpointFilter((invocation, next) => FilterAsync(create, invocation, next)).WithMetadata(create);
    }

    private static async ValueTask<object?> FilterAsync(IdempotentCreate create, EndpointFilterInvocationContext invocation,
        EndpointFilterDelegate next)
    {
        var context = invocation.HttpContext;
        string? key = context.Request.Headers[Header];
        if (string.IsNullOrEmpty(key)) return await next(invocation);
        if (key.Length > ApiIdempotencyKey.KeyMax)
            return ApiRequests.Invalid([KeyValuePair.Create(Header, $"Use at most {ApiIdempotencyKey.KeyMax} characters.")]);
        if (!int.TryParse(context.User.FindFirst(ApiTokenAuthentication.TokenIdClaim)?.Value, out var tokenId))
            return await next(invocation);
        var max = context.RequestServices.GetRequiredService<IOptions<ApiOptions>>().Value.MaxRequestBytes;
        var body = await ApiRequests.ReadBytesAsync(context, max);
        if (body is null)
            return TypedResults.Problem(statusCode: StatusCodes.Status413PayloadTooLarge, title: $"The body is too large (at most {max} bytes).");
        var hash = RequestHash(context.Request.Method, context.Request.Path, body);

        var store = context.RequestServices.GetRequiredService<IdempotencyOperations>();
        var ct = context.RequestAborted;
        switch (await store.ClaimAsync(tokenId, key, hash, ct))
        {
            case IdempotencyClaim.OtherRequest:
                return TypedResults.Problem(statusCode: StatusCodes.Status422UnprocessableEntity, title: "This Idempotency-Key was used for another request.",
                    detail: "A key stands for one request (the same body) for 24 hours. Use a new key for a new request.");
            case IdempotencyClaim.Running:
                return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "A request with this Idempotency-Key is still running.",
                    detail: "Wait a moment and send it again: you will get its answer.");
            case IdempotencyClaim.Answered { Row: { ResponseBody: null, Location: { } created } }:
                return await ReadBackAsync(create, context, created, ct);
            case IdempotencyClaim.Answered { Row: var row }:
                context.Response.Headers[ReplayedHeader] = "true";
                if (row.Location is not null) context.Response.Headers.Location = row.Location;
                if (row.ETag is not null) context.Response.Headers.ETag = row.ETag;
                return TypedResults.Text(row.ResponseBody ?? "", "application/json", Encoding.UTF8, row.StatusCode);
            case IdempotencyClaim.Started { Id: var id }:
                object? result;
                IdempotencyKeeper.Current = new IdempotentWrite(id, create);
                try
                {
                    result = await next(invocation);
                }
                catch
                {
                    await store.ReleaseAsync(id);
                    throw;
                }
                finally
                {
                    IdempotencyKeeper.Current = null;
                }
                if (result is IStatusCodeHttpResult { StatusCode: int status and >= 200 and < 300 })
                {
                    var json = context.RequestServices.GetRequiredService<IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions>>().Value.SerializerOptions;
                    var value = result is IValueHttpResult { Value: { } v } ? JsonSerializer.Serialize(v, v.GetType(), json) : null;
                    var location = result.GetType().GetProperty("Location")?.GetValue(result) as string;
                    await store.CompleteAsync(id, status, value, location, context.Response.Headers.ETag.ToString() is { Length: > 0 } e ? e : null);
                }
                else
                {
                    await store.ReleaseAsync(id);
                }
                return result;
            default:
                throw new InvalidOperationException("Unknown idempotency claim.");
        }
    }

    /// <summary>
    /// The create committed but its answer was never kept (the process died in between): the answer is made again from
    /// the stored row, as the first request would have given it.
    /// </summary>
    private static async Task<IResult> ReadBackAsync(IdempotentCreate create, HttpContext context, string location, CancellationToken ct)
    {
        if (!location.StartsWith(create.Location, StringComparison.Ordinal)
            || !int.TryParse(location.AsSpan(create.Location.Length), System.Globalization.CultureInfo.InvariantCulture, out var id))
            throw new InvalidOperationException($"The kept location {location} is not one of {create.Location}.");
        await using var db = await context.RequestServices.GetRequiredService<IDbContextFactory<AppDbContext>>().CreateDbContextAsync(ct);
        var (body, version) = await create.ReadBack(db, id, ct);
        if (body is null) return ApiRequests.NotFound("record made by the first request (it was deleted since)");
        context.Response.Headers[ReplayedHeader] = "true";
        if (version is { } v) context.Response.Headers.ETag = ApiRequests.ETag(v);
        return TypedResults.Created(location, body);
    }
}

/// <summary>Reads a created row back as the create's answer gave it: the body, and the version for the ETag (if it has one).</summary>
public delegate Task<(object? Body, int? Version)> ReadCreated(AppDbContext db, int id, CancellationToken ct);

/// <summary>
/// Marks an endpoint that honours <c>Idempotency-Key</c> (the OpenAPI document lists the header for it): it creates a
/// <see cref="Entity"/> whose address is <see cref="Location"/> followed by its id.
/// </summary>
public sealed record IdempotentCreate(Type Entity, string Location, ReadCreated ReadBack);

/// <summary>A create running under a claimed key (<see cref="Id"/> is the key's row).</summary>
public sealed class IdempotentWrite(long id, IdempotentCreate create)
{
    public long Id { get; } = id;
    public IdempotentCreate Create { get; } = create;
    /// <summary>The create's save wrote the mark: a later save in the same request (a follow-up write) is not the create.</summary>
    public bool Marked { get; set; }
}

/// <summary>
/// Marks the claimed key answered (201 and the new row's location) in the same transaction as the save that adds the
/// create's row, so the row and the mark commit together or not at all: a retry after any crash either finds the
/// mark (and gets the row read back) or finds no row made (and makes it).
/// </summary>
public sealed class IdempotencyKeeper : DerivedDataKeeper
{
    private static readonly AsyncLocal<IdempotentWrite?> Running = new();

    /// <summary>The create the current request runs under a key, if any.</summary>
    public static IdempotentWrite? Current
    {
        get => Running.Value;
        set => Running.Value = value;
    }

    public override string Name => "idempotency keys";

    public override KeeperWork? Inspect(AppDbContext db, Microsoft.EntityFrameworkCore.ChangeTracking.ChangeTracker tracker, SaveInfo save)
    {
        if (Current is not { Marked: false } write) return null;
        var added = tracker.Entries().FirstOrDefault(e => e.State == EntityState.Added && e.Entity.GetType() == write.Create.Entity);
        return added is null ? null : new Mark(write, added);
    }

    private sealed class Mark(IdempotentWrite write, Microsoft.EntityFrameworkCore.ChangeTracking.EntityEntry added) : KeeperWork
    {
        public override async Task AfterWriteAsync(AppDbContext db, CancellationToken ct)
        {
            var location = write.Create.Location + Convert.ToString(added.Property("Id").CurrentValue, System.Globalization.CultureInfo.InvariantCulture);
            await db.ApiIdempotencyKeys.Where(k => k.Id == write.Id && k.StatusCode == 0).ExecuteUpdateAsync(s => s
                .SetProperty(k => k.StatusCode, StatusCodes.Status201Created).SetProperty(k => k.Location, location), ct);
            write.Marked = true;
        }
    }
}
