using Bunit;
using CustomerAdmin.Features.Tickets;
using CustomerAdmin.Data;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace CustomerAdmin.Tests.Features.Tickets;

/// <summary>The ticket list as bookmarked: filters and page from the query string, served by the database.</summary>
public class TicketListComponentTests : AppComponentTest
{
    [Fact]
    public async Task SecondPageHoldsTheOldestTicketsAndTheCountIsOfAllOfThem()
    {
        var customer = await AddCustomerAsync("Ann", "Lee", "+1 212 555 0100");
        var numbers = new List<string>();
        for (var day = 1; day <= TicketList.PageSize + 2; day++)
            numbers.Add((await Data.TicketAsync(customer.Id, new DateTime(2026, 3, day, 15, 0, 0, DateTimeKind.Utc))).Number);

        var cut = RenderAt("/tickets?page=2");

        // Newest first, 25 a page: page two is the two opened first.
        cut.WaitForAssertion(() =>
        {
            Assert.Equal($"{TicketList.PageSize + 2} tickets", cut.Find("[data-testid=ticket-count]").TextContent.Trim());
            Assert.Equal([numbers[1], numbers[0]], Numbers(cut));
        });
    }

    [Theory]
    [InlineData("priority=high&assignee=bob&from=2026-03-10&to=2026-03-11", "busy,first")]
    [InlineData("priority=high&assignee=bob&from=2026-03-10&to=2026-03-11&status=open", "first")]
    [InlineData("status=inprogress", "busy")]
    [InlineData("assignee=alice", "alice")]
    [InlineData("priority=normal", "normal")]
    // Days are the venue's (New York): 03:00 UTC on the 10th is still the 9th there, and "to" takes in its whole day.
    [InlineData("to=2026-03-09", "evening")]
    [InlineData("from=2026-03-12", "later")]
    public async Task FiltersFromTheQueryStringListExactlyTheTicketsThatMatchAll(string query, string expected)
    {
        var customer = await AddCustomerAsync("Ann", "Lee", "+1 212 555 0100");
        var at10 = new DateTime(2026, 3, 10, 15, 0, 0, DateTimeKind.Utc);
        var tickets = new Dictionary<string, Ticket>
        {
            ["first"] = await Data.TicketAsync(customer.Id, at10, d => { d.Priority = TicketPriority.High; d.Assignee = "bob"; }),
            ["later"] = await Data.TicketAsync(customer.Id, at10.AddDays(2), d => { d.Priority = TicketPriority.High; d.Assignee = "bob"; }),
            ["alice"] = await Data.TicketAsync(customer.Id, at10, d => { d.Priority = TicketPriority.High; d.Assignee = "alice"; }),
            ["normal"] = await Data.TicketAsync(customer.Id, at10, d => { d.Priority = TicketPriority.Normal; d.Assignee = "bob"; }),
            ["evening"] = await Data.TicketAsync(customer.Id, new DateTime(2026, 3, 10, 3, 0, 0, DateTimeKind.Utc), d => { d.Priority = TicketPriority.High; d.Assignee = "bob"; }),
            ["busy"] = await Data.TicketAsync(customer.Id, at10.AddDays(1), d => { d.Priority = TicketPriority.High; d.Assignee = "bob"; }),
        };
        var busy = tickets["busy"];
        await TicketOperations.ChangeStatusAsync(Db.Inner, busy.Id, busy.Version, TicketStatus.InProgress, null,
            new FakeTimeProvider(new DateTimeOffset(busy.OpenedAt.AddHours(1))), ct: Xunit.TestContext.Current.CancellationToken);

        var cut = RenderAt("/tickets?" + query);

        var want = expected.Split(',').Select(name => tickets[name].Number).ToList();
        cut.WaitForAssertion(() =>
        {
            Assert.Equal($"{want.Count} tickets", cut.Find("[data-testid=ticket-count]").TextContent.Trim());
            Assert.Equal(want, Numbers(cut));
        });
    }

    private IRenderedComponent<Bunit.Rendering.ContainerFragment> RenderAt(string uri)
    {
        Services.GetRequiredService<NavigationManager>().NavigateTo(uri);
        return RenderPage<TicketList>();
    }

    private static List<string> Numbers(IRenderedComponent<Bunit.Rendering.ContainerFragment> cut) =>
        cut.FindAll("td[data-label=Number]").Select(td => td.TextContent.Trim()).ToList();
}
