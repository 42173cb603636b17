using CustomerAdmin.Common;
using CustomerAdmin.Data;
using CustomerAdmin.Features.Api;
using CustomerAdmin.Features.Customers;
using CustomerAdmin.Features.Customers.History;
using CustomerAdmin.Features.Customers.Search;
using CustomerAdmin.Features.Dashboard;
using CustomerAdmin.Features.Duplicates.Scanning;
using CustomerAdmin.Security;
using Microsoft.EntityFrameworkCore;

namespace CustomerAdmin.Features;

/// <summary>
/// The one place where the keepers of derived data are registered, in the order they run on every save. A value
/// computed from other rows (search tokens, field history, the dashboard summary, ticket counts, a customer's
/// total spent, visits and last visit, duplicate blocking keys and pairs) is kept by one of
/// these, never by the code that changes the rows it comes from. (The idempotency keeper marks an API create's key answered
/// in the create's own save, for the same reason: the mark and the row commit together.)
/// </summary>
public static class DerivedData
{
    public static IReadOnlyList<DerivedDataKeeper> Keepers { get; } =
    [
        new SearchIndexKeeper(),
        new CustomerHistoryKeeper(),
        new DashboardSummaryKeeper(),
        new CustomerStatsKeeper(),
        new DuplicateMatchKeeper(),
        new IdempotencyKeeper(),
    ];

    /// <summary><see cref="AppContextServicesExtensions.UseAppServices{TBuilder}"/> with the app's keepers (or, in tests, a subset of them).</summary>
    public static TBuilder UseCustomerAdmin<TBuilder>(this TBuilder builder, TimeProvider? time, CurrentUser? currentUser = null,
        VenueOptions? venue = null, IReadOnlyList<DerivedDataKeeper>? keepers = null)
        where TBuilder : DbContextOptionsBuilder =>
        builder.UseAppServices(keepers ?? Keepers, time, currentUser, venue);
}
