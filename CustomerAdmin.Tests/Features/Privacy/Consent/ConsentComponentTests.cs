using Bunit;
using CustomerAdmin.Data;
using CustomerAdmin.Features.Customers;
using CustomerAdmin.Features.Privacy.Consent;
using CustomerAdmin.Features.Sms;
using CustomerAdmin.Security;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CustomerAdmin.Tests.Features.Privacy.Consent;

/// <summary>
/// The customer page's consent register: staff record an opt-out of SMS marketing as the customer told them, the page
/// shows the new state and the log, and a bulk SMS to an event's 300 attendees then skips that customer (a marketing
/// send) while the service messages' consent stays as it was.
/// </summary>
public abstract class ConsentComponentTests : AppComponentTest
{
    [Fact]
    public async Task StaffRecordAMarketingOptOutOnTheCustomerPageAndTheBulkSendSkipsThatCustomer()
    {
        var ct = Xunit.TestContext.Current.CancellationToken;
        var eventId = (await Data.EventAsync("Gala", DateTime.UtcNow.AddDays(3), 1000)).Id;
        var customers = await Data.ManyCustomersAsync(300, (_, c) => c.SmsOptedIn = true);
        await using (var setup = Db.Inner.CreateDbContext())
        {
            foreach (var c in customers) setup.Bookings.Add(new Booking { EventId = eventId, CustomerId = c.Id, Seats = 1, Version = 1 });
            await setup.SaveChangesAsync(ct);
        }
        var ann = customers[17];

        var cut = RenderPage<CustomerDetail>(ann.Id);
        cut.WaitForAssertion(() => Assert.Contains("Not asked", Row(cut, ConsentOptions.SmsMarketing).TextContent));
        // Found and clicked in one step on the renderer: the page's other sections still load and re-render around it.
        await cut.InvokeAsync(() => Row(cut, ConsentOptions.SmsMarketing).QuerySelector("[data-testid=consent-withdraw]")!.Click());

        cut.WaitForAssertion(() =>
        {
            Assert.Contains("Withdrawn", Row(cut, ConsentOptions.SmsMarketing).TextContent);
            Assert.Contains("staff on the phone", Row(cut, ConsentOptions.SmsMarketing).TextContent);
            Assert.Contains("Consent log (1)", cut.Find("[data-testid=consent-register]").TextContent);
        });
        await using (var db = Db.Inner.CreateDbContext())
        {
            var row = Assert.Single(await db.ConsentRecords.AsNoTracking().ToListAsync(ct));
            Assert.Equal((ann.Id, ConsentOptions.SmsMarketing, false, "staff on the phone", "staff@test.local", "sms-marketing-1"),
                (row.CustomerId, row.Purpose, row.Granted, row.Source, row.RecordedBy, row.WordingVersion));
            Assert.True((await db.Customers.AsNoTracking().SingleAsync(c => c.Id == ann.Id, ct)).SmsOptedIn);
        }

        var bulk = Services.GetRequiredService<BulkSmsOperations>();
        var audience = await bulk.AudienceAsync(eventId, includeReminderOnly: false, ct);
        Assert.Equal(299, audience.Recipients);
        Assert.Equal([("The customer opted out of SMS marketing.", 1)], audience.Excluded);
        var (job, refusal) = await bulk.StartAsync(eventId, "Hi {{first_name}}", includeReminderOnly: false, "manager@test.local", ct);
        Assert.Null(refusal);
        for (var i = 0; i < 200 && job!.State == BulkJobState.Running; i++) await Task.Delay(50, ct);
        Assert.Equal(BulkJobState.Finished, job!.State);
        await using (var db = Db.Inner.CreateDbContext())
        {
            var messages = await db.SmsMessages.AsNoTracking().ToListAsync(ct);
            Assert.Equal(300, messages.Count);
            var skipped = Assert.Single(messages, m => m.Status == SmsStatus.Skipped);
            Assert.Equal((ann.Id, "no-marketing-consent"), (skipped.CustomerId, skipped.ErrorCode));
        }
    }

    [Fact]
    public async Task WithoutTheRightToEditCustomersTheRegisterIsReadOnly()
    {
        SignInAs(AppRoles.Staff);
        Authorization.SetPolicies(Permissions.CustomersRead);
        var ann = await AddCustomerAsync("Ann", "Lee", "+1 212 555 0100");

        var cut = RenderPage<CustomerDetail>(ann.Id);

        cut.WaitForAssertion(() => Assert.Equal(3, cut.FindAll("[data-testid=consent-states] tbody tr").Count));
        Assert.Empty(cut.FindAll("[data-testid=consent-withdraw]"));
        Assert.Empty(cut.FindAll("[data-testid=consent-give]"));
    }

    private static AngleSharp.Dom.IElement Row(IRenderedComponent<Bunit.Rendering.ContainerFragment> cut, string purpose) =>
        cut.Find($"[data-testid=consent-states] tr[data-purpose={purpose}]");
}

public sealed class SqliteConsentComponentTests : ConsentComponentTests;

public sealed class PostgresConsentComponentTests : ConsentComponentTests
{
    protected override DatabaseProvider Provider => DatabaseProvider.Postgres;
}
