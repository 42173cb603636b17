using CustomerAdmin.Features.Tickets;
using CustomerAdmin.Data;
using CustomerAdmin.Security;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.EntityFrameworkCore;

namespace CustomerAdmin.Tests.Security;

/// <summary>Components written the ways a handler can go wrong or right, to prove <see cref="HandlerPermissionChecks"/> tells them apart.</summary>
public static class HandlerFixtures
{
    public sealed class Unchecked : ComponentBase
    {
        [Inject] private IDbContextFactory<AppDbContext> DbFactory { get; set; } = null!;

        public async Task DirectAsync()
        {
            await using var db = await DbFactory.CreateDbContextAsync();
            await db.SaveChangesAsync();
        }

        public Task HelperAsync() => CloseAsync();

        private Task CloseAsync() => TicketOperations.ChangeStatusAsync(DbFactory, 1, 1, TicketStatus.Closed, 1m, TimeProvider.System);

        public Func<Task> Lambda => async () =>
        {
            await using var db = await DbFactory.CreateDbContextAsync();
            await db.SaveChangesAsync();
        };

        public Task ViaPlainRunnerAsync() => RunAsync(async () =>
        {
            await using var db = await DbFactory.CreateDbContextAsync();
            await db.SaveChangesAsync();
        });

        private static Task RunAsync(Func<Task> operation) => operation();
    }

    public sealed class Checked : ComponentBase
    {
        [Inject] private IDbContextFactory<AppDbContext> DbFactory { get; set; } = null!;
        [Inject] private IAuthorizationService Authorization { get; set; } = null!;
        [CascadingParameter] private Task<AuthenticationState>? AuthenticationState { get; set; }

        public async Task DirectAsync()
        {
            if (!await Authorization.AllowsAsync(AuthenticationState, Permissions.CustomersWrite)) return;
            await using var db = await DbFactory.CreateDbContextAsync();
            await db.SaveChangesAsync();
        }

        public async Task HelperAsync()
        {
            if (!await Authorization.AllowsAsync(AuthenticationState, Permissions.CustomersWrite)) return;
            await CloseAsync();
        }

        private Task CloseAsync() => TicketOperations.ChangeStatusAsync(DbFactory, 1, 1, TicketStatus.Closed, 1m, TimeProvider.System);

        public Task ViaCheckingRunnerAsync() => RunAsync(async () =>
        {
            await using var db = await DbFactory.CreateDbContextAsync();
            await db.SaveChangesAsync();
        });

        private async Task RunAsync(Func<Task> operation)
        {
            if (!await Authorization.AllowsAsync(AuthenticationState, Permissions.CustomersWrite)) return;
            await operation();
        }
    }

    public sealed class CheckedTooLate : ComponentBase
    {
        [Inject] private IDbContextFactory<AppDbContext> DbFactory { get; set; } = null!;
        [Inject] private IAuthorizationService Authorization { get; set; } = null!;
        [CascadingParameter] private Task<AuthenticationState>? AuthenticationState { get; set; }

        public async Task DirectAsync()
        {
            await using var db = await DbFactory.CreateDbContextAsync();
            await db.SaveChangesAsync();
            if (!await Authorization.AllowsAsync(AuthenticationState, Permissions.CustomersWrite)) return;
        }
    }
}
