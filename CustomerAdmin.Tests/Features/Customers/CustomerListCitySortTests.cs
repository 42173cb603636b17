using Bunit;
using CustomerAdmin.Data;
using CustomerAdmin.Features.Customers;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;

namespace CustomerAdmin.Tests.Features.Customers;

/// <summary>The list page sorted by city gives the API's order (<see cref="CitySortCases"/>), on both databases.</summary>
public abstract class CustomerListCitySortTests : AppComponentTest
{
    [Theory, InlineData(false), InlineData(true)]
    public async Task ListSortedByCityIgnoresCaseAndAccentsAndPutsCustomersWithoutACityLast(bool descending)
    {
        await CitySortCases.AddAsync(Data);
        Services.GetRequiredService<NavigationManager>().NavigateTo($"/customers?sort=City{(descending ? "&desc=true" : "")}");

        var cut = Render<CustomerList>();

        cut.WaitForAssertion(() => Assert.Equal(descending ? CitySortCases.Descending : CitySortCases.Ascending,
            cut.FindAll("tbody tr td[data-label=Name]").Select(td => td.TextContent.Trim().Split(' ')[0])));
    }
}

public sealed class SqliteCustomerListCitySortTests : CustomerListCitySortTests;

public sealed class PostgresCustomerListCitySortTests : CustomerListCitySortTests
{
    protected override DatabaseProvider Provider => DatabaseProvider.Postgres;
}
