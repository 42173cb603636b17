using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using CustomerAdmin.Common;
using CustomerAdmin.Features.Customers;
using CustomerAdmin.Features.Customers.History;
using CustomerAdmin.Features.Customers.Search;
using CustomerAdmin.Features.Organizations;
using CustomerAdmin.Features.Sms;
using CustomerAdmin.Features.Sms.Reminders;
using CustomerAdmin.Features.Sms.Sending;
using CustomerAdmin.Features.Sms.Templates;
using CustomerAdmin.Features.Sms.Webhooks;
using CustomerAdmin.Features.Tickets;
using CustomerAdmin.Data;
using Microsoft.EntityFrameworkCore;

namespace CustomerAdmin.Tests.Features.Customers;

/// <summary>
/// "Save mine over theirs" on the customer form, through the page, after someone else moved the customer's
/// statistics or consent behind the open form: only what the form edits is written back.
/// </summary>
public abstract class CustomerOverwriteTests : AppComponentTest
{
    [Fact]
    public async Task KeepingMineAfterATicketWasClosedMeanwhileKeepsTheNewStats()
    {
        var ct = Xunit.TestContext.Current.CancellationToken;
        var ann = await AddCustomerAsync("Ann", "Lee", "+1 212 555 0100", email: "ann@example.com", city: "Austin");
        var cut = RenderPage<CustomerEdit>(ann.Id);
        cut.WaitForElement("#first-name").Input("Anna");
        cut.Find("#email").Input("anna@example.com");

        // A colleague opens and closes a ticket for her while the form is open.
        var ticket = await TicketOperations.CreateAsync(Db.Inner,
            new TicketDraft { CustomerId = ann.Id, Item = "Phone", Problem = "Cracked screen", QuotedAmount = 80m }, TimeProvider.System, ct: ct);
        await TicketOperations.ChangeStatusAsync(Db.Inner, ticket.Id, ticket.Version, TicketStatus.Closed, 120.50m, TimeProvider.System, ct: ct);
        Customer current;
        await using (var db = await Db.Inner.CreateDbContextAsync(ct))
            current = await db.Customers.AsNoTracking().SingleAsync(c => c.Id == ann.Id, ct);
        Assert.Equal((120.50m, 1, 1), (current.TotalSpent, current.VisitCount, current.TicketCount));

        await KeepMineAsync(cut);

        await using var check = await Db.Inner.CreateDbContextAsync(ct);
        var saved = await check.Customers.AsNoTracking().SingleAsync(c => c.Id == ann.Id, ct);
        Assert.Equal(("Anna", "anna@example.com", "Austin"), (saved.FirstName, saved.Email, saved.City));
        Assert.Equal((current.TotalSpent, current.VisitCount, current.LastVisitAt, current.TicketCount),
            (saved.TotalSpent, saved.VisitCount, saved.LastVisitAt, saved.TicketCount));
        Assert.Equal(current.Version + 1, saved.Version);
    }

    [Fact]
    public async Task KeepingMineAfterTheCustomerRepliedStopMeanwhileKeepsThemOptedOut()
    {
        var ct = Xunit.TestContext.Current.CancellationToken;
        var ann = await AddCustomerAsync("Ann", "Lee", "+1 212 555 0100");
        var optedInAt = new DateTime(2026, 1, 5, 10, 0, 0, DateTimeKind.Utc);
        await using (var db = await Db.Inner.CreateDbContextAsync(ct))
        {
            var row = await db.Customers.SingleAsync(c => c.Id == ann.Id, ct);
            (row.SmsOptedIn, row.SmsOptedInAt, row.SmsOptInSource) = (true, optedInAt, "staff");
            await db.SaveChangesAsync(ct);
        }
        var cut = RenderPage<CustomerEdit>(ann.Id);
        cut.WaitForElement("#first-name").Input("Anna");

        // The customer replies STOP while the form is open, handled the way the inbound SMS webhook handles it.
        var stoppedAt = DateTime.UtcNow;
        await using (var db = await Db.Inner.CreateDbContextAsync(ct))
            await SmsConsent.OptOutAsync(db, ann.Id, "sms:STOP", stoppedAt, dedupeKey: null, ct);

        await KeepMineAsync(cut);

        await using var check = await Db.Inner.CreateDbContextAsync(ct);
        var saved = await check.Customers.AsNoTracking().SingleAsync(c => c.Id == ann.Id, ct);
        Assert.Equal("Anna", saved.FirstName);
        Assert.False(saved.SmsOptedIn);
        Assert.True(saved.SmsOptedOut);
        Assert.Equal("sms:STOP", saved.SmsOptOutSource);
        Assert.NotNull(saved.SmsOptedOutAt);
        Assert.Equal(optedInAt, saved.SmsOptedInAt);
    }

    [Fact]
    public async Task TickingTheConsentBoxIsAStaffOptInAndLeavesTheStatsAlone()
    {
        var ct = Xunit.TestContext.Current.CancellationToken;
        var ann = await AddCustomerAsync("Ann", "Lee", "+1 212 555 0100");
        var ticket = await TicketOperations.CreateAsync(Db.Inner,
            new TicketDraft { CustomerId = ann.Id, Item = "Phone", Problem = "Cracked screen" }, TimeProvider.System, ct: ct);
        await TicketOperations.ChangeStatusAsync(Db.Inner, ticket.Id, ticket.Version, TicketStatus.Closed, 40m, TimeProvider.System, ct: ct);
        var cut = RenderPage<CustomerEdit>(ann.Id);

        cut.WaitForElement("input[type=checkbox]").Change(true);
        cut.Find("form").Submit();

        cut.WaitForAssertion(() => Assert.True(Db.Inner.CreateDbContext().Customers.AsNoTracking().Single(c => c.Id == ann.Id).SmsOptedIn));
        await using var check = await Db.Inner.CreateDbContextAsync(ct);
        var saved = await check.Customers.AsNoTracking().SingleAsync(c => c.Id == ann.Id, ct);
        Assert.Equal("staff", saved.SmsOptInSource);
        Assert.NotNull(saved.SmsOptedInAt);
        Assert.Equal((40m, 1, 1), (saved.TotalSpent, saved.VisitCount, saved.TicketCount));
    }

    [Fact]
    public async Task TheWritePathRefusesANonWebAddressWhateverTheFormLetThrough()
    {
        var ct = Xunit.TestContext.Current.CancellationToken;
        var ann = await AddCustomerAsync("Ann", "Lee", "+1 212 555 0100");
        var operations = new CustomerOperations(Db.Inner, Phones, TimeProvider.System);
        var form = ann.Copy();
        form.Website = "javascript:alert(1)";

        var refused = await Assert.ThrowsAsync<RuleViolationException>(() => operations.UpdateAsync(ann.Id, ann.Version, form, null, ct: ct));
        var refusedNew = await Assert.ThrowsAsync<RuleViolationException>(() =>
            operations.CreateAsync(new Customer { Type = CustomerType.Clinic, Name = "Care", PrimaryPhone = "+1 212 555 0177", Website = "data:text/html,<b>x</b>" }, ct: ct));

        Assert.Equal((nameof(Customer.Website), WebAddress.Message), (refused.Field, refused.Message));
        Assert.Equal(nameof(Customer.Website), refusedNew.Field);
        await using var db = await Db.Inner.CreateDbContextAsync(ct);
        Assert.Equal(1, await db.Customers.CountAsync(ct));
        Assert.Null((await db.Customers.SingleAsync(ct)).Website);
    }

    private async Task KeepMineAsync(IRenderedComponent<Bunit.Rendering.ContainerFragment> cut)
    {
        var nav = Services.GetRequiredService<NavigationManager>();
        cut.Find("form").Submit();
        cut.WaitForElement("[data-testid=conflict]");
        await cut.InvokeAsync(() => cut.FindAll("button").Single(b => b.TextContent.Contains("Save mine over theirs")).Click());
        cut.WaitForAssertion(() => Assert.Empty(cut.FindAll("[data-testid=conflict]")));
        cut.WaitForAssertion(() => Assert.DoesNotContain("could not be saved", cut.Markup));
        // The page goes to the customer once the save has committed; reading the row before that races the save.
        cut.WaitForAssertion(() => Assert.Matches(@"/customers/\d+$", nav.Uri), TimeSpan.FromSeconds(10));
    }
}

public sealed class SqliteCustomerOverwriteTests : CustomerOverwriteTests;

public sealed class PostgresCustomerOverwriteTests : CustomerOverwriteTests
{
    protected override DatabaseProvider Provider => DatabaseProvider.Postgres;
}

/// <summary>Web addresses on the customer and organisation forms, and how a stored one is shown.</summary>
public sealed class WebAddressComponentTests : AppComponentTest
{
    private Task<Customer> AddClinicAsync(string? website)
    {
        var clinic = TestCustomers.Organisation("Harbor Clinic", "+12125550140");
        clinic.Website = website;
        return Data.AddAsync(clinic);
    }

    [Fact]
    public async Task CustomerFormRefusesAScriptAddressAtTheField()
    {
        var clinic = await AddClinicAsync("harbor.example");
        var cut = RenderPage<CustomerEdit>(clinic.Id);

        cut.WaitForElement("#website").Change("javascript:alert(1)");
        cut.Find("form").Submit();

        cut.WaitForAssertion(() => Assert.Contains(WebAddress.Message, cut.Markup));
        await using var db = await Db.Inner.CreateDbContextAsync(Xunit.TestContext.Current.CancellationToken);
        Assert.Equal("harbor.example", (await db.Customers.SingleAsync(Xunit.TestContext.Current.CancellationToken)).Website);
    }

    [Fact]
    public async Task OrganisationFormRefusesAScriptAddressAtTheField()
    {
        var cut = RenderPage<OrganizationEdit>();

        cut.WaitForElement("#organization-name").Change("Harbor Health");
        cut.Find("#organization-website").Change("javascript:alert(1)");
        cut.Find("form").Submit();

        cut.WaitForAssertion(() => Assert.Contains(WebAddress.Message, cut.Markup));
        await using var db = await Db.Inner.CreateDbContextAsync(Xunit.TestContext.Current.CancellationToken);
        Assert.False(await db.Organizations.AnyAsync(Xunit.TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task OrganisationFormSavesAPlainWebAddress()
    {
        var cut = RenderPage<OrganizationEdit>();

        cut.WaitForElement("#organization-name").Change("Harbor Health");
        cut.Find("#organization-website").Change("harbor.example/clinics");
        cut.Find("form").Submit();

        cut.WaitForAssertion(() => Assert.Equal("harbor.example/clinics", Db.Inner.CreateDbContext().Organizations.Single().Website));
    }

    [Theory]
    [InlineData("javascript:alert(1)")]
    [InlineData("JavaScript:alert(document.cookie)")]
    [InlineData("java\tscript:alert(1)")]
    [InlineData("data:text/html,<script>alert(1)</script>")]
    public async Task AStoredNonWebAddressIsShownAsTextWithoutALink(string website)
    {
        // An old import stored it before the forms checked addresses.
        var clinic = await AddClinicAsync(website);

        var cut = Render<CustomerDetail>(p => p.Add(c => c.Id, clinic.Id));

        cut.WaitForAssertion(() => Assert.Equal(website, cut.Find("[data-testid=website-text]").TextContent));
        Assert.DoesNotContain(cut.FindAll("a"), a => a.TextContent.Contains(website) || (a.GetAttribute("href") ?? "").Contains("script", StringComparison.OrdinalIgnoreCase)
            || (a.GetAttribute("href") ?? "").StartsWith("data:", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task AStoredWebAddressIsALink()
    {
        var clinic = await AddClinicAsync("harbor.example/clinics");

        var cut = Render<CustomerDetail>(p => p.Add(c => c.Id, clinic.Id));

        cut.WaitForAssertion(() => Assert.Contains(cut.FindAll("a"), a => a.GetAttribute("href") == "https://harbor.example/clinics"));
        Assert.Empty(cut.FindAll("[data-testid=website-text]"));
    }
}
