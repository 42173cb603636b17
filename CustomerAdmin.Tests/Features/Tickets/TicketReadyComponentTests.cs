using Bunit;
using CustomerAdmin.Data;
using CustomerAdmin.Features.Tickets;
using Microsoft.EntityFrameworkCore;

namespace CustomerAdmin.Tests.Features.Tickets;

/// <summary>The ticket page's move to Ready: the SMS offer, ticked for an opted-in customer, refused with the reason otherwise.</summary>
public sealed class TicketReadyComponentTests : AppComponentTest
{
    private static CancellationToken Ct => Xunit.TestContext.Current.CancellationToken;

    private async Task<Ticket> TicketForAsync(Action<Customer> with)
    {
        var ann = await Data.CustomerAsync(with: with);
        return await Data.TicketAsync(ann.Id, with: d => d.Item = "Laptop");
    }

    [Fact]
    public async Task AnOptedInCustomerIsOfferedTheTickedMessageAndTheTicketPageShowsIt()
    {
        var ticket = await TicketForAsync(c => c.SmsOptedIn = true);
        var cut = RenderPage<TicketDetail>(ticket.Id);

        cut.WaitForAssertion(() => cut.Find("[data-testid=move-ready]").Click());
        cut.WaitForAssertion(() =>
        {
            // Ticked: the button says what will happen.
            Assert.Equal("Mark ready and text", cut.Find("[data-testid=confirm-ready]").TextContent.Trim());
            Assert.StartsWith("Hi Ann, your Laptop is ready for pickup", cut.Find("[data-testid=ready-sms-text]").TextContent.Trim());
        });
        cut.Find("[data-testid=confirm-ready]").Click();

        cut.WaitForAssertion(() =>
        {
            Assert.Equal("Ready", cut.Find("[data-testid=ticket-status]").TextContent.Trim());
            var log = cut.Find("[data-testid=ticket-sms]").TextContent;
            Assert.Contains("Ticket ready", log);
            Assert.Contains("Waiting", log);
        });
        await using var db = await Db.Inner.CreateDbContextAsync(Ct);
        Assert.Equal(1, await db.SmsMessages.CountAsync(m => m.Kind == SmsKind.TicketReady && m.TicketId == ticket.Id, Ct));
    }

    [Fact]
    public async Task AnOptedOutCustomerIsNotOfferedTheMessageAndTheReasonIsShown()
    {
        var ticket = await TicketForAsync(c => c.SmsOptedOutAt = DateTime.UtcNow);
        var cut = RenderPage<TicketDetail>(ticket.Id);

        cut.WaitForAssertion(() => cut.Find("[data-testid=move-ready]").Click());
        cut.WaitForAssertion(() => Assert.Contains("opted out", cut.Find("[data-testid=ready-sms-refusal]").TextContent));
        Assert.Empty(cut.FindAll("[data-testid=ready-sms-text]"));
        Assert.Equal("Mark ready", cut.Find("[data-testid=confirm-ready]").TextContent.Trim());
        cut.Find("[data-testid=confirm-ready]").Click();

        cut.WaitForAssertion(() => Assert.Equal("Ready", cut.Find("[data-testid=ticket-status]").TextContent.Trim()));
        await using var db = await Db.Inner.CreateDbContextAsync(Ct);
        Assert.False(await db.SmsMessages.AnyAsync(Ct));
    }
}
