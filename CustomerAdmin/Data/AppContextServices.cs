using CustomerAdmin.Common;
using CustomerAdmin.Data.Sql;
using CustomerAdmin.Security;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;

namespace CustomerAdmin.Data;

/// <summary>
/// What <see cref="AppDbContext"/> needs besides EF's own services: the clock it stamps changes with and the
/// signed-in user it records as their author. Carried in the context's options rather than its constructor, so the
/// context has the single options constructor that EF's context pool requires; both are singletons, so one
/// options instance serves every pooled context. The venue's time zone decides which calendar day a ticket or sale
/// counts on in the dashboard summary, kept up to date on every save. The <see cref="Keepers"/> keep the derived data
/// on every save; null only for contexts that never save (the EF tools' design-time contexts).
/// </summary>
public sealed class AppContextServices(TimeProvider? time, CurrentUser? currentUser, VenueOptions? venue,
    IReadOnlyList<DerivedDataKeeper>? keepers) : IDbContextOptionsExtension
{
    private DbContextOptionsExtensionInfo? _info;

    public TimeProvider Time { get; } = time ?? TimeProvider.System;
    public CurrentUser? CurrentUser { get; } = currentUser;
    public VenueOptions Venue { get; } = venue ?? new VenueOptions();
    public IReadOnlyList<DerivedDataKeeper>? Keepers { get; } = keepers;

    public DbContextOptionsExtensionInfo Info => _info ??= new ExtensionInfo(this);

    public void ApplyServices(Microsoft.Extensions.DependencyInjection.IServiceCollection services) { }

    public void Validate(IDbContextOptions options) { }

    private sealed class ExtensionInfo(IDbContextOptionsExtension extension) : DbContextOptionsExtensionInfo(extension)
    {
        public override bool IsDatabaseProvider => false;
        public override string LogFragment => "";
        // Adds no EF services, so contexts with different clocks share EF's internal service provider.
        public override int GetServiceProviderHashCode() => 0;
        public override bool ShouldUseSameServiceProvider(DbContextOptionsExtensionInfo other) => other is ExtensionInfo;
        public override void PopulateDebugInfo(IDictionary<string, string> debugInfo) { }
    }
}

public static class AppContextServicesExtensions
{
    /// <summary>
    /// Gives the contexts built from these options the keepers of derived data (required: a context without them
    /// refuses to save), a clock, the signed-in user and the venue (optional; the venue defaults to UTC).
    /// </summary>
    public static TBuilder UseAppServices<TBuilder>(this TBuilder builder, IReadOnlyList<DerivedDataKeeper> keepers, TimeProvider? time,
        CurrentUser? currentUser = null, VenueOptions? venue = null)
        where TBuilder : DbContextOptionsBuilder
    {
        ((IDbContextOptionsBuilderInfrastructure)builder).AddOrUpdateExtension(new AppContextServices(time, currentUser, venue, keepers));
        builder.AddInterceptors(StatementAhead.Interceptor);
        // On SQLite the writers queue for the file's write lock without holding threads (a no-op on PostgreSQL).
        SqliteWriteGate.Use(builder);
        return builder;
    }
}
