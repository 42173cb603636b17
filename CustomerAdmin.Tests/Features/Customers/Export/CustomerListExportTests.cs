using Bunit;
using CustomerAdmin.Features.Customers;
using CustomerAdmin.Features.Customers.Search;
using CustomerAdmin.Security;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;

namespace CustomerAdmin.Tests.Features.Customers.Export;

public sealed class CustomerListExportTests : AppComponentTest
{
    [Fact]
    public void ManagersGetADownloadLinkWithTheListsFiltersAndStaffGetNone()
    {
        Services.GetRequiredService<NavigationManager>().NavigateTo("/customers?city=Mumbai&tickets_min=11");
        Assert.Empty(Render<CustomerList>().FindAll("[data-testid=export-csv]"));

        SignInAs(AppRoles.Manager);
        var cut = Render<CustomerList>();

        var link = cut.Find("[data-testid=export-csv]");
        Assert.True(link.HasAttribute("download"));
        Assert.StartsWith("/customers/export.csv?city=Mumbai&tickets_min=11&export_token=", link.GetAttribute("href"));
    }
}
