using CustomerAdmin.Common;
using CustomerAdmin.Data;
using CustomerAdmin.Features.Customers;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Primitives;

namespace CustomerAdmin.Features.Privacy.AccessLog;

/// <summary>
/// The access log's filters as its query string (<c>user</c>: a user name prefix, <c>customer</c>: an id, <c>kind</c>,
/// <c>from</c>/<c>to</c>: venue days, "to" inclusive), read in one place so the page and its CSV export agree.
/// </summary>
public sealed record AccessLogFilter(string? User = null, int? CustomerId = null, AccessKind? Kind = null)
{
    public const string Path = "/settings/access-log";

    /// <summary>At or after (UTC).</summary>
    public DateTime? From { get; init; }
    /// <summary>Before (UTC).</summary>
    public DateTime? Before { get; init; }

    public static AccessLogFilter Parse(string? queryString, VenueOptions venue)
    {
        var query = QueryHelpers.ParseQuery(queryString);
        string? Get(string key) => query.TryGetValue(key, out var v) && !StringValues.IsNullOrEmpty(v) ? v.ToString().Trim() : null;
        return new AccessLogFilter(Get("user"), int.TryParse(Get("customer"), out var id) ? id : null,
            CustomerListQueryString.ParseEnum<AccessKind>(Get("kind")))
        {
            From = CustomerListQueryString.DayStart(Get("from"), venue),
            Before = CustomerListQueryString.DayStart(Get("to"), venue, nextDay: true),
        };
    }
}

public static class AccessLogQuery
{
    /// <summary>Filtered, newest first (ids grow with time); the caller pages it.</summary>
    public static IQueryable<AccessLogEntry> Filtered(this IQueryable<AccessLogEntry> entries, AccessLogFilter filter)
    {
        if (filter.User is { Length: > 0 } user) entries = entries.Where(e => e.UserName.StartsWith(user));
        if (filter.CustomerId is { } customerId) entries = entries.Where(e => e.CustomerId == customerId);
        if (filter.Kind is { } kind) entries = entries.Where(e => e.Kind == kind);
        if (filter.From is { } from) entries = entries.Where(e => e.At >= from);
        if (filter.Before is { } before) entries = entries.Where(e => e.At < before);
        return entries.OrderByDescending(e => e.Id);
    }

    public static string Label(AccessKind kind) => kind switch
    {
        AccessKind.CustomerViewed => "Customer viewed",
        AccessKind.CustomerListExported => "Customer list exported",
        AccessKind.DocumentDownloaded => "Document downloaded",
        AccessKind.SubjectAccessExport => "Subject access export",
        AccessKind.Erasure => "Erasure",
        AccessKind.AccessLogExported => "Access log exported",
        _ => kind.ToString(),
    };
}
