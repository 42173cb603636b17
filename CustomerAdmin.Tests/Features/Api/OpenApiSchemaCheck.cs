using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace CustomerAdmin.Tests.Features.Api;

/// <summary>
/// Checks API answers against <c>/openapi/v1.json</c>: the operation is documented, the status is documented, and a
/// JSON body matches the documented schema (types, required and listed properties, items, enums, references, any/one/allOf).
/// </summary>
public sealed class OpenApiSchemaCheck(JsonElement document)
{
    public JsonElement Document { get; } = document;

    /// <summary>The documented path template an actual path matches, e.g. /api/v1/customers/{id} for /api/v1/customers/7.</summary>
    public string? PathOf(string path) => Document.GetProperty("paths").EnumerateObject().Select(p => p.Name)
        .OrderBy(p => p.Count(c => c == '{'))
        .FirstOrDefault(template => Regex.IsMatch(path, "^" + Regex.Replace(Regex.Escape(template), @"\\\{[^}]+}", "[^/]+") + "$"));

    /// <summary>What is wrong with this answer, if anything.</summary>
    public IEnumerable<string> Check(string method, string path, int status, string? mediaType, string body)
    {
        var template = PathOf(path);
        if (template is null)
        {
            yield return $"{method} {path}: no documented path";
            yield break;
        }
        if (!Document.GetProperty("paths").GetProperty(template).TryGetProperty(method.ToLowerInvariant(), out var operation))
        {
            yield return $"{method} {template}: not documented";
            yield break;
        }
        if (!operation.GetProperty("responses").TryGetProperty(status.ToString(), out var response))
        {
            yield return $"{method} {template}: status {status} is not documented";
            yield break;
        }
        if (string.IsNullOrEmpty(body) || mediaType is null || !mediaType.Contains("json")) yield break;
        if (!response.TryGetProperty("content", out var content)) yield break;
        var schema = content.EnumerateObject().FirstOrDefault(c => c.Name == mediaType).Value;
        if (schema.ValueKind == JsonValueKind.Undefined) schema = content.EnumerateObject().First().Value;
        if (!schema.TryGetProperty("schema", out var s)) yield break;
        var errors = new List<string>();
        Validate(s, JsonDocument.Parse(body).RootElement, "$", errors);
        foreach (var e in errors) yield return $"{method} {template} {status}: {e}";
    }

    private void Validate(JsonElement schema, JsonElement value, string at, List<string> errors)
    {
        if (schema.TryGetProperty("$ref", out var reference))
        {
            var name = reference.GetString()!.Split('/').Last();
            Validate(Document.GetProperty("components").GetProperty("schemas").GetProperty(name), value, at, errors);
            return;
        }
        foreach (var combinator in new[] { "anyOf", "oneOf" })
            if (schema.TryGetProperty(combinator, out var options))
            {
                if (!options.EnumerateArray().Any(o => { var e = new List<string>(); Validate(o, value, at, e); return e.Count == 0; }))
                    errors.Add($"{at}: matches none of {combinator}");
                return;
            }
        if (schema.TryGetProperty("allOf", out var all))
            foreach (var part in all.EnumerateArray()) Validate(part, value, at, errors);
        if (schema.TryGetProperty("type", out var type))
        {
            var types = type.ValueKind == JsonValueKind.Array ? type.EnumerateArray().Select(t => t.GetString()!).ToList() : [type.GetString()!];
            if (!types.Any(t => Is(t, value)))
            {
                errors.Add($"{at}: {value.ValueKind} is not {string.Join("|", types)}");
                return;
            }
        }
        if (schema.TryGetProperty("enum", out var values) && value.ValueKind == JsonValueKind.String
            && !values.EnumerateArray().Any(v => v.ValueKind == JsonValueKind.String && v.GetString() == value.GetString()))
            errors.Add($"{at}: '{value.GetString()}' is not one of the documented values");
        if (value.ValueKind == JsonValueKind.Object)
        {
            if (schema.TryGetProperty("required", out var required))
                foreach (var r in required.EnumerateArray())
                    if (!value.TryGetProperty(r.GetString()!, out _)) errors.Add($"{at}.{r.GetString()}: required but missing");
            if (schema.TryGetProperty("properties", out var properties))
                foreach (var property in value.EnumerateObject())
                    if (properties.TryGetProperty(property.Name, out var propertySchema))
                        Validate(propertySchema, property.Value, $"{at}.{property.Name}", errors);
        }
        if (value.ValueKind == JsonValueKind.Array && schema.TryGetProperty("items", out var items))
        {
            var i = 0;
            foreach (var item in value.EnumerateArray()) Validate(items, item, $"{at}[{i++}]", errors);
        }
    }

    private static bool Is(string type, JsonElement value) => type switch
    {
        "null" => value.ValueKind == JsonValueKind.Null,
        "string" => value.ValueKind == JsonValueKind.String,
        "boolean" => value.ValueKind is JsonValueKind.True or JsonValueKind.False,
        "integer" => value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out _),
        "number" => value.ValueKind == JsonValueKind.Number,
        "array" => value.ValueKind == JsonValueKind.Array,
        "object" => value.ValueKind == JsonValueKind.Object,
        _ => true,
    };
}

/// <summary>
/// Checks every answer an API test gets against the document (fetched once with the request's own token) and keeps
/// what does not match; <see cref="ApiServer"/> fails the test with it when disposed.
/// </summary>
public sealed class DocumentedAnswers(Uri baseUrl, List<string> failures, Action? checkedOne = null) : DelegatingHandler(new HttpClientHandler())
{
    private static readonly SemaphoreSlim Gate = new(1, 1);
    private OpenApiSchemaCheck? _check;

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
    {
        var response = await base.SendAsync(request, ct);
        var path = request.RequestUri!.AbsolutePath;
        if (!path.StartsWith("/api/v1/", StringComparison.Ordinal) || request.Headers.Authorization is null) return response;
        if (_check is null)
        {
            await Gate.WaitAsync(ct);
            try
            {
                using var get = new HttpRequestMessage(HttpMethod.Get, new Uri(baseUrl, "openapi/v1.json"));
                get.Headers.Authorization = new AuthenticationHeaderValue(request.Headers.Authorization.Scheme, request.Headers.Authorization.Parameter);
                using var doc = await base.SendAsync(get, ct);
                if (doc.IsSuccessStatusCode)
                    _check = new OpenApiSchemaCheck(JsonDocument.Parse(await doc.Content.ReadAsStringAsync(ct)).RootElement.Clone());
            }
            finally
            {
                Gate.Release();
            }
        }
        if (_check is null) return response;
        await response.Content.LoadIntoBufferAsync(ct);
        var body = await response.Content.ReadAsStringAsync(ct);
        checkedOne?.Invoke();
        lock (failures)
            failures.AddRange(_check.Check(request.Method.Method, path, (int)response.StatusCode, response.Content.Headers.ContentType?.MediaType, body));
        return response;
    }
}
