using Bunit;
using CustomerAdmin.Data;
using CustomerAdmin.Features.Customers.Bulk;
using CustomerAdmin.Security;
using Microsoft.AspNetCore.Components;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CustomerAdmin.Tests.Features.Customers.Bulk;

/// <summary>"Send SMS" from the customer list's selection: the bulk-SMS flow's count, exclusions, preview and queue, for customers.</summary>
public sealed class CustomerBulkSmsTests : AppComponentTest
{
    [Fact]
    public async Task AllMatchingAreCountedWithTheirExclusionsPreviewedAndQueuedOnceEach()
    {
        SignInAs(AppRoles.Manager);
        await Data.ManyCustomersAsync(250, (i, c) =>
        {
            c.City = i < 240 ? "Boston" : "Austin";
            if (i % 50 == 0) c.SmsOptedOutAt = DateTime.UtcNow.AddDays(-1);
            if (i % 50 == 1) c.PrimaryPhoneSmsCapable = false;
        });
        Services.GetRequiredService<NavigationManager>().NavigateTo("/customers/sms?city=Boston");

        var cut = RenderPage<CustomerBulkSms>();
        cut.WaitForAssertion(() =>
        {
            var text = cut.Find("[data-testid=bulk-recipients]").TextContent;
            Assert.Contains("230 recipients of 240 selected customers.", text);
            Assert.Contains("5 × The customer opted out of SMS.", text);
            Assert.Contains("5 × The customer's number cannot receive SMS (landline).", text);
        });
        cut.Find("#bulk-text").Input("Hi {{first_name}}, {{event_name}}");
        cut.WaitForAssertion(() => Assert.Contains("is about an event", cut.Markup));
        Assert.True(cut.Find("[data-testid=bulk-send]").HasAttribute("disabled"));
        cut.Find("#bulk-text").Input("Hi {{first_name}}, spring sale this week!");
        cut.WaitForAssertion(() => Assert.Equal("Hi Bulk2, spring sale this week!", cut.Find("[data-testid=bulk-preview]").TextContent.Trim()));

        cut.Find("[data-testid=bulk-send]").Click();
        cut.WaitForAssertion(() => cut.FindAll(".mud-dialog button").Single(b => b.TextContent.Trim() == "Send").Click());

        cut.WaitForAssertion(() => Assert.Contains("Done: 240 messages queued", cut.Find("[data-testid=bulk-progress]").TextContent),
            TimeSpan.FromSeconds(30));
        await using var db = Db.Inner.CreateDbContext();
        var messages = await db.SmsMessages.AsNoTracking().ToListAsync(Xunit.TestContext.Current.CancellationToken);
        Assert.Equal(240, messages.Count);
        Assert.Equal(240, messages.Select(m => m.CustomerId).Distinct().Count());
        Assert.All(messages, m => Assert.Equal(SmsKind.Bulk, m.Kind));
        Assert.Equal(10, messages.Count(m => m.Status == SmsStatus.Skipped));
        Assert.Contains(messages, m => m.Body == "Hi Bulk2, spring sale this week!");
    }

    [Fact]
    public async Task TheTickedRowsAloneAreTheAudience()
    {
        SignInAs(AppRoles.Manager);
        var customers = await Data.ManyCustomersAsync(10);
        Services.GetRequiredService<NavigationManager>().NavigateTo($"/customers/sms?ids={customers[3].Id},{customers[7].Id}");

        var cut = RenderPage<CustomerBulkSms>();

        cut.WaitForAssertion(() => Assert.Contains("2 recipients of 2 selected customers.", cut.Find("[data-testid=bulk-recipients]").TextContent));
    }
}
