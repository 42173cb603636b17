using CustomerAdmin.Common;
using CustomerAdmin.Data;
using CustomerAdmin.Features.Customers.Status;
using CustomerAdmin.Features.Events;
using CustomerAdmin.Features.Sales;
using CustomerAdmin.Features.Sms;
using CustomerAdmin.Features.Sms.Reminders;
using CustomerAdmin.Features.Tickets;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace CustomerAdmin.Tests.Features.Customers.Status;

/// <summary>
/// Every write path that starts new work for a customer, on both databases: a blocked customer is refused (naming the
/// block) unless a manager overrides with a reason, which goes on the timeline; an inactive one is not refused; SMS of
/// every kind skip a blocked customer with that reason.
/// </summary>
public class BlockedCustomerTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 3, 1, 14, 0, 0, TimeSpan.Zero));
    private readonly IOptions<VenueOptions> _venue = Options.Create(new VenueOptions { TimeZone = "UTC" });

    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private DateTime Now => _time.GetUtcNow().UtcDateTime;

    private SmsOutbox Outbox() => new(Options.Create(new SmsOptions()), _venue, _time);

    private async Task<(TestDatabase Database, Customer Customer)> BlockedAsync(DatabaseProvider provider, CustomerStatus status = CustomerStatus.Blocked)
    {
        var database = await TestDatabase.CreateAsync(provider, _time, ct: Ct);
        var customer = await database.Data.CustomerAsync(with: c => c.PrimaryPhoneSmsCapable = true);
        await new CustomerStatusOperations(database.Factory, _time).ChangeAsync(customer.Id, status, "Unpaid repairs", "manager@test.local", Ct);
        return (database, customer);
    }

    private static async Task<List<Activity>> OverridesAsync(TestDatabase database)
    {
        await using var db = database.CreateDbContext();
        return await db.Activities.AsNoTracking().Where(a => a.Kind == ActivityKind.BlockOverridden).ToListAsync(Ct);
    }

    [Theory, InlineData(DatabaseProvider.Sqlite), InlineData(DatabaseProvider.Postgres)]
    public async Task ABookingForABlockedCustomerIsRefusedUnlessAManagerOverrides(DatabaseProvider provider)
    {
        var (database, ann) = await BlockedAsync(provider);
        await using var _ = database;
        var bookings = new BookingOperations(database.Factory, Outbox(), _time);
        var ev = await new TestData(database.Factory, _time).EventAsync("Jazz night", Now.AddDays(10), 10);
        var draft = new BookingDraft { CustomerId = ann.Id, EventId = ev.Id, Seats = 2 };

        var refused = await Assert.ThrowsAsync<RuleViolationException>(() => bookings.CreateAsync(draft, ct: Ct));
        Assert.Equal(nameof(BookingDraft.CustomerId), refused.Field);
        Assert.Equal("Ann Lee is blocked (Unpaid repairs): a booking for Jazz night needs a manager's override with a reason.", refused.Message);
        var blank = await Assert.ThrowsAsync<RuleViolationException>(() => bookings.CreateAsync(draft, ct: Ct, blockOverride: new BlockOverride(" ")));
        Assert.Equal(CustomerBlocks.OverrideField, blank.Field);
        await using (var db = database.CreateDbContext())
        {
            Assert.False(await db.Bookings.AnyAsync(Ct));
            Assert.False(await db.SmsMessages.AnyAsync(Ct));
        }

        var result = await bookings.CreateAsync(draft, "manager@test.local", Ct, new BlockOverride("Paid in full today"));

        Assert.False(result.AlreadyBooked);
        var entry = Assert.Single(await OverridesAsync(database));
        Assert.Equal((ann.Id, "Block overridden for a booking for Jazz night", "Paid in full today", "manager@test.local"),
            (entry.CustomerId, entry.Subject, entry.Body, entry.CreatedBy));
        await using var check = database.CreateDbContext();
        // The confirmation is written, and skipped with the block as its reason: a blocked customer gets no SMS.
        var sms = await check.SmsMessages.SingleAsync(Ct);
        Assert.Equal((SmsStatus.Skipped, SmsOutbox.BlockedCode), (sms.Status, sms.ErrorCode));
    }

    [Theory, InlineData(DatabaseProvider.Sqlite), InlineData(DatabaseProvider.Postgres)]
    public async Task ATicketForABlockedCustomerIsRefusedUnlessAManagerOverrides(DatabaseProvider provider)
    {
        var (database, ann) = await BlockedAsync(provider);
        await using var _ = database;
        var draft = new TicketDraft { CustomerId = ann.Id, Item = "Phone", Problem = "Cracked screen" };

        var refused = await Assert.ThrowsAsync<RuleViolationException>(() => TicketOperations.CreateAsync(database.Factory, draft, _time, ct: Ct));
        Assert.Equal(nameof(TicketDraft.CustomerId), refused.Field);
        Assert.Contains("Ann Lee is blocked (Unpaid repairs): a ticket needs a manager's override", refused.Message);
        await using (var db = database.CreateDbContext())
            Assert.False(await db.Tickets.AnyAsync(Ct));

        var ticket = await TicketOperations.CreateAsync(database.Factory, draft, _time, "manager@test.local", Ct, new BlockOverride("Warranty job"));

        Assert.Equal(ann.Id, ticket.CustomerId);
        var entry = Assert.Single(await OverridesAsync(database));
        Assert.Equal(("Block overridden for a ticket", "Warranty job"), (entry.Subject, entry.Body));
    }

    [Theory, InlineData(DatabaseProvider.Sqlite), InlineData(DatabaseProvider.Postgres)]
    public async Task ASaleToABlockedCustomerIsRefusedUnlessAManagerOverrides(DatabaseProvider provider)
    {
        var (database, ann) = await BlockedAsync(provider);
        await using var _ = database;
        SaleLineDraft[] lines = [new() { Description = "Cable", Quantity = 1, UnitPrice = 9.5m }];

        var refused = await Assert.ThrowsAsync<RuleViolationException>(() => SaleOperations.CreateAsync(database.Factory, ann.Id, lines, _time, ct: Ct));
        Assert.Equal(nameof(Sale.CustomerId), refused.Field);
        Assert.Contains("a sale needs a manager's override", refused.Message);
        await using (var db = database.CreateDbContext())
            Assert.Equal(0m, (await db.Customers.SingleAsync(c => c.Id == ann.Id, Ct)).TotalSpent);

        await SaleOperations.CreateAsync(database.Factory, ann.Id, lines, _time, "manager@test.local", Ct, new BlockOverride("Cash up front"));

        Assert.Equal("Cash up front", Assert.Single(await OverridesAsync(database)).Body);
        await using var check = database.CreateDbContext();
        Assert.Equal(9.5m, (await check.Customers.SingleAsync(c => c.Id == ann.Id, Ct)).TotalSpent);
    }

    [Theory, InlineData(DatabaseProvider.Sqlite), InlineData(DatabaseProvider.Postgres)]
    public async Task AnInactiveCustomerIsBookedTicketedAndSoldToWithoutAnOverride(DatabaseProvider provider)
    {
        var (database, ann) = await BlockedAsync(provider, CustomerStatus.Inactive);
        await using var _ = database;
        var ev = await new TestData(database.Factory, _time).EventAsync("Jazz night", Now.AddDays(10), 10);

        await new BookingOperations(database.Factory, Outbox(), _time).CreateAsync(new BookingDraft { CustomerId = ann.Id, EventId = ev.Id, Seats = 1 }, ct: Ct);
        await TicketOperations.CreateAsync(database.Factory, new TicketDraft { CustomerId = ann.Id, Item = "Phone", Problem = "Cracked" }, _time, ct: Ct);
        await SaleOperations.CreateAsync(database.Factory, ann.Id, [new SaleLineDraft { Description = "Cable", UnitPrice = 5m }], _time, ct: Ct);

        Assert.Empty(await OverridesAsync(database));
        await using var db = database.CreateDbContext();
        Assert.Equal(SmsStatus.Pending, (await db.SmsMessages.SingleAsync(Ct)).Status);
    }

    [Theory, InlineData(DatabaseProvider.Sqlite), InlineData(DatabaseProvider.Postgres)]
    public async Task AOneOffSmsToABlockedCustomerIsRefusedWithTheBlockAsReason(DatabaseProvider provider)
    {
        var (database, ann) = await BlockedAsync(provider);
        await using var _ = database;

        var refused = await Assert.ThrowsAsync<SmsRefusedException>(() => new SmsOperations(database.Factory, Outbox()).SendToCustomerAsync(ann.Id, "Your repair is ready", ct: Ct));

        Assert.Equal((SmsOutbox.BlockedCode, "The customer is blocked."), (refused.Code, refused.Message));
        await using var db = database.CreateDbContext();
        Assert.False(await db.SmsMessages.AnyAsync(Ct));
    }

    [Theory, InlineData(DatabaseProvider.Sqlite), InlineData(DatabaseProvider.Postgres)]
    public async Task BulkSmsAndRemindersSkipABlockedCustomerWithTheBlockAsReason(DatabaseProvider provider)
    {
        var (database, ann) = await BlockedAsync(provider);
        await using var _ = database;
        Event ev = null!;
        await database.Data.BatchAsync(b =>
        {
            ev = b.Event("Gala", Now.AddDays(10), 500);
            for (var i = 0; i < 120; i++) b.Booking(b.Customer($"Guest{i}", $"Lee{i}", Now.AddDays(-40)), ev, 1, Now.AddDays(-1));
        });
        await new TestData(database.Factory, _time).BookingAsync(ann.Id, ev.Id, 1);
        var bulk = new BulkSmsOperations(database.Factory, Outbox(), new CustomerAdmin.Common.PhoneNormalizer("US"), new Running(), NullLogger<BulkSmsOperations>.Instance);

        var audience = await bulk.AudienceAsync(ev.Id, includeReminderOnly: false, Ct);
        Assert.Equal((121, 120), (audience.Bookings, audience.Recipients));
        Assert.Equal([("The customer is blocked.", 1)], audience.Excluded);

        var (job, refusal) = await bulk.StartAsync(ev.Id, "Doors open at 7 for {{event_name}}", includeReminderOnly: false, "manager", Ct);
        Assert.Null(refusal);
        for (var i = 0; i < 200 && job!.State == BulkJobState.Running; i++) await Task.Delay(50, Ct);
        Assert.Equal(BulkJobState.Finished, job!.State);

        _time.SetUtcNow(new DateTimeOffset(ev.StartsAt.AddHours(-30)));
        await new ReminderScan(database.Factory, Outbox(), _time, NullLogger<ReminderScan>.Instance).RunOnceAsync(Ct);

        await using var db = database.CreateDbContext();
        var toAnn = await db.SmsMessages.AsNoTracking().Where(m => m.CustomerId == ann.Id).ToListAsync(Ct);
        Assert.Equal([SmsKind.Reminder7Day, SmsKind.Bulk], toAnn.Select(m => m.Kind).Order());
        Assert.All(toAnn, m => Assert.Equal((SmsStatus.Skipped, SmsOutbox.BlockedCode, "The customer is blocked."), (m.Status, m.ErrorCode, m.ErrorMessage)));
        Assert.Equal(240, await db.SmsMessages.CountAsync(m => m.CustomerId != ann.Id && m.Status == SmsStatus.Pending, Ct));
    }

    private sealed class Running : IHostApplicationLifetime
    {
        public CancellationToken ApplicationStarted => CancellationToken.None;
        public CancellationToken ApplicationStopping => CancellationToken.None;
        public CancellationToken ApplicationStopped => CancellationToken.None;
        public void StopApplication() { }
    }
}
