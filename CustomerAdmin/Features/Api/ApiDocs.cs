using System.Text.Json.Nodes;
using CustomerAdmin.Features.Customers;
using CustomerAdmin.Features.Customers.Api;
using CustomerAdmin.Security;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using Scalar.AspNetCore;

namespace CustomerAdmin.Features.Api;

/// <summary>
/// <c>/openapi/v1.json</c>, generated from the mapped endpoints (their typed results give the response schemas), with
/// the bearer scheme, each operation's scope as its security requirement, the shared error answers and examples; and
/// the interactive reference (Scalar) at <c>/api/docs/v1</c> for signed-in staff.
/// </summary>
public static class ApiDocs
{
    public const string DocumentPath = "/openapi/v1.json";
    public const string ReferencePath = "/api/docs";
    public const string BearerScheme = "Bearer";

    /// <summary>Request bodies shown as examples in the document.</summary>
    private static readonly Dictionary<Type, string> Examples = new()
    {
        [typeof(CustomerRequest)] = """{"firstName":"Maria","lastName":"Lopez","primaryPhone":"+1 212 736 5011","email":"maria@example.com","city":"Boston","tier":"Vip","smsOptedIn":true}""",
    };

    public static IServiceCollection AddApiDocs(this IServiceCollection services) =>
        services.AddOpenApi("v1", o =>
        {
            o.ShouldInclude = d => d.RelativePath?.StartsWith(ApiSetup.BasePath.TrimStart('/'), StringComparison.Ordinal) == true;
            o.AddDocumentTransformer((document, _, _) =>
            {
                document.Info = new OpenApiInfo
                {
                    Title = "CustomerAdmin API", Version = "v1",
                    Description = "Customers, tickets, sales, events, bookings and the SMS log. Authenticate with `Authorization: Bearer <token>` "
                        + "(tokens are made on /settings/api-tokens); each operation names the scope it needs. Errors are ProblemDetails.",
                };
                document.Components ??= new OpenApiComponents();
                document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
                document.Components.SecuritySchemes[BearerScheme] = new OpenApiSecurityScheme
                {
                    Type = SecuritySchemeType.Http, Scheme = "bearer", BearerFormat = "opaque",
                    Description = "An API token; its scopes are permission names such as customers.read.",
                };
                return Task.CompletedTask;
            });
            o.AddOperationTransformer((operation, context, _) =>
            {
                var metadata = context.Description.ActionDescriptor.EndpointMetadata;
                if (metadata.OfType<ApiScope>().FirstOrDefault() is { } scope)
                {
                    operation.Security = [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(BearerScheme, context.Document)] = [scope.Permission] }];
                    operation.Description = $"Requires the scope `{scope.Permission}`." + (operation.Description is { } d ? " " + d : "");
                    operation.Extensions ??= new Dictionary<string, IOpenApiExtension>();
                    operation.Extensions["x-required-scope"] = new JsonNodeExtension(JsonValue.Create(scope.Permission));
                }
                operation.Responses ??= new OpenApiResponses();
                operation.Responses.TryAdd("401", new OpenApiResponse { Description = "No token, or one that is unknown, revoked or expired." });
                operation.Responses.TryAdd("403", new OpenApiResponse { Description = "The token lacks the scope, or its owner's role no longer holds it." });
                operation.Responses.TryAdd("429", new OpenApiResponse { Description = "Too many requests for this token; see Retry-After." });
                operation.Parameters ??= [];
                if (metadata.OfType<IdempotentCreate>().Any())
                    operation.Parameters.Add(Header(Idempotency.Header, false,
                        "Any unique text (a UUID): the same key with the same body within 24 hours returns the first answer instead of creating again; with another body, 422."));
                if (context.Description.HttpMethod == "PATCH")
                    operation.Parameters.Add(Header("If-Match", true, "The ETag of the version you read (428 without it, 412 when it is stale)."));
                if (operation.OperationId == "listCustomers")
                    foreach (var (name, description) in CustomerListParameters)
                        operation.Parameters.Add(new OpenApiParameter
                        {
                            Name = name, In = ParameterLocation.Query, Description = description,
                            Schema = new OpenApiSchema { Type = JsonSchemaType.String },
                        });
                return Task.CompletedTask;
            });
            o.AddSchemaTransformer((schema, context, _) =>
            {
                if (Examples.TryGetValue(context.JsonTypeInfo.Type, out var example)) schema.Examples = [JsonNode.Parse(example)!];
                return Task.CompletedTask;
            });
        });

    /// <summary>The list's filters: the customer list page's query string keys, meaning the same there and here.</summary>
    private static readonly (string Name, string Description)[] CustomerListParameters =
    [
        (CustomerListQueryString.Search, "Search as in the app bar: name, phone digits, email, tag."),
        (CustomerListQueryString.Type, "Individual, Hospital, Clinic, Lab, Manufacturer, Dealer."),
        (CustomerListQueryString.Kind, "Private or Business."),
        (CustomerListQueryString.Status, "Active, Inactive, Blocked, Deleted, Merged (default: every customer not deleted or merged)."),
        (CustomerListQueryString.Tier, "Vip, Premium, Standard."),
        (CustomerListQueryString.City, "Exact city."),
        (CustomerListQueryString.Tag, "A tag."),
        (CustomerListQueryString.TicketsMin, "At least this many tickets."),
        (CustomerListQueryString.TicketsMax, "At most this many tickets."),
        (CustomerListQueryString.RevenueMin, "Lifetime revenue at least (invariant decimal)."),
        (CustomerListQueryString.RevenueMax, "Lifetime revenue at most."),
        (CustomerListQueryString.CreatedFrom, "Customer since, from this venue day (yyyy-MM-dd)."),
        (CustomerListQueryString.CreatedTo, "Customer since, to this venue day inclusive."),
        (CustomerListQueryString.BoughtFrom, "With bought_to: bought in these venue days."),
        (CustomerListQueryString.BoughtTo, "With bought_from."),
        (CustomerListQueryString.PurchasesMin, "With bought_from/to: at least this many purchases."),
        (CustomerListQueryString.BoughtEarlier, "1: had also bought before bought_from."),
        (CustomerListQueryString.ActiveFrom, "With active_to: opened a ticket or bought in these venue days."),
        (CustomerListQueryString.ActiveTo, "With active_from."),
        (CustomerListQueryString.BookedEvent, "Booked on this event id."),
        (CustomerListQueryString.BookedSince, "Made a booking since this venue day."),
        (CustomerListQueryString.NotBookedSince, "Made no booking since this venue day."),
        (CustomerListQueryString.Ids, "Only these ids, comma-separated (at most 1000)."),
        (CustomerListQueryString.Sort, "LastName (default), Name, City, Created, TotalSpent."),
        (CustomerListQueryString.Desc, "true: descending."),
    ];

    private static OpenApiParameter Header(string name, bool required, string description) => new()
    {
        Name = name, In = ParameterLocation.Header, Required = required, Description = description,
        Schema = new OpenApiSchema { Type = JsonSchemaType.String },
    };

    /// <summary>The document for a token or a signed-in user; the reference for signed-in staff.</summary>
    public static IEndpointRouteBuilder MapApiDocs(this IEndpointRouteBuilder app)
    {
        app.MapOpenApi(DocumentPath.Replace("v1", "{documentName}", StringComparison.Ordinal))
            .RequireAuthorization(new AuthorizationPolicyBuilder(IdentityConstants.ApplicationScheme, ApiTokenAuthentication.SchemeName)
                .RequireAuthenticatedUser().Build());
        app.MapScalarApiReference(ReferencePath, o => o.AddDocument("v1")).RequireAuthorization(Permissions.CustomersRead);
        // The address the README gives: the reference of the one document there is.
        app.MapGet(ReferencePath, () => Results.Redirect(ReferencePath + "/v1")).RequireAuthorization(Permissions.CustomersRead)
            .ExcludeFromDescription();
        return app;
    }
}
