using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Options;

namespace CustomerAdmin.Features.Api;

/// <summary>
/// <c>Authorization: Bearer &lt;token&gt;</c> for <c>/api/v1</c>, and nothing else: API endpoints ask for this scheme
/// only, so a staff member's sign-in cookie (which a page on another site could make the browser send) authorises no
/// API call. Each granted scope is a <see cref="ScopeClaim"/> claim.
/// </summary>
public sealed class ApiTokenAuthentication(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger,
    UrlEncoder encoder, ApiTokenOperations tokens) : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiToken";
    public const string ScopeClaim = "scope";
    public const string TokenIdClaim = "api_token";

    /// <summary>Signed in with a live token (any scope): the floor under every API endpoint.</summary>
    public static AuthorizationPolicy AnyToken { get; } =
        new AuthorizationPolicyBuilder(SchemeName).RequireAuthenticatedUser().Build();

    /// <summary>A live token that carries <paramref name="permission"/>, which its owner's role still holds.</summary>
    public static AuthorizationPolicy Scope(string permission) =>
        new AuthorizationPolicyBuilder(SchemeName).RequireAuthenticatedUser().RequireClaim(ScopeClaim, permission).Build();

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        string? header = Request.Headers.Authorization;
        if (header is null || !header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
            return AuthenticateResult.NoResult();
        var endpoint = Context.GetEndpoint()?.Metadata;
        var beside = endpoint?.GetMetadata<ReadBesideTokenCheck>();
        var (caller, read) = await tokens.AuthenticateAsync<object?>(header["Bearer ".Length..].Trim(),
            beside is null ? null : (db, ct) => beside.Read(Context, db, ct), Context.RequestAborted);
        if (caller is null) return AuthenticateResult.Fail("The token is unknown, revoked or expired.");
        // Handed on only to a request that will reach the endpoint: one without the scope gets its 403 and the rows are dropped.
        if (beside is not null && (endpoint!.GetMetadata<ApiScope>() is not { } scope || caller.Scopes.Contains(scope.Permission)))
            Context.Features.Set(new ReadBesideTokenCheck.Result(read));
        List<Claim> claims =
        [
            new(ClaimTypes.NameIdentifier, caller.UserId), new(ClaimTypes.Name, caller.UserName),
            new(TokenIdClaim, caller.TokenId.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            .. caller.Scopes.Select(s => new Claim(ScopeClaim, s)),
        ];
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(new ClaimsIdentity(claims, SchemeName)), SchemeName));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.Headers.WWWAuthenticate = "Bearer";
        await TypedResults.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "A valid API token is required.",
                detail: "Send Authorization: Bearer <token>. Tokens are made on /settings/api-tokens or with the api-token command.")
            .ExecuteAsync(Context);
    }

    protected override async Task HandleForbiddenAsync(AuthenticationProperties properties)
    {
        var scope = Context.GetEndpoint()?.Metadata.GetMetadata<ApiScope>()?.Permission;
        await TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "The token lacks the scope this operation needs.",
                detail: scope is null ? null : $"This operation needs the scope '{scope}' (held by the token's owner).")
            .ExecuteAsync(Context);
    }
}

/// <summary>The scope (a permission name) an API endpoint requires; read by the OpenAPI document and the tests.</summary>
public sealed record ApiScope(string Permission);
