using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Serialization;
using System.Threading.RateLimiting;
using CustomerAdmin.Features.Customers.Api;
using CustomerAdmin.Features.Events.Api;
using CustomerAdmin.Features.Sales.Api;
using CustomerAdmin.Features.Sms.Api;
using CustomerAdmin.Features.Tickets.Api;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace CustomerAdmin.Features.Api;

/// <summary>
/// The REST API (<c>/api/v1</c>): bearer tokens as their own authentication scheme, a rate limit per token, JSON with
/// enums as names, ProblemDetails for every error; each feature's endpoints are mapped from <see cref="MapApi"/>.
/// </summary>
public static class ApiSetup
{
    public const string BasePath = "/api/v1";
    public const string RateLimitPolicy = "api-token";

    public static IHostApplicationBuilder AddApi(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<ApiOptions>().BindConfiguration(ApiOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddAuthentication().AddScheme<AuthenticationSchemeOptions, ApiTokenAuthentication>(ApiTokenAuthentication.SchemeName, null);
        services.ConfigureHttpJsonOptions(o => o.SerializerOptions.Converters.Add(new JsonStringEnumConverter()));
        services.AddProblemDetails();
        services.AddSingleton<IdempotencyOperations>();
        services.AddRateLimiter(o => o.AddPolicy(RateLimitPolicy, new TokenRateLimit()));
        services.AddApiDocs();
        return builder;
    }

    /// <summary>Before authentication: API errors are JSON, never the app's HTML error pages.</summary>
    public static WebApplication UseApiRequests(this WebApplication app)
    {
        app.Use(static (context, next) =>
        {
            if (context.Request.Path.StartsWithSegments(BasePath)
                && context.Features.Get<IStatusCodePagesFeature>() is { } pages)
                pages.Enabled = false;
            // Scalar's page starts itself with an inline script; that page alone may run one (it is for signed-in staff
            // and shows only the document), everything else keeps the app's policy.
            if (context.Request.Path.StartsWithSegments(ApiDocs.ReferencePath))
                context.Response.Headers.ContentSecurityPolicy = context.Response.Headers.ContentSecurityPolicy.ToString()
                    .Replace("script-src 'self'", "script-src 'self' 'unsafe-inline'", StringComparison.Ordinal);
            return next(context);
        });
        return app;
    }

    public static IEndpointRouteBuilder MapApi(this IEndpointRouteBuilder app)
    {
        var v1 = app.MapGroup(BasePath)
            .RequireAuthorization(ApiTokenAuthentication.AnyToken)
            .RequireRateLimiting(RateLimitPolicy)
            .DisableAntiforgery();
        v1.MapCustomerApi();
        v1.MapTicketApi();
        v1.MapSaleApi();
        v1.MapEventApi();
        v1.MapSmsApi();
        app.MapApiDocs();
        return app;
    }

    /// <summary>Requires a token with <paramref name="permission"/> and says so to the OpenAPI document and the tests.</summary>
    public static TBuilder RequireScope<TBuilder>(this TBuilder builder, string permission) where TBuilder : IEndpointConventionBuilder =>
        builder.RequireAuthorization(ApiTokenAuthentication.Scope(permission)).WithMetadata(new ApiScope(permission));

    /// <summary>
    /// A fixed window per token, keyed by a hash of the presented secret: the limiter runs before authentication, and an
    /// unknown token costs no more than a known one. Requests without a token are not limited here (they get 401).
    /// </summary>
    private sealed class TokenRateLimit : IRateLimiterPolicy<string>
    {
        public Func<OnRejectedContext, CancellationToken, ValueTask>? OnRejected => static async (context, ct) =>
        {
            var seconds = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retry) ? (int)Math.Ceiling(retry.TotalSeconds) : 60;
            context.HttpContext.Response.Headers.RetryAfter = Math.Max(1, seconds).ToString(System.Globalization.CultureInfo.InvariantCulture);
            await TypedResults.Problem(statusCode: StatusCodes.Status429TooManyRequests, title: "Too many requests for this token.",
                detail: $"Wait {Math.Max(1, seconds)} s (Retry-After) and try again.").ExecuteAsync(context.HttpContext);
        };

        public RateLimitPartition<string> GetPartition(HttpContext context)
        {
            string? header = context.Request.Headers.Authorization;
            if (header is null) return RateLimitPartition.GetNoLimiter("");
            var key = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(header)));
            var permits = context.RequestServices.GetRequiredService<IOptions<ApiOptions>>().Value.RequestsPerMinute;
            return RateLimitPartition.GetFixedWindowLimiter(key,
                _ => new FixedWindowRateLimiterOptions { PermitLimit = permits, Window = TimeSpan.FromMinutes(1), QueueLimit = 0 });
        }
    }
}
