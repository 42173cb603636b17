using Bunit;
using CustomerAdmin.Common;
using CustomerAdmin.Features.Sms;
using CustomerAdmin.Features.Sms.Sending;
using CustomerAdmin.Features.Sms.Templates;
using CustomerAdmin.Data;
using CustomerAdmin.Security;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using TestContext = Xunit.TestContext;

namespace CustomerAdmin.Tests.Features.Sms;

public sealed class SmsComponentTests : AppComponentTest
{
    private readonly SmsOptions _sms = new() { Provider = SmsProvider.Log };

    public SmsComponentTests()
    {
        var venue = Options.Create(new VenueOptions { TimeZone = "UTC", Phone = "+1 555 0100" });
        Services.AddSingleton(Options.Create(_sms));
        Services.AddSingleton(venue);
    }

    [Fact]
    public void TemplatesPageRendersALivePreviewWithSegmentsAndEncoding()
    {
        SignInAs(AppRoles.Admin);
        var cut = RenderWithPopovers<SmsTemplates>();
        cut.WaitForAssertion(() => Assert.Contains("Hi Maria", cut.Find("[data-testid=preview]").TextContent));

        cut.Find("#template-body").Input("Hello {{first_name}}, {{event_name}}!");
        cut.WaitForAssertion(() =>
        {
            Assert.Equal("Hello Maria, Jazz Night!", cut.Find("[data-testid=preview]").TextContent.Trim());
            Assert.Contains("1 segment · GSM-7", cut.Find("[data-testid=segments]").TextContent);
        });

        cut.Find("#template-body").Input("Привет {{first_name}} " + new string('x', 60));
        cut.WaitForAssertion(() => Assert.Contains("2 segments · UCS-2", cut.Find("[data-testid=segments]").TextContent));
    }

    [Fact]
    public void TemplatesPageListsUnknownPlaceholdersAndBlocksSave()
    {
        SignInAs(AppRoles.Admin);
        var cut = RenderWithPopovers<SmsTemplates>();
        cut.WaitForAssertion(() => cut.Find("#template-body"));

        cut.Find("#template-body").Input("Hi {{frist_name}} at {{venue}}");

        cut.WaitForAssertion(() =>
        {
            Assert.Contains("{{frist_name}}, {{venue}}", cut.Find("[data-testid=template-errors]").TextContent);
            Assert.True(cut.Find("[data-testid=save-template]").HasAttribute("disabled"));
        });
    }

    [Fact]
    public void TemplatesPageRefusesATwoThousandCharacterTemplateWithAMessage()
    {
        SignInAs(AppRoles.Admin);
        var cut = RenderWithPopovers<SmsTemplates>();
        cut.WaitForAssertion(() => cut.Find("#template-body"));

        cut.Find("#template-body").Input(new string('a', 2000));

        cut.WaitForAssertion(() =>
        {
            Assert.Contains("2,000 characters; at most 1,600", cut.Find("[data-testid=template-errors]").TextContent);
            Assert.True(cut.Find("[data-testid=save-template]").HasAttribute("disabled"));
        });
    }

    [Fact]
    public async Task TemplatesPageSaveUpsertsTheTemplate()
    {
        SignInAs(AppRoles.Admin);
        var cut = RenderWithPopovers<SmsTemplates>();
        cut.WaitForAssertion(() => cut.Find("#template-body"));

        cut.Find("#template-body").Input("First {{first_name}}");
        cut.Find("form").Submit();
        cut.WaitForAssertion(() => Assert.Contains("Saved", cut.Find("[data-testid=template-state]").TextContent));
        cut.Find("#template-body").Input("Second {{first_name}}");
        cut.Find("form").Submit();

        await Poll.UntilAsync(async () =>
        {
            await using var db = Db.Inner.CreateDbContext();
            var saved = await db.SmsTemplates.SingleAsync(TestContext.Current.CancellationToken);
            return saved.Body == "Second {{first_name}}" && saved.Kind == SmsKind.BookingConfirmation && saved.Language == "en"
                && saved.UpdatedBy == "admin@test.local";
        });
    }

    [Fact]
    public async Task TemplatesPageSaysSoWhenAnotherAdminSavedTheTemplateMeanwhileAndKeepsTheText()
    {
        SignInAs(AppRoles.Admin);
        var cut = RenderWithPopovers<SmsTemplates>();
        cut.WaitForAssertion(() => cut.Find("#template-body"));
        cut.Find("#template-body").Input("Mine {{first_name}}");

        // Another admin saves the same kind and language first.
        await Services.GetRequiredService<SmsTemplateOperations>().SaveAsync(SmsKind.BookingConfirmation, "en", "Theirs {{first_name}}",
            expectedVersion: null, "other@test.local", TestContext.Current.CancellationToken);
        cut.Find("form").Submit();

        cut.WaitForAssertion(() => Assert.Contains(Services.GetRequiredService<MudBlazor.ISnackbar>().ShownSnackbars,
            s => (s.Message ?? "").Contains("Someone else saved this template meanwhile", StringComparison.Ordinal)));
        Assert.Equal("Theirs {{first_name}}", StoredTemplate().Body);
        cut.WaitForAssertion(() => Assert.Contains("other@test.local", cut.Find("[data-testid=template-state]").TextContent));
        Assert.Equal("Theirs {{first_name}}", StoredTemplate().Body);

        // Having seen theirs, the admin saves the text still in the box over it.
        cut.Find("form").Submit();
        cut.WaitForAssertion(() => Assert.Equal(("Mine {{first_name}}", "admin@test.local"), (StoredTemplate().Body, StoredTemplate().UpdatedBy)));
    }

    private SmsTemplate StoredTemplate()
    {
        using var db = Db.Inner.CreateDbContext();
        return db.SmsTemplates.AsNoTracking().Single();
    }

    [Fact]
    public async Task OneOffSendToACustomerWhoOptedOutSinceTheDialogOpenedIsRefused()
    {
        var customer = await AddCustomerAsync("Ann", "Lee", "+1 212 555 0100");
        var cut = RenderPage<CustomerSmsLog>(parameters: new Dictionary<string, object?> { [nameof(CustomerSmsLog.CustomerId)] = customer.Id });
        cut.WaitForElement("[data-testid=send-sms]").Click();
        cut.WaitForElement("#sms-text").Input("Your repair is ready.");

        await UpdateCustomerAsync(customer.Id, c => c.SmsOptedOutAt = DateTime.UtcNow);
        cut.Find("#send-sms-form").Submit();

        cut.WaitForAssertion(() => Assert.Contains("opted out", cut.Find("[data-testid=sms-refusal]").TextContent));
        await using var db = Db.Inner.CreateDbContext();
        Assert.Equal(0, await db.SmsMessages.CountAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task CustomerSmsLogSaysLogOnlyAndListsMessagesNewestFirst()
    {
        var customer = await AddCustomerAsync("Ann", "Lee", "+1 212 555 0100");
        await AddMessageAsync(customer.Id, "older message", DateTime.UtcNow.AddHours(-2), SmsStatus.Sent);
        await AddMessageAsync(customer.Id, "newer message", DateTime.UtcNow.AddHours(-1), SmsStatus.Skipped, "opted-out", "The customer opted out of SMS.");

        var cut = Render<CustomerSmsLog>(p => p.Add(c => c.CustomerId, customer.Id));

        cut.WaitForAssertion(() =>
        {
            Assert.Contains("log-only mode", cut.Find("[data-testid=sms-log-only]").TextContent);
            var rows = cut.FindAll("[data-testid=sms-rows] tbody tr");
            Assert.Equal(2, rows.Count);
            Assert.Contains("newer message", rows[0].TextContent);
            Assert.Contains("opted out", rows[0].TextContent);
            Assert.Contains("Skipped", rows[0].TextContent);
            Assert.Contains("older message", rows[1].TextContent);
        });
    }

    [Fact]
    public async Task CustomerSmsLogHasNoLogOnlyNoticeWithARealProvider()
    {
        _sms.Provider = SmsProvider.Twilio;
        var customer = await AddCustomerAsync("Ann", "Lee", "+1 212 555 0100");

        var cut = Render<CustomerSmsLog>(p => p.Add(c => c.CustomerId, customer.Id));

        cut.WaitForAssertion(() => Assert.Contains("No messages yet", cut.Markup));
        Assert.Empty(cut.FindAll("[data-testid=sms-log-only]"));
    }

    [Fact]
    public async Task GlobalLogFiltersByStatusFromTheQueryStringAndLinksTheCustomer()
    {
        var customer = await AddCustomerAsync("Ann", "Lee", "+1 212 555 0100");
        await AddMessageAsync(customer.Id, "went out", DateTime.UtcNow.AddHours(-2), SmsStatus.Sent);
        await AddMessageAsync(customer.Id, "held back", DateTime.UtcNow.AddHours(-1), SmsStatus.Skipped, "opted-out", "The customer opted out of SMS.");
        Services.GetRequiredService<Microsoft.AspNetCore.Components.NavigationManager>().NavigateTo("/sms?status=skipped");

        var cut = RenderWithPopovers<SmsLog>();

        cut.WaitForAssertion(() =>
        {
            Assert.Equal("1 message", cut.Find("[data-testid=sms-count]").TextContent.Trim());
            var row = Assert.Single(cut.FindAll("[data-testid=sms-rows] tbody tr"));
            Assert.Contains("held back", row.TextContent);
            Assert.Equal($"/customers/{customer.Id}", row.QuerySelector("a")!.GetAttribute("href"));
        });
    }

    [Fact]
    public async Task OneOffSendIsRefusedForAnOptedOutCustomerAndNothingIsQueued()
    {
        var customer = await AddCustomerAsync("Ann", "Lee", "+1 212 555 0100");
        await UpdateCustomerAsync(customer.Id, c => c.SmsOptedOutAt = DateTime.UtcNow);

        var cut = RenderPage<CustomerSmsLog>(parameters: new Dictionary<string, object?> { [nameof(CustomerSmsLog.CustomerId)] = customer.Id });
        cut.WaitForElement("[data-testid=send-sms]").Click();

        cut.WaitForAssertion(() => Assert.Contains("opted out", cut.Find("[data-testid=sms-refusal]").TextContent));
        Assert.Empty(cut.FindAll("[data-testid=sms-send]"));
        await using var db = Db.Inner.CreateDbContext();
        Assert.Equal(0, await db.SmsMessages.CountAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task OneOffSendQueuesAManualMessageAndShowsItInTheLog()
    {
        var customer = await AddCustomerAsync("Ann", "Lee", "+1 212 555 0100");

        var cut = RenderPage<CustomerSmsLog>(parameters: new Dictionary<string, object?> { [nameof(CustomerSmsLog.CustomerId)] = customer.Id });
        cut.WaitForElement("[data-testid=send-sms]").Click();
        cut.WaitForElement("#sms-text").Input("Your repair is ready.");
        cut.WaitForAssertion(() => Assert.Contains("1 segment · GSM-7", cut.Find("[data-testid=sms-segments]").TextContent));
        cut.Find("#send-sms-form").Submit();

        cut.WaitForAssertion(() => Assert.Contains("Your repair is ready.", cut.Find("[data-testid=sms-rows]").TextContent));
        await using var db = Db.Inner.CreateDbContext();
        var message = await db.SmsMessages.SingleAsync(TestContext.Current.CancellationToken);
        Assert.Equal(SmsKind.Manual, message.Kind);
        Assert.Equal(SmsStatus.Pending, message.Status);
        Assert.Equal(customer.PrimaryPhone, message.To);
    }

    [Fact]
    public async Task BulkPageCountsRecipientsAndSaysWhoIsExcludedAndWhy()
    {
        SignInAs(AppRoles.Manager);
        var eventId = (await Data.EventAsync("Gala", DateTime.UtcNow.AddDays(3), 500)).Id;
        await Data.BookingAsync((await AddCustomerAsync("Ann", "Lee", "+1 212 555 0101")).Id, eventId, seats: 2);
        var optedOut = await AddCustomerAsync("Bob", "Ray", "+1 212 555 0102");
        await UpdateCustomerAsync(optedOut.Id, c => c.SmsOptedOutAt = DateTime.UtcNow);
        await Data.BookingAsync(optedOut.Id, eventId, seats: 1);
        var landline = await AddCustomerAsync("Cy", "Fox", "+1 212 555 0103");
        await UpdateCustomerAsync(landline.Id, c => c.PrimaryPhoneSmsCapable = false);
        await Data.BookingAsync(landline.Id, eventId, seats: 1);
        await Data.BookingAsync((await AddCustomerAsync("Dee", "Ash", "+1 212 555 0104")).Id, eventId, seats: 0);

        var cut = RenderPage<EventBulkSms>(eventId);
        cut.WaitForAssertion(() =>
        {
            var text = cut.Find("[data-testid=bulk-recipients]").TextContent;
            Assert.Contains("1 recipient of 3 bookings", text);
            Assert.Contains("2 excluded", text);
            Assert.Contains("1 × The customer opted out of SMS.", text);
            Assert.Contains("1 × The customer's number cannot receive SMS (landline).", text);
        });

        cut.Find("#bulk-text").Input("Hi {{first_name}}, doors open at 7 for {{event_name}}.");
        cut.WaitForAssertion(() => Assert.Equal("Hi Ann, doors open at 7 for Gala.", cut.Find("[data-testid=bulk-preview]").TextContent.Trim()));

        cut.Find("input[type=checkbox]").Change(true);
        cut.WaitForAssertion(() => Assert.Contains("2 recipients of 4 bookings", cut.Find("[data-testid=bulk-recipients]").TextContent));
    }

    [Fact]
    public async Task BulkPageRefusesACancelledEvent()
    {
        SignInAs(AppRoles.Manager);
        var eventId = (await Data.EventAsync("Gala", DateTime.UtcNow.AddDays(3), 500, e => e.Status = EventStatus.Cancelled)).Id;

        var cut = RenderPage<EventBulkSms>(eventId);

        cut.WaitForAssertion(() => Assert.Contains("cancelled", cut.Find("[data-testid=bulk-refusal]").TextContent));
        Assert.Empty(cut.FindAll("#bulk-text"));
    }

    [Fact]
    public async Task BulkSendQueuesOneRenderedMessagePerBookingInTheBackground()
    {
        var eventId = (await Data.EventAsync("Gala", DateTime.UtcNow.AddDays(3), 500)).Id;
        await using (var setup = Db.Inner.CreateDbContext())
        {
            for (var i = 0; i < BulkSmsOperations.BatchSize + 5; i++)
            {
                var customer = new Customer { Type = CustomerType.Individual, FirstName = $"P{i}", LastName = "Lee", PrimaryPhone = $"+1212555{i:0000}" };
                setup.Bookings.Add(new Booking { EventId = eventId, Customer = customer, Seats = 1, Version = 1 });
            }
            await setup.SaveChangesAsync(TestContext.Current.CancellationToken);
        }
        var bulk = Services.GetRequiredService<BulkSmsOperations>();

        var (job, refusal) = await bulk.StartAsync(eventId, "Hi {{first_name}}", includeReminderOnly: false, "manager@test.local",
            TestContext.Current.CancellationToken);

        Assert.Null(refusal);
        await Poll.UntilAsync(() => job!.State != BulkJobState.Running);
        Assert.Equal(BulkJobState.Finished, job!.State);
        Assert.Equal(BulkSmsOperations.BatchSize + 5, job.Done);
        await using var db = Db.Inner.CreateDbContext();
        var messages = await db.SmsMessages.AsNoTracking().ToListAsync(TestContext.Current.CancellationToken);
        Assert.Equal(BulkSmsOperations.BatchSize + 5, messages.Count);
        Assert.All(messages, m => Assert.Equal((SmsKind.Bulk, eventId, "manager@test.local"), (m.Kind, m.EventId!.Value, m.CreatedBy)));
        Assert.Contains(messages, m => m.Body == "Hi P7");
    }

    private async Task UpdateCustomerAsync(int id, Action<Customer> change)
    {
        await using var db = Db.Inner.CreateDbContext();
        var customer = await db.Customers.SingleAsync(c => c.Id == id);
        change(customer);
        await db.SaveChangesAsync();
    }

    private async Task AddMessageAsync(int customerId, string body, DateTime at, SmsStatus status, string? code = null, string? error = null)
    {
        await using var db = Db.Inner.CreateDbContext();
        db.SmsMessages.Add(new SmsMessage
        {
            CustomerId = customerId, Kind = SmsKind.Manual, To = "+12125550100", Body = body, Status = status, ErrorCode = code,
            ErrorMessage = error, CreatedAt = at, UpdatedAt = at, NextAttemptAt = at, Segments = 1,
        });
        await db.SaveChangesAsync();
    }
}
