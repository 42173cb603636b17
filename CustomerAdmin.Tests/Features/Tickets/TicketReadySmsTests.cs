using CustomerAdmin.Common;
using CustomerAdmin.Data;
using CustomerAdmin.Features.Sms;
using CustomerAdmin.Features.Tickets;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace CustomerAdmin.Tests.Features.Tickets;

/// <summary>"Ready for pickup": queued with the move to Ready, once per move, on both databases.</summary>
public class TicketReadySmsTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 3, 2, 15, 0, 0, TimeSpan.Zero));

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private SmsOutbox Outbox() => new(Options.Create(new SmsOptions()), Options.Create(new VenueOptions { TimeZone = "UTC", Phone = "+1 555 0100" }), _time);

    private static async Task<List<SmsMessage>> ReadyMessagesAsync(TestDatabase database)
    {
        await using var db = database.CreateDbContext();
        return await db.SmsMessages.AsNoTracking().Where(m => m.Kind == SmsKind.TicketReady).OrderBy(m => m.Id).ToListAsync(Ct);
    }

    [Theory, InlineData(DatabaseProvider.Sqlite), InlineData(DatabaseProvider.Postgres)]
    public async Task AMoveToReadyTextsTheCustomerOnceAndARepeatOfThatMoveDoesNot(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider, _time, ct: Ct);
        var ann = await database.Data.CustomerAsync(with: c => c.SmsOptedIn = true);
        var ticket = await new TestData(database.Factory, _time).TicketAsync(ann.Id, with: d => d.Item = "Laptop");

        var moved = await TicketOperations.ChangeStatusAsync(database.Factory, ticket.Id, ticket.Version, TicketStatus.Ready, null, _time, ct: Ct, readySms: Outbox());
        // A double click, or a retry after a lost answer: the same move, from the same version.
        await Assert.ThrowsAsync<StaleTicketException>(() =>
            TicketOperations.ChangeStatusAsync(database.Factory, ticket.Id, ticket.Version, TicketStatus.Ready, null, _time, ct: Ct, readySms: Outbox()));

        var message = Assert.Single(await ReadyMessagesAsync(database));
        Assert.Equal((ticket.Id, moved.Version, SmsStatus.Pending, ann.PrimaryPhone), (message.TicketId, message.TicketVersion, message.Status, message.To));
        Assert.Equal($"Hi Ann, your Laptop is ready for pickup (ticket {ticket.Number}). Questions? Call +1 555 0100.", message.Body);
    }

    [Theory, InlineData(DatabaseProvider.Sqlite), InlineData(DatabaseProvider.Postgres)]
    public async Task TwoClicksAtOnceOnReadyQueueOneMessage(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider, _time, ct: Ct);
        var ann = await database.Data.CustomerAsync(with: c => c.SmsOptedIn = true);
        var ticket = await new TestData(database.Factory, _time).TicketAsync(ann.Id);

        var attempts = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            try
            {
                await TicketOperations.ChangeStatusAsync(database.Factory, ticket.Id, ticket.Version, TicketStatus.Ready, null, _time, ct: Ct, readySms: Outbox());
                return true;
            }
            catch (StaleTicketException)
            {
                return false;
            }
        }, Ct)));

        Assert.Equal(1, attempts.Count(done => done));
        Assert.Single(await ReadyMessagesAsync(database));
    }

    [Theory, InlineData(DatabaseProvider.Sqlite), InlineData(DatabaseProvider.Postgres)]
    public async Task MovingAwayAndBackToReadyIsANewMoveWithItsOwnMessage(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider, _time, ct: Ct);
        var ann = await database.Data.CustomerAsync(with: c => c.SmsOptedIn = true);
        var ticket = await new TestData(database.Factory, _time).TicketAsync(ann.Id);

        var ready = await TicketOperations.ChangeStatusAsync(database.Factory, ticket.Id, ticket.Version, TicketStatus.Ready, null, _time, ct: Ct, readySms: Outbox());
        var back = await TicketOperations.ChangeStatusAsync(database.Factory, ticket.Id, ready.Version, TicketStatus.InProgress, null, _time, ct: Ct, readySms: Outbox());
        var again = await TicketOperations.ChangeStatusAsync(database.Factory, ticket.Id, back.Version, TicketStatus.Ready, null, _time, ct: Ct, readySms: Outbox());
        // Moved to Ready without the box ticked: no message.
        var waiting = await TicketOperations.ChangeStatusAsync(database.Factory, ticket.Id, again.Version, TicketStatus.WaitingForParts, null, _time, ct: Ct);
        await TicketOperations.ChangeStatusAsync(database.Factory, ticket.Id, waiting.Version, TicketStatus.Ready, null, _time, ct: Ct);

        Assert.Equal([ready.Version, again.Version], (await ReadyMessagesAsync(database)).Select(m => m.TicketVersion!.Value));
    }
}
