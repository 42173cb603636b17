using System.Text.Json;
using System.Text.Json.Nodes;
using CustomerAdmin.Common;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace CustomerAdmin.Features.Api;

/// <summary>
/// What every API endpoint does alike: read a JSON body within the size limit (the endpoints read it themselves, so a
/// field they do not know is refused instead of silently dropped, and a PATCH knows which fields were sent), answer
/// rule violations as ProblemDetails, and speak ETags.
/// </summary>
public static class ApiRequests
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter() },
    };

    /// <summary>The body as a JSON object, or the 400/413/415 answer that refuses it.</summary>
    public static async Task<(JsonObject? Body, IResult? Refusal)> ReadObjectAsync(HttpContext context)
    {
        var request = context.Request;
        if (request.ContentType is not { } type || !(type.StartsWith("application/json", StringComparison.OrdinalIgnoreCase)
                || type.StartsWith("application/merge-patch+json", StringComparison.OrdinalIgnoreCase)))
            return (null, TypedResults.Problem(statusCode: StatusCodes.Status415UnsupportedMediaType, title: "Send the body as application/json."));
        var max = context.RequestServices.GetRequiredService<IOptions<ApiOptions>>().Value.MaxRequestBytes;
        var bytes = await ReadBytesAsync(context, max);
        if (bytes is null)
            return (null, TypedResults.Problem(statusCode: StatusCodes.Status413PayloadTooLarge, title: $"The body is too large (at most {max} bytes)."));
        try
        {
            if (JsonNode.Parse(bytes) is JsonObject body) return (body, null);
        }
        catch (JsonException)
        {
            // Answered below, like any other body that is not one JSON object.
        }
        return (null, TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "The body must be one JSON object."));
    }

    /// <summary>A body as <typeparamref name="T"/>; unknown fields are refused by name, never ignored.</summary>
    public static async Task<(T? Value, IResult? Refusal)> ReadAsync<T>(HttpContext context) where T : class
    {
        var (value, _, refusal) = await ReadPatchAsync<T>(context);
        return (value, refusal);
    }

    /// <summary>
    /// A PATCH body as <typeparamref name="T"/> (JSON merge patch): <c>Sent</c> holds the fields the body names, so a
    /// field left out stays as stored while a field sent as null is cleared. Unknown fields are refused by name.
    /// </summary>
    public static async Task<(T? Value, IReadOnlySet<string> Sent, IResult? Refusal)> ReadPatchAsync<T>(HttpContext context) where T : class
    {
        var (value, body, refusal) = await ReadTypedAsync<T>(context);
        return (value, body?.Select(p => p.Key).ToHashSet(StringComparer.OrdinalIgnoreCase) ?? [], refusal);
    }

    private static async Task<(T? Value, JsonObject? Body, IResult? Refusal)> ReadTypedAsync<T>(HttpContext context) where T : class
    {
        var (body, refusal) = await ApiRequests.ReadObjectAsync(context);
        if (refusal is not null) return (null, null, refusal);
        var known = typeof(T).GetProperties().Select(p => p.Name).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var unknown = body!.Select(p => p.Key).Where(k => !known.Contains(k)).ToList();
        if (unknown.Count > 0)
            return (null, null, ApiRequests.Invalid(unknown.Select(k => KeyValuePair.Create(k, "There is no such field, or it cannot be set here."))));
        try
        {
            return (body.Deserialize<T>(ApiRequests.Json), body, null);
        }
        catch (JsonException e)
        {
            var field = e.Path?.TrimStart('$', '.') is { Length: > 0 } p ? p : "body";
            return (null, null, ApiRequests.Invalid([KeyValuePair.Create(field, "This value has the wrong type or is not one of the allowed values.")]));
        }
    }

    /// <summary>The body's bytes (kept, so the idempotency check and the endpoint read the same ones), or null when over <paramref name="max"/>.</summary>
    public static async Task<byte[]?> ReadBytesAsync(HttpContext context, int max)
    {
        if (context.Items.TryGetValue(typeof(ApiRequests), out var kept) && kept is byte[] done) return done;
        if (context.Request.ContentLength > max) return null;
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await context.Request.Body.ReadAsync(chunk, context.RequestAborted)) > 0)
        {
            if (buffer.Length + read > max) return null;
            buffer.Write(chunk, 0, read);
        }
        var bytes = buffer.ToArray();
        context.Items[typeof(ApiRequests)] = bytes;
        return bytes;
    }

    /// <summary>A JSON field name as clients see it: <c>PrimaryPhone</c> is <c>primaryPhone</c>.</summary>
    public static string FieldName(string property) => JsonNamingPolicy.CamelCase.ConvertName(property);

    /// <summary>Field errors (model property names) as a 400 with the fields named as in the JSON.</summary>
    public static ValidationProblem Invalid(IEnumerable<KeyValuePair<string, string>> errors) =>
        TypedResults.ValidationProblem(errors.GroupBy(e => FieldName(e.Key)).ToDictionary(g => g.Key, g => g.Select(e => e.Value).ToArray()),
            title: "Some fields need attention.");

    /// <summary>A rule's refusal: at a field, a 400 naming it; about the whole record (a delete refused while tickets are open), a 409.</summary>
    public static IResult Refused(RuleViolationException ex) => ex.Field is { } field
        ? Invalid([KeyValuePair.Create(field, ex.Message)])
        : TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "The change was refused.", detail: ex.Message);

    public static ProblemHttpResult NotFound(string what) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: $"There is no such {what}.");

    public static string ETag(int version) => $"\"{version}\"";

    /// <summary>
    /// The version an <c>If-Match</c> header names: 428 without one (an update must say which version it changes),
    /// 412 when it names another version than <paramref name="current"/>.
    /// </summary>
    public static (int Version, IResult? Refusal) Precondition(HttpContext context, int current)
    {
        string? header = context.Request.Headers.IfMatch;
        if (string.IsNullOrWhiteSpace(header))
            return (0, TypedResults.Problem(statusCode: StatusCodes.Status428PreconditionRequired, title: "Send If-Match with the ETag you last read.",
                detail: "Changes must name the version they change, so that nobody's edit is overwritten unseen."));
        if (header.Trim() == "*") return (current, null);
        foreach (var tag in header.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            if (tag.TrimStart('W', '/').Trim('"') is var value && int.TryParse(value, out var version) && version == current)
                return (version, null);
        return (0, Stale());
    }

    public static ProblemHttpResult Stale() =>
        TypedResults.Problem(statusCode: StatusCodes.Status412PreconditionFailed, title: "Someone changed this record since you read it.",
            detail: "Read it again (the new ETag), apply your change to what is stored now, and send it with that ETag.");
}
