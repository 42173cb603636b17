using System.Threading.RateLimiting;
using CustomerAdmin.Features.Users;
using CustomerAdmin.Data;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Server.Circuits;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace CustomerAdmin.Security;

public static class SecuritySetup
{
    public const string SignInPath = "/account/sign-in";
    public const string SignOutPath = "/account/sign-out";
    public const string AccessDeniedPath = "/account/access-denied";
    public const int MaxFailedSignIns = 5;
    public static readonly TimeSpan LockoutDuration = TimeSpan.FromMinutes(15);

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

        // Identity's stores and the key ring take a scoped context; it comes from the same factory as the rest.
        services.AddScoped(sp => sp.GetRequiredService<IDbContextFactory<AppDbContext>>().CreateDbContext());

        services.AddHttpContextAccessor();
        services.AddSingleton<CurrentUser>();
        services.AddScoped<CircuitHandler, ActorCircuitHandler>();
        services.AddCascadingAuthenticationState();
        services.AddScoped<AuthenticationStateProvider, RevalidatingIdentityStateProvider>();

        services.AddAuthentication(o =>
            {
                o.DefaultScheme = IdentityConstants.ApplicationScheme;
                o.DefaultSignInScheme = IdentityConstants.ExternalScheme;
            })
            .AddIdentityCookies();
        services.AddAppIdentity().AddSignInManager();
        // A locked user, a reset password or a changed role ends existing sign-ins within a minute.
        services.Configure<SecurityStampValidatorOptions>(o => o.ValidationInterval = TimeSpan.FromMinutes(1));
        services.ConfigureApplicationCookie(o =>
        {
            o.LoginPath = SignInPath;
            o.LogoutPath = SignOutPath;
            o.AccessDeniedPath = AccessDeniedPath;
            o.Cookie.Name = "CustomerAdmin.Auth";
            o.Cookie.HttpOnly = true;
            o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            o.Cookie.SameSite = SameSiteMode.Lax;
            o.ExpireTimeSpan = TimeSpan.FromHours(10);
            o.SlidingExpiration = true;
        });
        services.AddAntiforgery(o =>
        {
            o.Cookie.Name = "CustomerAdmin.Antiforgery";
            // Secure whenever the request is HTTPS (directly or through a proxy that says so in X-Forwarded-Proto);
            // Always would make antiforgery refuse the plain-HTTP localhost address the app starts on.
            o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
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
                    "Too many sign-in attempts from your address. Wait a minute, then go back and try again.", ct);
            };
            o.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(context =>
            {
                if (!HttpMethods.IsPost(context.Request.Method)
                    || !context.Request.Path.Equals(SignInPath, StringComparison.OrdinalIgnoreCase))
                    return RateLimitPartition.GetNoLimiter("");
                var permits = context.RequestServices.GetRequiredService<Microsoft.Extensions.Options.IOptions<SecurityOptions>>()
                    .Value.SignInAttemptsPerMinute;
                return RateLimitPartition.GetFixedWindowLimiter(context.Connection.RemoteIpAddress?.ToString() ?? "unknown",
                    _ => new FixedWindowRateLimiterOptions { PermitLimit = permits, Window = TimeSpan.FromMinutes(1), QueueLimit = 0 });
            });
        });

        // Behind a TLS-terminating proxy on the same machine the app still sees HTTPS (secure cookies) and the
        // client's address (the sign-in rate limit); other proxies are added with KnownProxies/KnownNetworks.
        services.Configure<ForwardedHeadersOptions>(o =>
            o.ForwardedHeaders = Microsoft.AspNetCore.HttpOverrides.ForwardedHeaders.XForwardedFor
                | Microsoft.AspNetCore.HttpOverrides.ForwardedHeaders.XForwardedProto);

        services.AddSingleton<UserSeeder>();
        services.AddSingleton<UserAdministration>();
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

    /// <summary>First in the pipeline: the proxy's view of the request, and security headers on every response.</summary>
    public static WebApplication UseSecurityHeaders(this WebApplication app)
    {
        app.UseForwardedHeaders();
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
        app.UseAuthentication();
        app.UseAuthorization();
        return app;
    }

    /// <summary>Sign-out is a POST with an antiforgery token, so a link on another site cannot sign anyone out.</summary>
    public static IEndpointRouteBuilder MapAccountEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost(SignOutPath, async (SignInManager<AppUser> signIn, [Microsoft.AspNetCore.Mvc.FromForm] string? returnUrl) =>
        {
            await signIn.SignOutAsync();
            return TypedResults.LocalRedirect(SignInPath);
        });
        return endpoints;
    }
}
