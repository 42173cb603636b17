using System.Text.Json;
using CustomerAdmin.Data;
using CustomerAdmin.Features.Duplicates.Merging;
using CustomerAdmin.Features.Events;
using CustomerAdmin.Features.Sms;
using CustomerAdmin.Features.Tickets;
using CustomerAdmin.Features.Webhooks;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace CustomerAdmin.Tests.Features.Webhooks;

/// <summary>Each writer of the app adds its event in its own transaction: nothing when the write is refused.</summary>
public sealed class WebhookWriterTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task<List<(string Type, JsonElement Data)>> EventsAsync(WebhookRig rig) =>
        (await rig.DeliveriesAsync()).Select(d => (d.EventType, JsonDocument.Parse(d.Payload).RootElement.GetProperty("data").Clone())).ToList();

    [Fact]
    public async Task CustomerBookingTicketAndMergeWritersEachAddTheirEvent()
    {
        await using var rig = await WebhookRig.CreateAsync();
        await rig.EndpointAsync();
        var maria = await rig.CreateCustomerAsync();
        var form = maria.Copy();
        form.City = "Boston";
        var updated = await rig.Customers.UpdateAsync(maria.Id, maria.Version, form, null, ct: Ct);

        var outbox = new SmsOutbox(Options.Create(new SmsOptions()), Options.Create(new CustomerAdmin.Common.VenueOptions()), rig.Time);
        var bookings = new BookingOperations(rig.Database.Factory, outbox, rig.Time);
        var ev = await rig.Database.Data.EventAsync("Jazz Night", rig.Now.AddDays(7), 50);
        var booking = (await bookings.CreateAsync(new BookingDraft { CustomerId = maria.Id, EventId = ev.Id, Seats = 2 }, ct: Ct)).Booking;
        await bookings.DeleteAsync(booking.Id, ct: Ct);

        var ticket = await TicketOperations.CreateAsync(rig.Database.Factory, new TicketDraft { CustomerId = maria.Id, Item = "Phone", Problem = "Cracked" }, rig.Time, ct: Ct);
        await TicketOperations.ChangeStatusAsync(rig.Database.Factory, ticket.Id, ticket.Version, TicketStatus.InProgress, null, rig.Time, ct: Ct);

        var other = await rig.CreateCustomerAsync("Mary", "Lopez", "+16175550109");
        await new MergeOperations(rig.Database.Factory, rig.Customers, rig.Time)
            .MergeAsync(new MergeRequest(updated.Id, other.Id, updated.Version, other.Version), ct: Ct);
        var bob = await rig.CreateCustomerAsync("Bob", "Stone", "+16175550110");
        await rig.Customers.DeleteAsync(bob.Id, ct: Ct);

        var events = await EventsAsync(rig);
        Assert.Equal(
            // The booking's deletion skips its confirmation SMS, still waiting: that is a status change too.
            [WebhookEvents.CustomerCreated, WebhookEvents.CustomerUpdated, WebhookEvents.BookingCreated, WebhookEvents.BookingCancelled,
             WebhookEvents.SmsStatusChanged, WebhookEvents.TicketStatusChanged, WebhookEvents.CustomerCreated, WebhookEvents.CustomerMerged, WebhookEvents.CustomerCreated,
             WebhookEvents.CustomerDeleted],
            events.Select(e => e.Type));
        Assert.Equal("Boston", events[1].Data.GetProperty("customer").GetProperty("city").GetString());
        Assert.Equal(booking.Id, events[2].Data.GetProperty("id").GetInt32());
        Assert.Equal(2, events[2].Data.GetProperty("booking").GetProperty("seats").GetInt32());
        Assert.Equal(booking.Id, events[3].Data.GetProperty("id").GetInt32());
        Assert.Equal("Skipped", events[4].Data.GetProperty("status").GetString());
        Assert.Equal("Open", events[5].Data.GetProperty("from").GetString());
        Assert.Equal("InProgress", events[5].Data.GetProperty("to").GetString());
        Assert.Equal(ticket.Version + 1, events[5].Data.GetProperty("ticket").GetProperty("version").GetInt32());
        Assert.Equal(other.Id, events[7].Data.GetProperty("id").GetInt32());
        Assert.Equal(maria.Id, events[7].Data.GetProperty("mergedIntoId").GetInt32());
        Assert.Equal(bob.Id, events[9].Data.GetProperty("id").GetInt32());
    }

    [Fact]
    public async Task StatusChangesARestoreAndBulkTagsAreEachACustomerUpdate()
    {
        await using var rig = await WebhookRig.CreateAsync();
        await rig.EndpointAsync();
        var maria = await rig.CreateCustomerAsync();
        var others = new List<Customer>();
        for (var i = 0; i < 3; i++) others.Add(await rig.CreateCustomerAsync($"Other{i}", "Lopez", $"+1617555012{i}"));
        var statuses = new CustomerAdmin.Features.Customers.Status.CustomerStatusOperations(rig.Database.Factory, rig.Time);
        var bulk = new CustomerAdmin.Features.Customers.Bulk.CustomerBulkOperations(rig.Database.Factory, new CustomerAdmin.Common.PhoneNormalizer("US"),
            rig.Time, statuses, new StillRunning(),
            Microsoft.Extensions.Logging.Abstractions.NullLogger<CustomerAdmin.Features.Customers.Bulk.CustomerBulkOperations>.Instance);
        var baseline = (await EventsAsync(rig)).Count;

        var blocked = await statuses.ChangeAsync(maria.Id, CustomerStatus.Blocked, "Unpaid repairs", "manager@test.local", Ct);
        await statuses.ChangeManyAsync([.. others.Select(o => o.Id)], CustomerStatus.Inactive, "Moved away", "manager@test.local", ct: Ct);
        await rig.Customers.DeleteAsync(others[0].Id, ct: Ct);
        await rig.Customers.RestoreAsync(others[0].Id, ct: Ct);
        var job = await bulk.StartAsync(CustomerAdmin.Features.Customers.Bulk.CustomerSelection.Of([maria.Id, others[1].Id]),
            CustomerAdmin.Features.Customers.Bulk.BulkAction.AddTags(["vip"]), "manager@test.local", Ct);
        await job.Completion.WaitAsync(TimeSpan.FromMinutes(1), Ct);

        var events = (await EventsAsync(rig)).Skip(baseline).ToList();
        Assert.Equal(
            [WebhookEvents.CustomerUpdated, WebhookEvents.CustomerUpdated, WebhookEvents.CustomerUpdated, WebhookEvents.CustomerUpdated,
             WebhookEvents.CustomerDeleted, WebhookEvents.CustomerUpdated, WebhookEvents.CustomerUpdated, WebhookEvents.CustomerUpdated],
            events.Select(e => e.Type));
        var first = events[0].Data.GetProperty("customer");
        Assert.Equal(("Blocked", blocked.Version), (first.GetProperty("status").GetString(), first.GetProperty("version").GetInt32()));
        Assert.All(events.Skip(1).Take(3), e => Assert.Equal("Inactive", e.Data.GetProperty("customer").GetProperty("status").GetString()));
        Assert.Equal(others[0].Id, events[5].Data.GetProperty("id").GetInt32());
        Assert.All(events.Skip(6), e => Assert.Contains("vip", e.Data.GetProperty("customer").GetProperty("tags").ToString()));
    }

    [Theory, InlineData(DatabaseProvider.Sqlite), InlineData(DatabaseProvider.Postgres)]
    public async Task AnEndpointAddedHereGetsTheNextEventAndOneAddedByAnotherInstanceWithinSeconds(DatabaseProvider provider)
    {
        await using var rig = await WebhookRig.CreateAsync(provider);
        // Nobody subscribes yet, and the writers remember it.
        await rig.CreateCustomerAsync("Ann", "Lee", "+16175550201");
        Assert.Empty(await rig.DeliveriesAsync());

        var endpoint = await rig.EndpointAsync(WebhookEvents.CustomerCreated);
        var bob = await rig.CreateCustomerAsync("Bob", "Lee", "+16175550202");
        Assert.Equal([bob.Id], (await EventsAsync(rig)).Select(e => e.Data.GetProperty("id").GetInt32()));

        await rig.Operations.SetEnabledAsync(endpoint.Endpoint.Id, false, Ct);
        await rig.CreateCustomerAsync("Cid", "Lee", "+16175550203");
        Assert.Single(await rig.DeliveriesAsync());

        // Another instance enables it (a write this process's cache never heard of): events flow again within the window.
        await using (var db = rig.Database.CreateDbContext())
            await db.WebhookEndpoints.Where(e => e.Id == endpoint.Endpoint.Id).ExecuteUpdateAsync(s => s.SetProperty(e => e.Enabled, true), Ct);
        var started = System.Diagnostics.Stopwatch.StartNew();
        var phone = 204;
        while ((await rig.DeliveriesAsync()).Count == 1)
        {
            Assert.True(started.Elapsed < WebhookSubscriptions.MaxAge + TimeSpan.FromSeconds(3), "another instance's endpoint never got an event");
            await rig.CreateCustomerAsync("Dee", "Lee", $"+16175550{phone++}");
            await Task.Delay(250, Ct);
        }
    }

    [Fact]
    public async Task ARefusedWriteAddsNoEvent()
    {
        await using var rig = await WebhookRig.CreateAsync();
        await rig.EndpointAsync();
        var maria = await rig.CreateCustomerAsync();
        await TicketOperations.CreateAsync(rig.Database.Factory, new TicketDraft { CustomerId = maria.Id, Item = "Phone", Problem = "Cracked" }, rig.Time, ct: Ct);

        // An open ticket refuses the delete; a second customer on the same phone refuses the create.
        await Assert.ThrowsAsync<CustomerAdmin.Common.RuleViolationException>(() => rig.Customers.DeleteAsync(maria.Id, ct: Ct));
        await Assert.ThrowsAnyAsync<Exception>(() => rig.CreateCustomerAsync("Twin", "Lopez"));

        Assert.Equal([WebhookEvents.CustomerCreated], (await EventsAsync(rig)).Select(e => e.Type));
    }
}
