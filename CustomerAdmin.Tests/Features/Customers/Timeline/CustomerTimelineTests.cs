using Bunit;
using CustomerAdmin.Data;
using CustomerAdmin.Features.Customers.Timeline;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;

namespace CustomerAdmin.Tests.Features.Customers.Timeline;

public sealed class CustomerTimelineTests : AppComponentTest
{
    private async Task<int> SeedAsync()
    {
        var customer = await AddCustomerAsync("Ann", "Lee", "+1 212 555 0100");
        var at = DateTime.UtcNow.AddHours(-5);
        await using var db = await Db.Inner.CreateDbContextAsync();
        db.Activities.AddRange(
            new Activity { CustomerId = customer.Id, Kind = ActivityKind.Call, Subject = "Asked for a quote", Body = "b", OccurredAt = at, CreatedAt = at, CreatedBy = "ann" },
            new Activity { CustomerId = customer.Id, Kind = ActivityKind.Note, NoteType = NoteType.Complaint, IsInternal = true, Subject = "Bob's note", Body = "b", OccurredAt = at.AddHours(1), CreatedAt = at, CreatedBy = "bob" },
            new Activity { CustomerId = customer.Id, Kind = ActivityKind.ContactChanged, Subject = "Contact details changed", Body = "email", OccurredAt = at.AddHours(2), CreatedAt = at, CreatedBy = "ann" });
        await db.SaveChangesAsync();
        return customer.Id;
    }

    [Fact]
    public async Task FilterShowsOnlyTheChosenKind()
    {
        var customerId = await SeedAsync();
        var cut = Render<CustomerTimeline>(p => p.Add(c => c.CustomerId, customerId).Add(c => c.User, new TimelineUser("ann", false)));
        cut.WaitForAssertion(() => Assert.Equal(3, cut.FindAll("[data-testid=timeline-entry]").Count));
        Assert.Equal(["ContactChanged", "Note", "Call"], cut.FindAll("[data-testid=timeline-entry]").Select(e => e.GetAttribute("data-kind")));

        var select = cut.FindComponent<MudSelect<TimelineFilter>>();
        await cut.InvokeAsync(() => select.Instance.ValueChanged.InvokeAsync(TimelineFilter.Calls));

        cut.WaitForAssertion(() =>
        {
            var entry = Assert.Single(cut.FindAll("[data-testid=timeline-entry]"));
            Assert.Equal("Call", entry.GetAttribute("data-kind"));
            Assert.Contains("Asked for a quote", entry.TextContent);
        });
    }

    [Fact]
    public async Task StaffCanChangeOnlyTheirOwnEntries()
    {
        var customerId = await SeedAsync();
        var cut = Render<CustomerTimeline>(p => p.Add(c => c.CustomerId, customerId).Add(c => c.User, new TimelineUser("ann", false)));

        cut.WaitForAssertion(() =>
        {
            var entries = cut.FindAll("[data-testid=timeline-entry]");
            Assert.Equal(3, entries.Count);
            // Ann's call has edit and delete; Bob's note and the system's contact entry have neither.
            Assert.Empty(entries[0].QuerySelectorAll("[data-testid=timeline-edit]"));
            Assert.Empty(entries[1].QuerySelectorAll("[data-testid=timeline-edit]"));
            Assert.Empty(entries[1].QuerySelectorAll("[data-testid=timeline-delete]"));
            Assert.Single(entries[2].QuerySelectorAll("[data-testid=timeline-edit]"));
            Assert.Single(entries[2].QuerySelectorAll("[data-testid=timeline-delete]"));
            Assert.Contains("Internal", entries[1].TextContent);
        });
    }

    [Fact]
    public async Task ManagersCanChangeAnyStaffEntryButNotTheSystems()
    {
        var customerId = await SeedAsync();
        var cut = Render<CustomerTimeline>(p => p.Add(c => c.CustomerId, customerId).Add(c => c.User, new TimelineUser("mary", true)));

        cut.WaitForAssertion(() =>
        {
            var entries = cut.FindAll("[data-testid=timeline-entry]");
            Assert.Empty(entries[0].QuerySelectorAll("[data-testid=timeline-edit]"));
            Assert.Single(entries[1].QuerySelectorAll("[data-testid=timeline-edit]"));
            Assert.Single(entries[2].QuerySelectorAll("[data-testid=timeline-edit]"));
        });
    }
}

public sealed class CustomerDetailTimelineTests : AppComponentTest
{
    [Fact]
    public async Task SignedInStaffSeeEditOnlyOnTheirOwnEntriesOnTheCustomerPage()
    {
        var customer = await AddCustomerAsync("Ann", "Lee", "+1 212 555 0100");
        var at = DateTime.UtcNow.AddHours(-2);
        await using (var db = await Db.Inner.CreateDbContextAsync(Xunit.TestContext.Current.CancellationToken))
        {
            db.Activities.AddRange(
                new Activity { CustomerId = customer.Id, Kind = ActivityKind.Call, Body = "mine", OccurredAt = at, CreatedAt = at, CreatedBy = "staff@test.local" },
                new Activity { CustomerId = customer.Id, Kind = ActivityKind.Meeting, Body = "theirs", OccurredAt = at.AddMinutes(1), CreatedAt = at, CreatedBy = "someone@test.local" });
            await db.SaveChangesAsync(Xunit.TestContext.Current.CancellationToken);
        }

        var cut = Render<CustomerAdmin.Features.Customers.CustomerDetail>(p => p.Add(c => c.Id, customer.Id));

        cut.WaitForAssertion(() =>
        {
            var entries = cut.FindAll("[data-testid=timeline-entry]");
            Assert.Equal(2, entries.Count);
            Assert.Empty(entries[0].QuerySelectorAll("[data-testid=timeline-edit]"));
            Assert.Single(entries[1].QuerySelectorAll("[data-testid=timeline-edit]"));
            Assert.Single(cut.FindAll("[data-testid=timeline-add]"));
        });
    }
}
