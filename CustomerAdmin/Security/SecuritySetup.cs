using System.Net;
using System.Threading.RateLimiting;
using CustomerAdmin.Features.Users;
using CustomerAdmin.Data;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Server.Circuits;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace CustomerAdmin.Security;

public static class SecuritySetup
{
    public const string SignInPath = "/account/sign-in";
    public const string SignOutPath = "/account/sign-out";
    public const string AccessDeniedPath = "/account/access-denied";
    public const int MaxFailedSignIns = 5;
    public static readonly TimeSpan LockoutDuration = TimeSpan.FromMinutes(15);

    /// <summary>
    /// The per-address limit on password posts, put on the sign-in and change-password pages by
    /// <c>[EnableRateLimiting]</c>: it follows the endpoint, so every spelling of its path (case, trailing slash) counts.
    /// </summary>
    public const string PasswordRateLimitPolicy = "password-attempts";

    /// <summary>
    /// Identity on the app's DbContext, cookie sign-in, the permission policies, a fallback policy that makes every
    /// endpoint require a signed-in user unless it says otherwise, data-protection keys in the database, and the
    /// rate limit on sign-in posts.
    /// </summary>
    public static IHostApplicationBuilder AddAppSecurity(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<AdminOptions>().BindConfiguration(AdminOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<SecurityOptions>().BindConfiguration(SecurityOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<ProxyOptions>().BindConfiguration(ProxyOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<KeyProtectionOptions>().BindConfiguration(KeyProtectionOptions.Section).ValidateDataAnnotations().ValidateOnStart();

        // Identity's stores and the key ring take a scoped context; it comes from the same factory as the rest.
        services.AddScoped(sp => sp.GetRequiredService<IDbContextFactory<AppDbContext>>().CreateDbContext());

        services.AddHttpContextAccessor();
        services.AddSingleton<CurrentUser>();
        services.AddScoped<CircuitHandler, ActorCircuitHandler>();
        services.AddSingleton<UserCircuits>();
        services.AddScoped<CircuitAdmission>();
        services.AddScoped<CircuitHandler>(sp => sp.GetRequiredService<CircuitAdmission>());
        services.AddSingleton<UserSessions>();
        services.AddSingleton<SignInThrottle>();
        services.AddSingleton<LogThrottle>();
        services.AddHostedService<KeyProtection.UnprotectedKeysWarning>();
        services.AddCascadingAuthenticationState();
        services.AddScoped<AuthenticationStateProvider, RevalidatingIdentityStateProvider>();

        services.AddAuthentication(o =>
            {
                o.DefaultScheme = IdentityConstants.ApplicationScheme;
                o.DefaultSignInScheme = IdentityConstants.ExternalScheme;
            })
            .AddIdentityCookies();
        services.AddAppIdentity().AddSignInManager();
        services.AddDataProtection().ProtectKeys(builder);
        // A locked user, a reset password or a changed role ends existing sign-ins within a minute.
        services.Configure<SecurityStampValidatorOptions>(o =>
        {
            o.ValidationInterval = TimeSpan.FromMinutes(1);
            // The refreshed principal is rebuilt from the user; it must keep the cookie's session.
            o.OnRefreshingPrincipal = context =>
            {
                if (context.CurrentPrincipal?.FindFirst(UserSessions.ClaimType) is { } session
                    && context.NewPrincipal?.Identity is System.Security.Claims.ClaimsIdentity identity)
                    identity.AddClaim(new System.Security.Claims.Claim(UserSessions.ClaimType, session.Value));
                return Task.CompletedTask;
            };
        });
        // Secure cookies only: outside Development the app is reached over HTTPS (directly or through a TLS proxy,
        // see ForwardedHeaders); Development keeps the plain-HTTP localhost address working.
        var secure = builder.Environment.IsDevelopment() ? CookieSecurePolicy.SameAsRequest : CookieSecurePolicy.Always;
        services.PostConfigureAll<CookieAuthenticationOptions>(o => o.Cookie.SecurePolicy = secure);
        services.ConfigureApplicationCookie(o =>
        {
            o.LoginPath = SignInPath;
            o.LogoutPath = SignOutPath;
            o.AccessDeniedPath = AccessDeniedPath;
            o.Cookie.Name = "CustomerAdmin.Auth";
            o.Cookie.HttpOnly = true;
            o.Cookie.SameSite = SameSiteMode.Lax;
            o.ExpireTimeSpan = TimeSpan.FromHours(10);
            o.SlidingExpiration = true;
            o.Events.OnSigningIn = StartSessionAsync;
            var checkStamp = o.Events.OnValidatePrincipal;
            o.Events.OnValidatePrincipal = async context =>
            {
                // Static files (scripts, styles, icons) are open to anyone and say nothing about the user: checking the
                // session for each would cost a database lookup per file of every page load. The page itself, its
                // circuit and every endpoint that needs a user are checked.
                if (context.HttpContext.GetEndpoint()?.Metadata.GetMetadata<Microsoft.AspNetCore.StaticAssets.StaticAssetDescriptor>() is not null)
                    return;
                if (context.Principal is null || !await context.HttpContext.RequestServices.GetRequiredService<UserSessions>()
                        .IsActiveAsync(context.Principal, context.HttpContext.RequestAborted))
                {
                    context.RejectPrincipal();
                    await context.HttpContext.SignOutAsync(IdentityConstants.ApplicationScheme);
                    return;
                }
                await checkStamp(context);
            };
        });
        services.AddAntiforgery(o =>
        {
            o.Cookie.Name = "CustomerAdmin.Antiforgery";
            o.Cookie.SecurePolicy = secure;
            o.Cookie.SameSite = SameSiteMode.Strict;
        });

        services.AddAuthorizationBuilder()
            .SetFallbackPolicy(new AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build())
            .AddPermissionPolicies();

        services.AddRateLimiter(o =>
        {
            o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            o.OnRejected = async (context, ct) =>
            {
                context.HttpContext.Response.ContentType = "text/plain; charset=utf-8";
                await context.HttpContext.Response.WriteAsync(
                    "Too many password attempts from your address. Wait a minute, then go back and try again.", ct);
            };
            // Page loads are free; only the posts that check a password count.
            o.AddPolicy(PasswordRateLimitPolicy, context =>
            {
                if (!HttpMethods.IsPost(context.Request.Method))
                    return RateLimitPartition.GetNoLimiter("");
                var permits = context.RequestServices.GetRequiredService<IOptions<SecurityOptions>>().Value.SignInAttemptsPerMinute;
                return RateLimitPartition.GetFixedWindowLimiter(context.Connection.RemoteIpAddress?.ToString() ?? "unknown",
                    _ => new FixedWindowRateLimiterOptions { PermitLimit = permits, Window = TimeSpan.FromMinutes(1), QueueLimit = 0 });
            });
        });

        // Behind a TLS-terminating proxy the app still sees HTTPS (secure cookies) and the client's address (the
        // sign-in rate limit), from the proxies that ForwardedHeaders:KnownProxies/KnownNetworks trust (loopback when unset).
        services.AddOptions<ForwardedHeadersOptions>().Configure<IOptions<ProxyOptions>>((o, proxies) =>
        {
            o.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            o.ForwardLimit = proxies.Value.ForwardLimit;
            if (proxies.Value.KnownProxies.Length == 0 && proxies.Value.KnownNetworks.Length == 0) return;
            o.KnownProxies.Clear();
            o.KnownIPNetworks.Clear();
            foreach (var proxy in proxies.Value.KnownProxies) o.KnownProxies.Add(IPAddress.Parse(proxy));
            foreach (var network in proxies.Value.KnownNetworks) o.KnownIPNetworks.Add(System.Net.IPNetwork.Parse(network));
        });

        services.AddSingleton<UserSeeder>();
        services.AddSingleton<UserOperations>();
        return builder;
    }

    /// <summary>
    /// Identity's users, roles, password and lockout rules over the scoped <see cref="AppDbContext"/>, with the
    /// data-protection key ring in the same database; also what the tests use to work with users outside the app.
    /// </summary>
    public static IdentityBuilder AddAppIdentity(this IServiceCollection services)
    {
        // Several instances behind a load balancer share the key ring, so a cookie made by one is read by all.
        services.AddDataProtection().SetApplicationName("CustomerAdmin").PersistKeysToDbContext<AppDbContext>();
        return services.AddIdentityCore<AppUser>(o =>
            {
                o.User.RequireUniqueEmail = true;
                o.Password.RequiredLength = PasswordRules.MinLength;
                o.Password.RequireDigit = true;
                o.Password.RequireLowercase = true;
                o.Password.RequireUppercase = true;
                o.Password.RequireNonAlphanumeric = false;
                o.Password.RequiredUniqueChars = 5;
                o.Lockout.AllowedForNewUsers = true;
                o.Lockout.MaxFailedAccessAttempts = MaxFailedSignIns;
                o.Lockout.DefaultLockoutTimeSpan = LockoutDuration;
            })
            .AddRoles<IdentityRole>()
            .AddEntityFrameworkStores<AppDbContext>()
            .AddDefaultTokenProviders();
    }

    /// <summary>
    /// First in the pipeline: the proxy's view of the request, HTTPS outside Development, and security headers on
    /// every response.
    /// </summary>
    public static WebApplication UseSecurityHeaders(this WebApplication app)
    {
        app.UseForwardedHeaders();
        if (!app.Environment.IsDevelopment())
            app.Use(static async (context, next) =>
            {
                // Secure cookies are never sent back over plain HTTP, so signing in could only fail obscurely; the health
                // checks stay reachable for a load balancer that probes over HTTP, and the metrics for a scraper on this
                // machine (which sends no cookie; a token from elsewhere should come through the TLS proxy).
                if (context.Request.IsHttps || context.Request.Path.StartsWithSegments("/health") || context.Request.Path.StartsWithSegments("/metrics"))
                {
                    await next(context);
                    return;
                }
                context.Response.StatusCode = StatusCodes.Status400BadRequest;
                context.Response.ContentType = "text/plain; charset=utf-8";
                await context.Response.WriteAsync(HttpsRequiredMessage, context.RequestAborted);
            });
        app.Use(static (context, next) =>
        {
            var headers = context.Response.Headers;
            // MudBlazor sets inline styles; no inline script runs. Blazor Server's WebSocket goes to this same origin,
            // which 'self' covers for ws: and wss: (CSP Level 3); "ws: wss:" would let injected script talk to any host.
            headers.ContentSecurityPolicy =
                "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
                "font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'self'; " +
                "form-action 'self'; frame-ancestors 'none'";
            headers.XContentTypeOptions = "nosniff";
            headers.XFrameOptions = "DENY";
            headers["Referrer-Policy"] = "strict-origin-when-cross-origin";
            headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()";
            return next(context);
        });
        return app;
    }

    /// <summary>After the status-code pages, so a re-executed error page is authorized like any other request.</summary>
    public static WebApplication UseAppAuthentication(this WebApplication app)
    {
        // Re-executing a refused POST (429, a missing antiforgery token) as a POST to the not-found page would turn
        // the refusal into a confusing second error, so status-code pages are for page loads only.
        app.Use(static (context, next) =>
        {
            if (!HttpMethods.IsGet(context.Request.Method) && context.Features.Get<Microsoft.AspNetCore.Diagnostics.IStatusCodePagesFeature>() is { } pages)
                pages.Enabled = false;
            return next(context);
        });
        app.UseRateLimiter();
        app.UseAnonymousFormLimit();
        app.UseAuthentication();
        app.UseAuthorization();
        return app;
    }

    /// <summary>Sign-out is a POST with an antiforgery token, so a link on another site cannot sign anyone out.</summary>
    public static IEndpointRouteBuilder MapAccountEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost(SignOutPath, async (HttpContext context, SignInManager<AppUser> signIn, UserSessions sessions,
            [Microsoft.AspNetCore.Mvc.FromForm] string? returnUrl) =>
        {
            // Ending the session on the server is what makes a copy of the cookie useless, not clearing it here.
            await sessions.EndAsync(context.User, context.RequestAborted);
            await signIn.SignOutAsync();
            return TypedResults.LocalRedirect(SignInPath);
        });
        return endpoints;
    }

    public const string HttpsRequiredMessage =
        "CustomerAdmin must be reached over HTTPS. Behind a TLS proxy, list the proxy in ForwardedHeaders:KnownProxies " +
        "or ForwardedHeaders:KnownNetworks and have it send X-Forwarded-Proto (see the README's security section).";

    /// <summary>
    /// Gives every sign-in a server-side session (or keeps the current one when the same user's cookie is only
    /// re-issued, as after a password change), named in the cookie.
    /// </summary>
    private static async Task StartSessionAsync(CookieSigningInContext context)
    {
        if (context.Principal?.Identity is not System.Security.Claims.ClaimsIdentity identity
            || UserSessions.UserId(context.Principal) is not { } userId
            || identity.HasClaim(c => c.Type == UserSessions.ClaimType))
            return;
        var current = context.HttpContext.User;
        var sessions = context.HttpContext.RequestServices.GetRequiredService<UserSessions>();
        var sessionId = UserSessions.UserId(current) == userId && current.FindFirst(UserSessions.ClaimType) is { } kept
            && await sessions.IsActiveAsync(current, context.HttpContext.RequestAborted)
            ? kept.Value
            : await sessions.StartAsync(userId, context.HttpContext.RequestAborted);
        identity.AddClaim(new System.Security.Claims.Claim(UserSessions.ClaimType, sessionId));
    }

    /// <summary>
    /// Endpoints open to anonymous callers (sign-in, Twilio webhooks) take small forms only: a bigger one gets 413
    /// before it is read, instead of filling memory or failing as a server error with a stack trace in the log.
    /// </summary>
    private static void UseAnonymousFormLimit(this WebApplication app)
    {
        app.Use(static async (context, next) =>
        {
            if (!HttpMethods.IsPost(context.Request.Method) || !context.Request.HasFormContentType
                || context.GetEndpoint()?.Metadata.GetMetadata<IAllowAnonymous>() is null)
            {
                await next(context);
                return;
            }
            var max = context.RequestServices.GetRequiredService<IOptions<SecurityOptions>>().Value.AnonymousFormMaxBytes;
            if (context.Request.ContentLength > max)
            {
                await RefuseFormAsync(context, max);
                return;
            }
            // A body without Content-Length (chunked) is cut off by the server at the same size while it is read.
            if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
                size.MaxRequestBodySize = max;
            context.Features.Set<IFormFeature>(new FormFeature(context.Request,
                new FormOptions { BufferBodyLengthLimit = max, ValueLengthLimit = max, MultipartBodyLengthLimit = max }));
            // Read here, once, so that every later reader (antiforgery, the page, a webhook) gets this small form and
            // none of them meets the oversized one as an error of its own.
            try
            {
                await context.Request.ReadFormAsync(context.RequestAborted);
            }
            catch (Exception e) when (e is InvalidDataException || e is BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge })
            {
                await RefuseFormAsync(context, max);
                return;
            }
            await next(context);
        });
    }

    private static async Task RefuseFormAsync(HttpContext context, int max)
    {
        var logger = context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(SecuritySetup));
        if (context.RequestServices.GetRequiredService<LogThrottle>().ShouldLog("anonymous-form-too-large", out var suppressed))
            logger.LogWarning("Refused an anonymous form of {Length} bytes to {Path}: the limit is {Max} ({Suppressed} similar refusals not logged)",
                context.Request.ContentLength, context.Request.Path, max, suppressed);
        context.Response.Clear();
        context.Response.StatusCode = StatusCodes.Status413PayloadTooLarge;
        context.Response.ContentType = "text/plain; charset=utf-8";
        await context.Response.WriteAsync($"The form is too large (at most {max} bytes).", context.RequestAborted);
    }
}
