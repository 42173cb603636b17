using Bunit;
using CustomerAdmin.Data;
using CustomerAdmin.Features.Customers;
using CustomerAdmin.Security;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;

namespace CustomerAdmin.Tests.Features.Customers;

/// <summary>Deleting and restoring a customer from their page, through <see cref="CustomerOperations"/>: the refusals reach the user.</summary>
public abstract class CustomerStatusTests : AppComponentTest
{
    private CustomerStatus StatusOf(int customerId)
    {
        using var db = Db.Inner.CreateDbContext();
        return db.Customers.AsNoTracking().Single(c => c.Id == customerId).Status;
    }

    private IEnumerable<string> Snackbars() => Services.GetRequiredService<ISnackbar>().ShownSnackbars.Select(s => s.Message ?? "");

    private void ConfirmDelete(IRenderedComponent<Bunit.Rendering.ContainerFragment> cut)
    {
        cut.WaitForAssertion(() => cut.FindAll("button").Single(b => b.TextContent.Trim() == "Delete").Click());
        cut.WaitForAssertion(() => cut.FindAll(".mud-dialog button").Single(b => b.TextContent.Trim() == "Delete").Click());
    }

    [Fact]
    public async Task AManagerDeletesACustomerWithNothingOpen()
    {
        SignInAs(AppRoles.Manager);
        var ann = await AddCustomerAsync("Ann", "Lee", "+1 212 555 0100");
        var cut = RenderPage<CustomerDetail>(ann.Id);

        ConfirmDelete(cut);

        cut.WaitForAssertion(() => Assert.Equal(CustomerStatus.Deleted, StatusOf(ann.Id)));
        Assert.Contains("Customer deleted.", Snackbars());
    }

    [Fact]
    public async Task DeletingACustomerWithAnOpenTicketIsRefusedNamingTheTicket()
    {
        SignInAs(AppRoles.Manager);
        var ann = await AddCustomerAsync("Ann", "Lee", "+1 212 555 0100");
        var ticket = await Data.TicketAsync(ann.Id);
        var cut = RenderPage<CustomerDetail>(ann.Id);

        ConfirmDelete(cut);

        cut.WaitForAssertion(() => Assert.Contains(Snackbars(), m => m.Contains($"Ann Lee cannot be deleted while a ticket is open: {ticket.Number}", StringComparison.Ordinal)));
        Assert.Equal(CustomerStatus.Active, StatusOf(ann.Id));
    }

    [Fact]
    public async Task RestoringWhileAnotherCustomerHasThePhoneIsRefused()
    {
        SignInAs(AppRoles.Admin);
        var old = await AddCustomerAsync("Ann", "Lee", "+1 212 555 0100");
        await using (var db = Db.Inner.CreateDbContext())
        {
            var stored = await db.Customers.SingleAsync(c => c.Id == old.Id, Xunit.TestContext.Current.CancellationToken);
            stored.Status = CustomerStatus.Deleted;
            await db.SaveChangesAsync(Xunit.TestContext.Current.CancellationToken);
        }
        await AddCustomerAsync("Anna", "Lee", "+1 212 555 0100");
        var cut = RenderPage<CustomerDetail>(old.Id);

        cut.WaitForAssertion(() => cut.FindAll("button").Single(b => b.TextContent.Trim() == "Restore").Click());

        cut.WaitForAssertion(() => Assert.Contains(Snackbars(), m => m.Contains("another customer now has the same phone number", StringComparison.Ordinal)));
        Assert.Equal(CustomerStatus.Deleted, StatusOf(old.Id));
    }
}

public sealed class SqliteCustomerStatusTests : CustomerStatusTests;

public sealed class PostgresCustomerStatusTests : CustomerStatusTests
{
    protected override DatabaseProvider Provider => DatabaseProvider.Postgres;
}
