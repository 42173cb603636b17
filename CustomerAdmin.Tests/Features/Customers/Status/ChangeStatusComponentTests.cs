using Bunit;
using CustomerAdmin.Data;
using CustomerAdmin.Features.Customers;
using CustomerAdmin.Features.Customers.Status;
using CustomerAdmin.Security;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Time.Testing;

namespace CustomerAdmin.Tests.Features.Customers.Status;

/// <summary>The customer page's "Change status": a reason is asked for, and the banner shows it with who and when.</summary>
public sealed class ChangeStatusComponentTests : AppComponentTest
{
    private static CancellationToken Ct => Xunit.TestContext.Current.CancellationToken;

    private CustomerStatus StatusOf(int customerId)
    {
        using var db = Db.Inner.CreateDbContext();
        return db.Customers.AsNoTracking().Single(c => c.Id == customerId).Status;
    }

    private static void OpenDialogAndChoose(IRenderedComponent<Bunit.Rendering.ContainerFragment> cut, string status)
    {
        cut.WaitForAssertion(() => cut.Find("[data-testid=change-status]").Click());
        cut.WaitForAssertion(() => cut.Find("[data-testid=new-status]").Closest(".mud-input-control")!.MouseDown());
        cut.WaitForAssertion(() => cut.FindAll(".mud-list-item").Single(i => i.TextContent.Trim() == status).Click());
    }

    [Fact]
    public async Task StaffBlockACustomerWithAReasonAndTheBannerSaysWhyWhoAndWhen()
    {
        var ann = await AddCustomerAsync("Ann", "Lee", "+1 212 555 0100");
        var cut = RenderPage<CustomerDetail>(ann.Id);
        cut.WaitForAssertion(() => Assert.Empty(cut.FindAll("[data-testid=status-banner]")));

        OpenDialogAndChoose(cut, "Blocked");
        cut.Find("#status-reason").Input("Threatened staff on 2 March");
        cut.Find("form#change-status-form").Submit();

        cut.WaitForAssertion(() =>
        {
            var banner = cut.Find("[data-testid=status-banner]");
            Assert.Contains("Blocked: Threatened staff on 2 March (staff@test.local,", banner.TextContent);
            Assert.Contains("refused unless a manager overrides", banner.TextContent);
            Assert.Contains("mud-alert-text-error", banner.ClassName);
        });
        Assert.Equal(CustomerStatus.Blocked, StatusOf(ann.Id));
    }

    [Fact]
    public async Task AStatusChangeWithoutAReasonIsRefusedAtTheReasonField()
    {
        var ann = await AddCustomerAsync("Ann", "Lee", "+1 212 555 0100");
        var cut = RenderPage<CustomerDetail>(ann.Id);

        OpenDialogAndChoose(cut, "Blocked");
        cut.Find("form#change-status-form").Submit();

        cut.WaitForAssertion(() => Assert.Contains("Say why the status changes.", cut.Find("[data-testid=change-status-dialog]").TextContent));
        Assert.Equal(CustomerStatus.Active, StatusOf(ann.Id));
    }

    [Fact]
    public async Task AnInactiveCustomerShowsAWarningWithTheReason()
    {
        var ann = await AddCustomerAsync("Ann", "Lee", "+1 212 555 0100");
        await new CustomerStatusOperations(Db.Inner, TimeProvider.System).ChangeAsync(ann.Id, CustomerStatus.Inactive, "Moved to Denver", "manager@test.local", Ct);

        var cut = RenderPage<CustomerDetail>(ann.Id);

        cut.WaitForAssertion(() =>
        {
            var banner = cut.Find("[data-testid=status-banner]");
            Assert.Contains("Inactive: Moved to Denver (manager@test.local,", banner.TextContent);
            Assert.Contains("mud-alert-text-warning", banner.ClassName);
        });
    }

    [Fact]
    public async Task TheEditFormShowsTheStatusButDoesNotChangeIt()
    {
        var ann = await AddCustomerAsync("Ann", "Lee", "+1 212 555 0100");
        await new CustomerStatusOperations(Db.Inner, TimeProvider.System).ChangeAsync(ann.Id, CustomerStatus.Blocked, "Unpaid", "manager@test.local", Ct);

        var cut = RenderPage<CustomerEdit>(ann.Id);

        cut.WaitForAssertion(() => Assert.Equal("Blocked", cut.Find("input#customer-status").GetAttribute("value")));
        Assert.True(cut.Find("input#customer-status").HasAttribute("readonly"));
    }
}
